// A Terraform module: one folder of `.tf`/`.tf.json` files (and, for the root module, its
// `terraform.tfvars` / `*.auto.tfvars` files), given as texts by the caller — no file system here.
// Everything is evaluated lazily and cached on the instance: variables, locals (cycles detected),
// outputs, resource bodies with `dynamic` blocks expanded, and local child modules.
import type { Parsed, Span } from '../../core/span';
import type { Attribute, Block, Body, Expression, HclFile } from './ast';
import { ExpressionEvaluator, Namespace, childScope, type Scope } from './evaluate';
import { parseJsonHcl } from './json';
import { parseNative } from './parser';
import { basename, dirname, normalize } from './paths';
import { convert, parseType } from './types';
import {
  EvalError, Reference, Unknown, fromJson, isObject, newObject, unknownFrom,
  type EvalDiagnostic, type ResourceDef, type Value,
} from './values';

export interface SourceFile {
  /** Path with forward slashes, as the caller knows it (workspace-relative or absolute). */
  path: string;
  text: string;
  /** The file already parsed (a host's parse cache): then it is not parsed again. */
  parsed?: Parsed<HclFile>;
}

export interface ModuleOptions {
  /** The module's folder; by default the folder of its first file. Local module sources resolve against it. */
  dir?: string;
  /** Files of another local module folder (e.g. "infra/modules/vpc"), or undefined when unavailable. */
  loadFolder?: (dir: string) => SourceFile[] | undefined;
  /** Or the same as a map from folder to files. */
  folders?: Record<string, SourceFile[]>;
  /** Values from the caller (a parent module's arguments); when set, tfvars files are not read. */
  inputs?: (name: string) => Value | undefined;
  /** How many levels of local modules to load below this one. */
  maxModuleDepth?: number;
}

export type FileRole = 'config' | 'tfvars' | 'other';

export interface ModuleFile {
  path: string;
  role: FileRole;
  json: boolean;
  parsed: Parsed<HclFile>;
}

export interface VariableDef {
  name: string;
  block: Block;
  path: string;
}

export interface LocalDef {
  name: string;
  attribute: Attribute;
  path: string;
}

export interface OutputDef {
  name: string;
  block: Block;
  path: string;
}

export interface ModuleCall {
  name: string;
  block: Block;
  path: string;
  /** The `source` string, when it is a literal. */
  source?: string;
  /** Whether the source is a local path (`./…`, `../…`). */
  local: boolean;
}

export interface EvaluatedAttribute {
  name: string;
  attribute: Attribute;
  value: Value;
}

export interface EvaluatedBody {
  attributes: Map<string, EvaluatedAttribute>;
  blocks: EvaluatedBlock[];
}

/** A nested block as Terraform sees it: a `dynamic "x"` block appears as the `x` blocks it generates. */
export interface EvaluatedBlock {
  type: string;
  labels: string[];
  /** The block written in the source: for a dynamic block, its `content` block. */
  block: Block;
  /** The `dynamic` block this one was generated from. */
  dynamic?: Block;
  body: EvaluatedBody;
}

const MAX_DYNAMIC = 1000;
const META_ARGUMENTS = new Set(['source', 'version', 'count', 'for_each', 'providers', 'depends_on']);
const RESOURCE_META: ReadonlySet<string> = new Set(['provider', 'depends_on']);
const LIFECYCLE_META: ReadonlySet<string> = new Set(['ignore_changes', 'replace_triggered_by']);

export class HclModule {
  readonly dir: string;
  readonly files: ModuleFile[] = [];
  readonly variables = new Map<string, VariableDef>();
  readonly locals = new Map<string, LocalDef>();
  readonly outputs = new Map<string, OutputDef>();
  readonly resources: ResourceDef[] = [];
  readonly moduleCalls: ModuleCall[] = [];
  /** Evaluation problems found so far (evaluation is lazy): cycles, type errors, unknown names. */
  readonly diagnostics: EvalDiagnostic[] = [];

