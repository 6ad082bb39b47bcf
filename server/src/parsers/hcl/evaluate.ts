// Expression evaluation over the HCL model. Names at the root of a traversal (`var`, `local`,
// `aws_s3_bucket`, …) are resolved by the caller through a RootResolver; everything else —
// templates, operators, conditionals, for-expressions, splats, function calls — is here.
// Internally type errors throw EvalError (so `try`/`can` work); `evaluate` never throws.
import type { Span } from '../../core/span';
import type { Expression, ObjectItem, TemplatePart } from './ast';
import { FUNCTIONS, equals, toBool, toNum, toStr } from './functions';
import {
  EvalError, Reference, Unknown, containsUnknown, isObject, newObject, templateHole, unknownFrom,
  type ObjectValue, type Value,
} from './values';

/** A name that is not a value itself but has members: `var`, `local`, `data`, `aws_s3_bucket`. */
export class Namespace {
  constructor(
    readonly name: string,
    readonly member: (key: string, span: Span) => Value | Namespace,
    readonly hooks: {
      /** The namespace used as a value (`module.x` as a whole); by default an error. */
      asValue?: () => Value;
      /** `module.x[0]`: by default the key names a member. */
      index?: (key: Value, span: Span) => Value | Namespace;
    } = {},
  ) {}
}

type Val = Value | Namespace;

/** Variables bound by for-expressions, `dynamic` iterators, `count` and `each`. */
export interface Scope {
  readonly vars: ReadonlyMap<string, Value>;
  readonly parent?: Scope;
}

export function childScope(parent: Scope | undefined, vars: Record<string, Value>): Scope {
  return { vars: new Map(Object.entries(vars)), parent };
}

export interface RootResolver {
  /** The value of a root name not bound in scope; throw EvalError for a name that does not exist. */
  root(name: string, span: Span): Val;
}

export interface EvaluatorOptions {
  /** Called for each evaluation error that `evaluate` turns into an Unknown. */
  onError?(message: string, span: Span): void;
}

const MAX_FOR_ITEMS = 10_000;

export class ExpressionEvaluator {
  private readonly splatItems: Value[] = [];

  constructor(
    private readonly resolver: RootResolver,
    private readonly options: EvaluatorOptions = {},
  ) {}

  /** The expression's value; errors and anything not knowable come back as an Unknown. */
  evaluate(expr: Expression, scope?: Scope): Value {
    try {
      return this.known(this.eval(expr, scope), expr.span);
    } catch (error) {
      const message = error instanceof EvalError ? error.message : error instanceof RangeError ? 'Expression is nested too deeply' : `Internal evaluator error: ${String(error)}`;
      const span = error instanceof EvalError && error.span ? error.span : expr.span;
      this.options.onError?.(message, span);
      return new Unknown(message);
    }
  }

  private known(value: Val, span: Span): Value {
    if (value instanceof Namespace) {
      if (value.hooks.asValue) return value.hooks.asValue();
      throw new EvalError(`"${value.name}" is not a value by itself`, span);
    }
    return value;
  }

  private value(expr: Expression, scope: Scope | undefined): Value {
    return this.known(this.eval(expr, scope), expr.span);
  }

  private eval(expr: Expression, scope: Scope | undefined): Val {
    switch (expr.kind) {
      case 'literal':
        return expr.value;
      case 'template':
        return this.template(expr.parts, scope, expr.heredoc === undefined);
      case 'variable': {
        for (let s = scope; s; s = s.parent) if (s.vars.has(expr.name)) return s.vars.get(expr.name)!;
        return this.resolver.root(expr.name, expr.span);
      }
      case 'getattr':
        return this.getAttr(this.eval(expr.object, scope), expr.name, expr.nameSpan);
      case 'index':
        return this.index(this.eval(expr.collection, scope), this.value(expr.key, scope), expr.key.span);
      case 'splat':
        return this.splat(expr, scope);
      case 'splatItem':
        return this.splatItems.length ? this.splatItems[this.splatItems.length - 1] : new Unknown('splat item');
      case 'call':
        return this.call(expr, scope);
      case 'tuple':
        return expr.items.map((item) => this.value(item, scope));
      case 'object':
        return this.object(expr.items, scope);
      case 'for':
        return this.forExpr(expr, scope);
      case 'conditional': {
        const condition = this.value(expr.condition, scope);
        if (condition instanceof Unknown) return unknownFrom('condition is unknown', condition);
        return this.value(toBool(condition) ? expr.trueExpr : expr.falseExpr, scope);
      }
      case 'unary': {
        const operand = this.value(expr.operand, scope);
        if (operand instanceof Unknown) return unknownFrom(`${expr.op} of an unknown value`, operand);
        return expr.op === '-' ? -toNum(operand) : !toBool(operand);
      }
      case 'binary':
        return this.binary(expr.op, this.value(expr.left, scope), this.value(expr.right, scope), expr.span);
      case 'parens':
        return this.eval(expr.expr, scope);
      case 'invalid':
        return new Unknown('invalid expression');
    }
  }