  private readonly evaluator: ExpressionEvaluator;
  private readonly byAddress = new Map<string, ResourceDef>();
  /** Resources by `mode:type`, and the set of this module's own resources. */
  private readonly byType = new Map<string, ResourceDef[]>();
  private readonly own = new Set<ResourceDef>();
  /** Who refers to whom, built on the first `referrers` call by one pass over every resource body. */
  private referrersOf?: Map<ResourceDef, { resource: ResourceDef; attribute: string }[]>;
  private readonly tfvars = new Map<string, { value: Value; path: string }>();
  private readonly memo = new Map<string, Value>();
  private readonly inProgress = new Set<string>();
  private readonly bodies = new Map<Block, EvaluatedBody>();
  private readonly children = new Map<string, HclModule | undefined>();
  /** Raw texts, for JSON tfvars files (read as plain JSON, as Terraform does). */
  private readonly texts = new Map<string, string>();
  /** The file being evaluated, for diagnostics. */
  private currentPath = '';

  constructor(
    sources: readonly SourceFile[],
    private readonly options: ModuleOptions = {},
  ) {
    this.dir = normalize(options.dir ?? dirname(sources[0]?.path ?? '.'));
    this.evaluator = new ExpressionEvaluator(
      { root: (name, span) => this.root(name, span) },
      { onError: (message, span) => this.report(message, span) },
    );
    const sorted = [...sources].sort((a, b) => (basename(a.path) < basename(b.path) ? -1 : basename(a.path) > basename(b.path) ? 1 : 0));
    for (const source of sorted) this.addFile(source);
    if (!options.inputs) this.readTfvars();
  }

  // ---- loading

  private addFile(source: SourceFile): void {
    const name = basename(source.path).toLowerCase();
    const json = name.endsWith('.json');
    const role: FileRole =
      name.endsWith('.tf') || name.endsWith('.tf.json') ? 'config' :
      name === 'terraform.tfvars' || name === 'terraform.tfvars.json' || name.endsWith('.auto.tfvars') || name.endsWith('.auto.tfvars.json') ? 'tfvars' :
      'other';
    let parsed: Parsed<HclFile>;
    try {
      if (source.parsed) parsed = source.parsed;
      else {
        const { file, errors } = json ? parseJsonHcl(source.text) : parseNative(source.text);
        parsed = { model: file, errors };
      }
    } catch (error) {
      const span = { start: 0, end: 0 };
      parsed = { model: { body: { items: [], span }, comments: [], span }, errors: [{ message: `Internal parser error: ${String(error)}`, span }] };
    }
    const file: ModuleFile = { path: source.path, role, json, parsed };
    if (role === 'tfvars' && json) this.texts.set(source.path, source.text);
    this.files.push(file);
    if (role === 'config') this.declare(file);
  }

  private declare(file: ModuleFile): void {
    for (const item of file.parsed.model.body.items) {
      if (item.kind !== 'block') continue;
      const [first, second] = item.labels.map((l) => l.value);
      switch (item.type) {
        case 'variable':
          if (first !== undefined) this.variables.set(first, { name: first, block: item, path: file.path });
          break;
        case 'locals':
          for (const attr of item.body.items) {
            if (attr.kind !== 'attribute') continue;
            if (this.locals.has(attr.name)) this.diagnostics.push({ path: file.path, message: `Duplicate local value "${attr.name}"`, span: attr.nameSpan });
            else this.locals.set(attr.name, { name: attr.name, attribute: attr, path: file.path });
          }
          break;
        case 'output':
          if (first !== undefined) this.outputs.set(first, { name: first, block: item, path: file.path });
          break;
        case 'resource':
        case 'data':
          if (first !== undefined && second !== undefined) this.addResource(item, item.type === 'data' ? 'data' : 'managed', first, second, file.path);
          break;
        case 'module':
          if (first !== undefined) this.addModuleCall(item, first, file.path);
          break;
      }
    }
  }

  private addResource(block: Block, mode: 'managed' | 'data', type: string, name: string, path: string): void {
    const address = `${mode === 'data' ? 'data.' : ''}${type}.${name}`;
    const has = (n: string) => block.body.items.some((i) => i.kind === 'attribute' && i.name === n);
    const resource: ResourceDef = { mode, type, name, address, block, path, repetition: has('count') ? 'count' : has('for_each') ? 'for_each' : undefined };
    this.resources.push(resource);
    this.own.add(resource);
    const key = `${mode}:${type}`;
    const sameType = this.byType.get(key);
    if (sameType) sameType.push(resource);
    else this.byType.set(key, [resource]);
    if (!this.byAddress.has(address)) this.byAddress.set(address, resource);
  }