  getAttr(target: Val, name: string, span: Span): Val {
    if (target instanceof Namespace) return target.member(name, span);
    if (target instanceof Reference) return new Reference(target.target, [...target.path, name]);
    if (target instanceof Unknown) return target;
    if (isObject(target)) {
      if (Object.prototype.hasOwnProperty.call(target, name)) return target[name];
      throw new EvalError(`This object has no attribute "${name}"`, span);
    }
    throw new EvalError(`Cannot read attribute "${name}" of a ${target === null ? 'null' : Array.isArray(target) ? 'list' : typeof target} value`, span);
  }

  index(target: Val, key: Value, span: Span): Val {
    if (target instanceof Namespace) {
      if (target.hooks.index) return target.hooks.index(key, span);
      if (key instanceof Unknown) return unknownFrom(`index into ${target.name} is unknown`, key);
      return target.member(toStr(key), span);
    }
    if (target instanceof Reference) {
      // `aws_instance.web[0].id`: the index picks an instance, which we do not tell apart.
      if (target.path.length === 0 && target.target.repetition) return target;
      if (key instanceof Unknown) return target;
      return new Reference(target.target, [...target.path, typeof key === 'number' ? key : toStr(key)]);
    }
    if (target instanceof Unknown) return target;
    if (key instanceof Unknown) return unknownFrom('index is unknown', key, target);
    if (Array.isArray(target)) {
      const i = toNum(key);
      if (!Number.isInteger(i) || i < 0 || i >= target.length) throw new EvalError(`Index ${i} is out of range for a list of ${target.length}`, span);
      return target[i];
    }
    if (isObject(target)) {
      const k = toStr(key);
      if (Object.prototype.hasOwnProperty.call(target, k)) return target[k];
      throw new EvalError(`This map has no element "${k}"`, span);
    }
    throw new EvalError(`Cannot index a ${target === null ? 'null' : typeof target} value`, span);
  }

  private splat(expr: Extract<Expression, { kind: 'splat' }>, scope: Scope | undefined): Val {
    const source = this.eval(expr.source, scope);
    const each = (item: Val): Val => {
      if (!expr.each) return item;
      this.splatItems.push(item as Value);
      try {
        return this.eval(expr.each, scope);
      } finally {
        this.splatItems.pop();
      }
    };
    if (source instanceof Namespace) return each(this.known(source, expr.source.span));
    if (source instanceof Unknown) return each(source);
    if (source === null) return [];
    if (Array.isArray(source)) return source.map((item) => this.known(each(item), expr.span));
    return [this.known(each(source), expr.span)];
  }

  private template(parts: TemplatePart[], scope: Scope | undefined, quoted: boolean): Value {
    // "${x}" is x itself, not x converted to a string.
    if (quoted && parts.length === 1 && parts[0].kind === 'interpolation') return this.value(parts[0].expr, scope);
    const holes: Unknown[] = [];
    const text = this.render(parts, scope, holes);
    if (holes.length === 0) return text;
    const unknown = unknownFrom('template with unknown parts', ...holes);
    unknown.template = { text, holes };
    return unknown;
  }