  private addModuleCall(block: Block, name: string, path: string): void {
    const sourceAttr = findAttribute(block.body, 'source');
    let source: string | undefined;
    if (sourceAttr?.expr.kind === 'template' && sourceAttr.expr.parts.every((p) => p.kind === 'literal')) {
      source = sourceAttr.expr.parts.map((p) => (p.kind === 'literal' ? p.value : '')).join('');
    }
    const local = source !== undefined && (source.startsWith('./') || source.startsWith('../'));
    this.moduleCalls.push({ name, block, path, source, local });
  }

  /** terraform.tfvars, terraform.tfvars.json, then *.auto.tfvars(.json) in lexical order; later wins. */
  private readTfvars(): void {
    const rank = (path: string) => (basename(path).toLowerCase().startsWith('terraform.tfvars') ? 0 : 1);
    const files = this.files.filter((f) => f.role === 'tfvars').sort((a, b) => rank(a.path) - rank(b.path) || (basename(a.path) < basename(b.path) ? -1 : 1));
    const constants = new ExpressionEvaluator(
      { root: (name, span) => { throw new EvalError(`Variables may not be used in a tfvars file ("${name}")`, span); } },
      { onError: (message, span) => this.report(message, span) },
    );
    for (const file of files) {
      this.currentPath = file.path;
      if (file.json) {
        const text = this.sourceText(file);
        try {
          const json = JSON.parse(text) as unknown;
          if (json && typeof json === 'object' && !Array.isArray(json)) {
            for (const [name, value] of Object.entries(json)) this.tfvars.set(name, { value: fromJson(value), path: file.path });
          }
        } catch {
          // The parse error is already in file.parsed.errors.
        }
        continue;
      }
      for (const item of file.parsed.model.body.items) {
        if (item.kind === 'attribute') this.tfvars.set(item.name, { value: constants.evaluate(item.expr), path: file.path });
      }
    }
  }

  private sourceText(file: ModuleFile): string {
    return this.texts.get(file.path) ?? '';
  }

  // ---- names

  private root(name: string, span: Span): Value | Namespace {
    switch (name) {
      case 'var':
        return new Namespace('var', (key, at) => {
          if (!this.variables.has(key) && this.options.inputs?.(key) === undefined) return this.undeclared(`No variable named "${key}" is declared`, at);
          return this.variable(key);
        });
      case 'local':
        return new Namespace('local', (key, at) => {
          if (!this.locals.has(key)) return this.undeclared(`No local value named "${key}" is declared`, at);
          return this.local(key);
        });
      case 'data':
        return new Namespace('data', (type) => new Namespace(`data.${type}`, (n, at) => this.reference(`data.${type}.${n}`, at)));
      case 'module':
        return new Namespace('module', (n, at) => this.moduleNamespace(n, at));
      case 'count':
        return newObject([['index', new Unknown('count.index')]]);
      case 'each':
        return newObject([['key', new Unknown('each.key')], ['value', new Unknown('each.value')]]);
      case 'self':
        return new Unknown('self');
      case 'path':
        return newObject([['module', new Unknown('path.module')], ['root', new Unknown('path.root')], ['cwd', new Unknown('path.cwd')]]);
      case 'terraform':
        return newObject([['workspace', new Unknown('terraform.workspace')]]);
    }
    if (this.resources.some((r) => r.mode === 'managed' && r.type === name)) {
      return new Namespace(name, (n, at) => this.reference(`${name}.${n}`, at));
    }
    // Most likely a resource declared in a file we were not given: unknown, and said so.
    return new Namespace(name, (n, at) => this.reference(`${name}.${n}`, at), {
      asValue: () => this.undeclared(`Unknown name "${name}": no such variable, resource or value`, span),
    });
  }

  private reference(address: string, span: Span): Value {
    const target = this.byAddress.get(address);
    if (!target) return this.undeclared(`Reference to undeclared ${address}`, span);
    return new Reference(target, []);
  }

  /** A name that is not declared: Terraform would refuse it; we report it and carry on with an Unknown. */
  private undeclared(message: string, span: Span): Unknown {
    this.report(message, span);
    return new Unknown(message);
  }