  private render(parts: TemplatePart[], scope: Scope | undefined, holes: Unknown[]): string {
    let out = '';
    for (const part of parts) {
      if (part.kind === 'literal') out += part.value;
      else if (part.kind === 'interpolation') {
        const value = this.value(part.expr, scope);
        if (value instanceof Unknown) {
          out += templateHole(holes.length);
          holes.push(value);
        } else if (value === null) throw new EvalError('Cannot interpolate a null value', part.expr.span);
        else out += toStr(value);
      } else if (part.kind === 'if') {
        const condition = this.value(part.condition, scope);
        if (condition instanceof Unknown) {
          out += templateHole(holes.length);
          holes.push(condition);
        } else out += this.render(toBool(condition) ? part.then : part.else ?? [], scope, holes);
      } else {
        const collection = this.value(part.collection, scope);
        if (collection instanceof Unknown) {
          out += templateHole(holes.length);
          holes.push(collection);
          continue;
        }
        for (const [key, value] of entries(collection, part.collection.span)) {
          const vars: Record<string, Value> = { [part.valueVar]: value };
          if (part.keyVar) vars[part.keyVar] = key;
          out += this.render(part.body, childScope(scope, vars), holes);
        }
      }
    }
    return out;
  }

  private object(items: ObjectItem[], scope: Scope | undefined): Value {
    const out = newObject();
    let unknownKey: Unknown | undefined;
    for (const item of items) {
      const key = item.key.kind === 'variable' ? item.key.name : this.value(item.key, scope);
      if (key instanceof Unknown) {
        unknownKey = unknownFrom('object key is unknown', key, unknownKey ?? null);
        continue;
      }
      out[toStr(key)] = this.value(item.value, scope);
    }
    return unknownKey ?? out;
  }

  private forExpr(expr: Extract<Expression, { kind: 'for' }>, scope: Scope | undefined): Value {
    const collection = this.value(expr.collection, scope);
    if (collection instanceof Unknown) return unknownFrom('for over an unknown collection', collection);
    const tuple: Value[] = [];
    const object = newObject();
    const groups = new Map<string, Value[]>();
    for (const [key, value] of entries(collection, expr.collection.span)) {
      const vars: Record<string, Value> = { [expr.valueVar]: value };
      if (expr.keyVar) vars[expr.keyVar] = key;
      const inner = childScope(scope, vars);
      if (expr.condition) {
        const keep = this.value(expr.condition, inner);
        if (keep instanceof Unknown) return unknownFrom('for condition is unknown', keep);
        if (!toBool(keep)) continue;
      }
      const result = this.value(expr.valueExpr, inner);
      if (!expr.keyExpr) {
        tuple.push(result);
        continue;
      }
      const k = this.value(expr.keyExpr, inner);
      if (k instanceof Unknown) return unknownFrom('for key is unknown', k);
      const name = toStr(k);
      if (expr.grouping) {
        const group = groups.get(name) ?? [];
        group.push(result);
        groups.set(name, group);
      } else {
        if (Object.prototype.hasOwnProperty.call(object, name)) throw new EvalError(`Duplicate key "${name}" in the for expression`, expr.keyExpr.span);
        object[name] = result;
      }
    }
    if (!expr.keyExpr) return tuple;
    if (expr.grouping) for (const [k, v] of groups) object[k] = v;
    return object;
  }

  private binary(op: string, left: Value, right: Value, span: Span): Value {
    if (op === '&&' || op === '||') {
      const l = left instanceof Unknown ? left : toBool(left);
      const r = right instanceof Unknown ? right : toBool(right);
      if (op === '&&' && (l === false || r === false)) return false;
      if (op === '||' && (l === true || r === true)) return true;
      if (l instanceof Unknown || r instanceof Unknown) return unknownFrom(`${op} with an unknown operand`, l, r);
      return op === '&&' ? l && r : l || r;
    }
    if (op === '==' || op === '!=') {
      const e = equals(left, right);
      if (e instanceof Unknown) return e;
      return op === '==' ? e : !e;
    }
    if (left instanceof Unknown || right instanceof Unknown) return unknownFrom(`${op} with an unknown operand`, left, right);
    const a = toNum(left);
    const b = toNum(right);
    switch (op) {
      case '<': return a < b;
      case '>': return a > b;
      case '<=': return a <= b;
      case '>=': return a >= b;
      case '+': return a + b;
      case '-': return a - b;
      case '*': return a * b;
      case '/':
        if (b === 0) throw new EvalError('Division by zero', span);
        return a / b;
      case '%':
        if (b === 0) throw new EvalError('Modulo by zero', span);
        return a % b;
      default:
        throw new EvalError(`Unknown operator ${op}`, span);
    }
  }