  private moduleNamespace(name: string, span: Span): Value | Namespace {
    const call = this.moduleCalls.find((c) => c.name === name);
    if (!call) return this.undeclared(`No module call named "${name}"`, span);
    const child = this.module(call);
    if (!child) return new Unknown(`output of module.${name} (${call.local ? 'module not available' : 'remote source'})`);
    const repeated = call.block.body.items.some((i) => i.kind === 'attribute' && (i.name === 'count' || i.name === 'for_each'));
    const namespace: Namespace = new Namespace(
      `module.${name}`,
      (output, at) => {
        if (!child.outputs.has(output)) return this.undeclared(`module.${name} has no output "${output}"`, at);
        return child.output(output);
      },
      {
        // Repeated modules: one instance with an unknown key; the whole module is an object of outputs.
        index: repeated ? () => namespace : undefined,
        asValue: () => (repeated ? new Unknown(`all instances of module.${name}`) : newObject([...child.outputs.keys()].map((o) => [o, child.output(o)]))),
      },
    );
    return namespace;
  }

  // ---- values

  /** A variable's value: the caller's input, else tfvars, else the default, else Unknown. */
  variable(name: string): Value {
    return this.memoized(`var.${name}`, () => {
      const def = this.variables.get(name);
      const typeAttr = def && findAttribute(def.block.body, 'type');
      const typed = (value: Value): Value =>
        def && typeAttr ? convert(value, parseType(typeAttr.expr), (expr) => this.evaluateIn(def.path, expr)) : value;
      const input = this.options.inputs?.(name);
      if (input !== undefined) return typed(input);
      const fromFile = this.tfvars.get(name);
      if (fromFile) return typed(fromFile.value);
      const defaultAttr = def && findAttribute(def.block.body, 'default');
      if (!def || !defaultAttr) return new Unknown(`var.${name} has no value`);
      return typed(this.evaluateIn(def.path, defaultAttr.expr));
    });
  }

  local(name: string): Value {
    const def = this.locals.get(name);
    if (!def) return new Unknown(`local.${name} is not declared`);
    return this.memoized(`local.${name}`, () => this.evaluateIn(def.path, def.attribute.expr), def);
  }

  output(name: string): Value {
    const def = this.outputs.get(name);
    const value = def && findAttribute(def.block.body, 'value');
    if (!def || !value) return new Unknown(`output ${name} has no value`);
    return this.memoized(`output.${name}`, () => this.evaluateIn(def.path, value.expr));
  }

  private memoized(key: string, compute: () => Value, local?: LocalDef): Value {
    const cached = this.memo.get(key);
    if (cached !== undefined) return cached;
    if (this.inProgress.has(key)) {
      const span = local?.attribute.nameSpan ?? { start: 0, end: 0 };
      this.diagnostics.push({ path: local?.path ?? this.currentPath, message: `${key} refers to itself (a cycle)`, span });
      const cycle = new Unknown(`${key} is part of a cycle`);
      this.memo.set(key, cycle);
      return cycle;
    }
    this.inProgress.add(key);
    try {
      const value = compute();
      if (!this.memo.has(key)) this.memo.set(key, value);
      return this.memo.get(key)!;
    } finally {
      this.inProgress.delete(key);
    }
  }

  private evaluateIn(path: string, expr: Expression, scope?: Scope): Value {
    const previous = this.currentPath;
    this.currentPath = path;
    try {
      return this.evaluator.evaluate(expr, scope);
    } finally {
      this.currentPath = previous;
    }
  }

  private report(message: string, span: Span): void {
    this.diagnostics.push({ path: this.currentPath, message, span });
  }

  /** Evaluates any expression of this module (for a resource's body, pass `scopeOf(resource)`). */
  evaluate(expr: Expression, scope?: Scope, path?: string): Value {
    return this.evaluateIn(path ?? this.currentPath, expr, scope);
  }

  /** `count.index`, `each.key`, `each.value` of a repeated resource: one instance with unknown index. */
  scopeOf(resource: ResourceDef | ModuleCall): Scope | undefined {
    return childScope(undefined, {
      count: newObject([['index', new Unknown(`count.index of ${'address' in resource ? resource.address : `module.${resource.name}`}`)]]),
      each: newObject([['key', new Unknown('each.key')], ['value', new Unknown('each.value')]]),
      self: new Unknown('self'),
    });
  }