  private call(expr: Extract<Expression, { kind: 'call' }>, scope: Scope | undefined): Value {
    if (expr.namespace.length) return new Unknown(`provider function ${expr.namespace.join('::')}::${expr.name} is not evaluated`);
    if (expr.name === 'try') return this.tryCall(expr, scope);
    if (expr.name === 'can') return this.canCall(expr, scope);
    const fn = FUNCTIONS[expr.name];
    let args = expr.args.map((arg) => this.value(arg, scope));
    if (expr.expandFinal && args.length) {
      const last = args[args.length - 1];
      if (last instanceof Unknown) return unknownFrom(`${expr.name} of an unknown expansion`, last);
      if (!Array.isArray(last)) throw new EvalError('Only a list can be expanded with `...`', expr.args[expr.args.length - 1].span);
      args = [...args.slice(0, -1), ...last];
    }
    if (!fn) return unknownFrom(`function ${expr.name} is not evaluated`, ...args);
    if (args.length < (fn.minArgs ?? 0)) throw new EvalError(`${expr.name} expects at least ${fn.minArgs} arguments`, expr.span);
    if (args.length > (fn.maxArgs ?? Infinity)) throw new EvalError(`${expr.name} expects at most ${fn.maxArgs} arguments`, expr.span);
    if (!fn.unknownAware) {
      const unknown = args.some((a) => a instanceof Unknown) || (!fn.structural && args.some((a) => containsUnknown(a)));
      if (unknown) return unknownFrom(`${expr.name} of an unknown value`, ...args.flatMap((a) => collectUnknowns(a)));
    }
    try {
      return fn.impl(args);
    } catch (error) {
      if (error instanceof EvalError && !error.span) throw new EvalError(error.message, expr.span);
      throw error;
    }
  }

  private tryCall(expr: Extract<Expression, { kind: 'call' }>, scope: Scope | undefined): Value {
    const messages: string[] = [];
    for (const arg of expr.args) {
      try {
        return this.value(arg, scope);
      } catch (error) {
        if (!(error instanceof EvalError)) throw error;
        messages.push(error.message);
      }
    }
    throw new EvalError(`try: no argument could be evaluated (${messages.join('; ')})`, expr.span);
  }

  private canCall(expr: Extract<Expression, { kind: 'call' }>, scope: Scope | undefined): Value {
    if (expr.args.length !== 1) throw new EvalError('can expects one argument', expr.span);
    try {
      const value = this.value(expr.args[0], scope);
      return value instanceof Unknown ? unknownFrom('can of an unknown value', value) : true;
    } catch (error) {
      if (!(error instanceof EvalError)) throw error;
      return false;
    }
  }
}

function collectUnknowns(value: Value, out: Unknown[] = [], depth = 0): Unknown[] {
  if (value instanceof Unknown) out.push(value);
  else if (depth < 100 && Array.isArray(value)) for (const v of value) collectUnknowns(v, out, depth + 1);
  else if (depth < 100 && isObject(value)) for (const v of Object.values(value)) collectUnknowns(v, out, depth + 1);
  return out;
}

/** (key, value) pairs of a list (index keys) or a map (keys in lexical order, as Terraform iterates). */
function entries(collection: Value, span: Span): [Value, Value][] {
  let out: [Value, Value][];
  if (Array.isArray(collection)) out = collection.map((v, i) => [i, v]);
  else if (isObject(collection)) out = Object.keys(collection).sort().map((k) => [k, (collection as ObjectValue)[k]]);
  else throw new EvalError(`Cannot iterate over a ${collection === null ? 'null' : typeof collection} value`, span);
  if (out.length > MAX_FOR_ITEMS) throw new EvalError(`More than ${MAX_FOR_ITEMS} elements to iterate`, span);
  return out;
}