  /** Whether the resource (or module call) is created: false when `count` is 0 or `for_each` empty. */
  enabled(resource: ResourceDef | ModuleCall): boolean | Unknown {
    const path = resource.path;
    const count = findAttribute(resource.block.body, 'count');
    if (count) {
      const n = this.evaluateIn(path, count.expr);
      return n instanceof Unknown ? n : typeof n === 'number' ? n > 0 : n === null ? true : new Unknown('count is not a number');
    }
    const forEach = findAttribute(resource.block.body, 'for_each');
    if (forEach) {
      const c = this.evaluateIn(path, forEach.expr);
      if (c instanceof Unknown) return c;
      if (Array.isArray(c)) return c.length > 0;
      if (isObject(c)) return Object.keys(c).length > 0;
      return new Unknown('for_each is not a collection');
    }
    return true;
  }

  resource(address: string): ResourceDef | undefined {
    return this.byAddress.get(address);
  }

  resourcesOfType(type: string, mode: 'managed' | 'data' = 'managed'): ResourceDef[] {
    return this.byType.get(`${mode}:${type}`) ?? [];
  }

  /** The resource's body, evaluated, with `dynamic` blocks expanded. */
  body(resource: ResourceDef): EvaluatedBody {
    let body = this.bodies.get(resource.block);
    if (!body && !this.own.has(resource)) {
      // A resource of a child module (reached through one of its outputs): its own module evaluates it.
      const owner = this.ownerOf(resource, 0);
      return owner ? owner.body(resource) : { attributes: new Map(), blocks: [] };
    }
    if (!body) {
      body = this.evaluateBody(resource.block.body, this.scopeOf(resource), resource.path, 0, RESOURCE_META);
      this.bodies.set(resource.block, body);
    }
    return body;
  }

  private ownerOf(resource: ResourceDef, depth: number): HclModule | undefined {
    if (this.own.has(resource)) return this;
    if (depth > 10) return undefined;
    for (const child of this.children.values()) {
      const owner = child?.ownerOf(resource, depth + 1);
      if (owner) return owner;
    }
    return undefined;
  }

  /** The value of a resource attribute (dotted path through nested blocks: "versioning.enabled"). */
  attribute(resource: ResourceDef, path: string): Value | undefined {
    const steps = path.split('.');
    let body = this.body(resource);
    for (let i = 0; i < steps.length - 1; i++) {
      const next = body.blocks.find((b) => b.type === steps[i]);
      if (!next) return undefined;
      body = next.body;
    }
    return body.attributes.get(steps[steps.length - 1])?.value;
  }

  /** What a reference points at, when the configuration sets it (`aws_s3_bucket.b.bucket`); else the reference. */
  resolve(ref: Reference): Value {
    const [first, ...rest] = ref.path;
    if (typeof first !== 'string') return ref;
    const attr = this.body(ref.target).attributes.get(first);
    if (!attr) return ref;
    let value: Value = attr.value;
    for (const step of rest) {
      if (value instanceof Unknown) return value;
      if (Array.isArray(value) && typeof step === 'number') value = value[step] ?? new Unknown('index out of range');
      else if (isObject(value) && typeof step === 'string' && step in value) value = value[step];
      else return ref;
    }
    return value;
  }

  /** Resources (optionally of one type) with an attribute that refers to `target`. */
  referrers(target: ResourceDef, type?: string): { resource: ResourceDef; attribute: string }[] {
    if (!this.referrersOf) {
      // One pass over every body: each resource is listed once per target, at its first attribute naming it.
      const index = new Map<ResourceDef, { resource: ResourceDef; attribute: string }[]>();
      for (const resource of this.resources) {
        const seen = new Set<ResourceDef>();
        for (const [name, attr] of this.body(resource).attributes) {
          for (const mentioned of mentionedTargets(attr.value)) {
            if (mentioned === resource || seen.has(mentioned)) continue;
            seen.add(mentioned);
            const list = index.get(mentioned);
            if (list) list.push({ resource, attribute: name });
            else index.set(mentioned, [{ resource, attribute: name }]);
          }
        }
      }
      this.referrersOf = index;
    }
    const all = this.referrersOf.get(target) ?? [];
    return type ? all.filter((r) => r.resource.type === type) : all;
  }

  /** `unevaluated`: meta-arguments that name things rather than compute values (`depends_on`, `ignore_changes`). */
  private evaluateBody(body: Body, scope: Scope | undefined, path: string, depth: number, unevaluated?: ReadonlySet<string>): EvaluatedBody {
    const out: EvaluatedBody = { attributes: new Map(), blocks: [] };
    for (const item of body.items) {
      if (item.kind === 'attribute') {
        const value = unevaluated?.has(item.name) ? new Unknown(`${item.name} is a meta-argument`) : this.evaluateIn(path, item.expr, scope);
        out.attributes.set(item.name, { name: item.name, attribute: item, value });
      } else if (item.type === 'dynamic' && item.labels.length === 1 && depth < 50) {
        out.blocks.push(...this.expandDynamic(item, scope, path, depth));
      } else if (depth < 50) {
        const inner = depth === 0 && item.type === 'lifecycle' ? LIFECYCLE_META : undefined;
        out.blocks.push({ type: item.type, labels: item.labels.map((l) => l.value), block: item, body: this.evaluateBody(item.body, scope, path, depth + 1, inner) });
      }
    }
    return out;
  }

  private expandDynamic(dynamic: Block, scope: Scope | undefined, path: string, depth: number): EvaluatedBlock[] {
    const type = dynamic.labels[0].value;
    const content = dynamic.body.items.find((i): i is Block => i.kind === 'block' && i.type === 'content');
    if (!content) return [];
    const iteratorAttr = findAttribute(dynamic.body, 'iterator');
    const iterator = iteratorAttr?.expr.kind === 'variable' ? iteratorAttr.expr.name : type;
    const forEach = findAttribute(dynamic.body, 'for_each');
    const collection = forEach ? this.evaluateIn(path, forEach.expr, scope) : new Unknown('dynamic block without for_each');
    let items: [Value, Value][];
    if (Array.isArray(collection)) items = collection.map((v, i) => [i, v]);
    else if (isObject(collection)) items = Object.keys(collection).sort().map((k) => [k, collection[k]]);
    else {
      const unknown = collection instanceof Unknown ? collection : unknownFrom('for_each is not a collection');
      items = [[unknownFrom(`${iterator}.key`, unknown), unknownFrom(`${iterator}.value`, unknown)]];
    }
    return items.slice(0, MAX_DYNAMIC).map(([key, value]) => ({
      type,
      labels: [],
      block: content,
      dynamic,
      body: this.evaluateBody(content.body, childScope(scope, { [iterator]: newObject([['key', key], ['value', value]]) }), path, depth + 1),
    }));
  }

  // ---- child modules

  /** The local module a `module` block calls, parsed as its own module; undefined for remote sources. */
  module(call: ModuleCall): HclModule | undefined {
    if (this.children.has(call.name)) return this.children.get(call.name);
    let child: HclModule | undefined;
    const depthLeft = this.options.maxModuleDepth ?? 8;
    if (call.local && call.source !== undefined && depthLeft > 0) {
      const dir = normalize(`${this.dir}/${call.source}`);
      const files = this.options.folders?.[dir] ?? this.options.loadFolder?.(dir);
      if (files && files.length) {
        const scope = this.scopeOf(call);
        child = new HclModule(files.filter((f) => /\.tf(\.json)?$/i.test(f.path)), {
          dir,
          loadFolder: this.options.loadFolder,
          folders: this.options.folders,
          maxModuleDepth: depthLeft - 1,
          inputs: (name) => {
            if (META_ARGUMENTS.has(name)) return undefined;
            const attr = findAttribute(call.block.body, name);
            return attr ? this.memoized(`module.${call.name}.${name}`, () => this.evaluateIn(call.path, attr.expr, scope)) : undefined;
          },
        });
      }
    }
    this.children.set(call.name, child);
    return child;
  }

  /** Parse errors of every file, with their paths. */
  get parseErrors(): EvalDiagnostic[] {
    return this.files.flatMap((f) => f.parsed.errors.map((e) => ({ path: f.path, ...e })));
  }
}

/** Every resource a value refers to, however deep inside lists, objects or decoded JSON. */
function mentionedTargets(value: Value, out = new Set<ResourceDef>(), depth = 0): Set<ResourceDef> {
  if (depth > 50) return out;
  if (value instanceof Unknown) {
    for (const ref of value.refs) out.add(ref.target);
    if (value.json !== undefined) mentionedTargets(value.json, out, depth + 1);
  } else if (Array.isArray(value)) for (const v of value) mentionedTargets(v, out, depth + 1);
  else if (isObject(value)) for (const v of Object.values(value)) mentionedTargets(v, out, depth + 1);
  return out;
}

export function findAttribute(body: Body, name: string): Attribute | undefined {
  for (const item of body.items) if (item.kind === 'attribute' && item.name === name) return item;
  return undefined;
}
