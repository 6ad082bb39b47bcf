// The JSON syntax (`.tf.json`, `.tfvars.json`) mapped onto the same model as the native syntax,
// with positions taken from the JSON text. JSON cannot tell a nested block from an object-valued
// attribute; like Terraform we use what we know of the schema: the top-level block types and their
// label counts, the meta-blocks, and for resource bodies "an object (or list of objects) is a block"
// unless the name is one of the well-known map attributes.
import type { ParseError, Span } from '../../core/span';
import type { Attribute, Block, Body, BodyItem, Comment, Expression, HclFile, Label, ObjectItem } from './ast';
import { parseBareTemplate } from './parser';

type JsonNode =
  | { kind: 'object'; members: JsonMember[]; span: Span }
  | { kind: 'array'; items: JsonNode[]; span: Span }
  | { kind: 'string'; value: string; raw: boolean; span: Span }
  | { kind: 'number'; value: number; span: Span }
  | { kind: 'literal'; value: boolean | null; span: Span }
  | { kind: 'invalid'; span: Span };

interface JsonMember {
  key: string;
  keySpan: Span;
  value: JsonNode;
  span: Span;
}

const MAX_DEPTH = 100;

/** Label counts of Terraform's top-level blocks. */
const TOP_LEVEL_LABELS: Record<string, number> = {
  resource: 2, data: 2, module: 1, variable: 1, output: 1, provider: 1, locals: 0, terraform: 0, moved: 0,
  import: 0, check: 1, removed: 0, ephemeral: 2,
};

/** Nested blocks with labels, wherever they appear. */
const NESTED_LABELS: Record<string, number> = { dynamic: 1, provisioner: 1, backend: 1, cloud: 0 };

/** Block types whose bodies hold only attributes (their object values are maps). */
const ATTRIBUTE_BODIES = new Set(['locals', 'variable', 'output', 'module', 'required_providers']);

/** Object-valued attributes commonly met in resources; everything else object-valued is a block. */
const MAP_ATTRIBUTES = new Set([
  'tags', 'tags_all', 'labels', 'default_tags_map', 'variables', 'environment_variables', 'parameters', 'triggers',
  'metadata_startup', 'annotations', 'data', 'binary_data', 'string_data', 'node_selector', 'providers',
  'resource_labels', 'user_labels', 'environment', 'settings', 'attributes', 'map', 'values', 'default',
]);

export function parseJsonHcl(text: string): { file: HclFile; errors: ParseError[] } {
  const reader = new JsonReader(text);
  const root = reader.document();
  const errors = reader.errors;
  const comments: Comment[] = [];
  const mapper = new Mapper(text, errors, comments);
  let body: Body = { items: [], span: { start: 0, end: text.length } };
  if (root.kind === 'object') body = mapper.body(root, null, { start: 0, end: text.length });
  else if (root.kind !== 'invalid') errors.push({ message: 'A Terraform JSON file must hold an object', span: root.span });
  return { file: { body, comments, span: { start: 0, end: text.length } }, errors };
}

class Mapper {
  constructor(
    private readonly text: string,
    private readonly errors: ParseError[],
    private readonly comments: Comment[],
  ) {}

  /** `blockType` is the type of the block whose body this is; null at the top level. */
  body(node: Extract<JsonNode, { kind: 'object' }>, blockType: string | null, span: Span): Body {
    const items: BodyItem[] = [];
    for (const member of node.members) {
      if (member.key === '//') {
        this.comments.push({ style: '//', text: member.value.kind === 'string' ? member.value.value : '', span: member.span });
        continue;
      }
      const labels = blockType === null ? TOP_LEVEL_LABELS[member.key] : NESTED_LABELS[member.key];
      const isBlock =
        labels !== undefined ||
        (blockType !== null && !ATTRIBUTE_BODIES.has(blockType) && !MAP_ATTRIBUTES.has(member.key) && isBlockShaped(member.value));
      if (isBlock && (member.value.kind === 'object' || member.value.kind === 'array')) {
        this.blocks(member, member.value, labels ?? 0, [], items);
      } else items.push(this.attribute(member));
    }
    return { items, span };
  }

  private blocks(member: JsonMember, value: JsonNode, labelCount: number, labels: Label[], out: BodyItem[]): void {
    if (value.kind === 'array') {
      for (const item of value.items) this.blocks(member, item, labelCount, labels, out);
      return;
    }
    if (value.kind !== 'object') {
      this.errors.push({ message: `Expected an object for the "${member.key}" block`, span: value.span });
      return;
    }
    if (labels.length < labelCount) {
      for (const inner of value.members) {
        if (inner.key === '//') continue;
        const label: Label = { value: inner.key, span: inner.keySpan, quoted: true };
        this.blocks(member, inner.value, labelCount, [...labels, label], out);
      }
      return;
    }
    const start = labels.length ? labels[0].span.start : member.keySpan.start;
    const bodySpan = { start: value.span.start + 1, end: Math.max(value.span.start + 1, value.span.end - 1) };
    const block: Block = {
      kind: 'block',
      type: member.key,
      typeSpan: member.keySpan,
      labels,
      body: this.body(value, member.key, bodySpan),
      openBraceSpan: { start: value.span.start, end: value.span.start + 1 },
      closeBraceSpan: { start: value.span.end - 1, end: value.span.end },
      span: { start: Math.min(start, member.keySpan.start), end: value.span.end },
    };
    out.push(block);
  }

  private attribute(member: JsonMember): Attribute {
    const expr = this.expression(member.value);
    return { kind: 'attribute', name: member.key, nameSpan: member.keySpan, expr, valueSpan: expr.span, span: member.span };
  }

  expression(node: JsonNode): Expression {
    switch (node.kind) {
      case 'number':
        return { kind: 'literal', value: node.value, span: node.span };
      case 'literal':
        return { kind: 'literal', value: node.value, span: node.span };
      case 'string':
        return this.template(node);
      case 'array':
        return { kind: 'tuple', items: node.items.map((item) => this.expression(item)), span: node.span };
      case 'object': {
        const items: ObjectItem[] = node.members.map((m) => ({
          key: this.template({ kind: 'string', value: m.key, raw: true, span: m.keySpan }),
          value: this.expression(m.value),
          separator: ':',
          span: m.span,
        }));
        return { kind: 'object', items, span: node.span };
      }
      default:
        return { kind: 'invalid', span: node.span };
    }
  }

  /** A JSON string is an HCL template. Without escapes its parts keep exact positions. */
  private template(node: Extract<JsonNode, { kind: 'string' }>): Expression {
    const inner = { start: node.span.start + 1, end: Math.max(node.span.start + 1, node.span.end - 1) };
    if (!node.value.includes('${') && !node.value.includes('%{')) {
      return { kind: 'template', parts: node.value ? [{ kind: 'literal', value: node.value, span: inner }] : [], span: node.span };
    }
    if (node.raw) {
      const { expr, errors } = parseBareTemplate(this.text, inner.start, inner.end);
      this.errors.push(...errors);
      return { ...expr, span: node.span };
    }
    // Escapes shift positions: parse the decoded text and pin every range to the string.
    const { expr, errors } = parseBareTemplate(node.value, 0, node.value.length);
    for (const e of errors) this.errors.push({ message: e.message, span: node.span });
    pinSpans(expr, node.span);
    return { ...expr, span: node.span };
  }
}

function isBlockShaped(node: JsonNode): boolean {
  if (node.kind === 'object') return true;
  return node.kind === 'array' && node.items.length > 0 && node.items.every((i) => i.kind === 'object');
}

function pinSpans(value: unknown, span: Span, depth = 0): void {
  if (!value || typeof value !== 'object' || depth > 2 * MAX_DEPTH + 10) return;
  for (const [key, child] of Object.entries(value)) {
    if (child && typeof child === 'object' && 'start' in child && 'end' in child && /span$/i.test(key)) {
      (value as Record<string, Span>)[key] = { ...span };
    } else pinSpans(child, span, depth + 1);
  }
}

/** A tolerant JSON reader that keeps every value's range. */
class JsonReader {
  readonly errors: ParseError[] = [];
  private pos = 0;
  private depth = 0;

  constructor(private readonly text: string) {}

  document(): JsonNode {
    this.space();
    if (this.pos >= this.text.length) {
      this.errors.push({ message: 'The JSON document is empty', span: { start: 0, end: 0 } });
      return { kind: 'invalid', span: { start: 0, end: 0 } };
    }
    const node = this.value();
    this.space();
    if (this.pos < this.text.length) {
      this.errors.push({ message: 'Unexpected text after the JSON value', span: { start: this.pos, end: this.text.length } });
    }
    return node;
  }

  private space(): void {
    const text = this.text;
    for (;;) {
      const c = text.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13 || c === 0xfeff) this.pos++;
      else return;
    }
  }

  private fail(message: string, start: number, end = start + 1): JsonNode {
    this.errors.push({ message, span: { start, end: Math.min(end, this.text.length) } });
    return { kind: 'invalid', span: { start, end: Math.min(end, this.text.length) } };
  }

  private value(): JsonNode {
    this.space();
    const start = this.pos;
    const c = this.text[start];
    if (c === '{' || c === '[') {
      if (this.depth >= MAX_DEPTH) return this.skipNested(start);
      this.depth++;
      const node = c === '{' ? this.object() : this.array();
      this.depth--;
      return node;
    }
    if (c === '"') return this.string();
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(this.text.slice(start, start + 400));
    if (literal) {
      this.pos += literal[0].length;
      const span = { start, end: this.pos };
      const word = literal[0];
      if (word === 'true' || word === 'false') return { kind: 'literal', value: word === 'true', span };
      if (word === 'null') return { kind: 'literal', value: null, span };
      return { kind: 'number', value: Number(word), span };
    }
    if (start >= this.text.length) return this.fail('Unexpected end of the JSON document', start, start);
    this.pos++;
    return this.fail(`Unexpected character ${JSON.stringify(c)} in JSON`, start);
  }

  /** Too deep: report and skip to the matching bracket by counting. */
  private skipNested(start: number): JsonNode {
    let depth = 0;
    let inString = false;
    for (; this.pos < this.text.length; this.pos++) {
      const c = this.text[this.pos];
      if (inString) {
        if (c === '\\') this.pos++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) {
          this.pos++;
          break;
        }
      }
    }
    return this.fail('JSON is nested too deeply', start, this.pos);
  }

  private object(): JsonNode {
    const start = this.pos++;
    const members: JsonMember[] = [];
    for (;;) {
      this.space();
      const c = this.text[this.pos];
      if (c === '}') {
        this.pos++;
        break;
      }
      if (c === undefined) {
        this.fail('Unterminated JSON object: `}` is missing', start);
        break;
      }
      if (c !== '"') {
        this.fail('Expected a quoted key in the JSON object', this.pos);
        this.skipTo(',}');
        if (this.text[this.pos] === ',') this.pos++;
        continue;
      }
      const key = this.string() as Extract<JsonNode, { kind: 'string' }>;
      this.space();
      if (this.text[this.pos] === ':') this.pos++;
      else this.fail('Expected `:` after the JSON key', this.pos);
      const value = this.value();
      members.push({ key: key.value, keySpan: key.span, value, span: { start: key.span.start, end: value.span.end } });
      this.space();
      if (this.text[this.pos] === ',') this.pos++;
      else if (this.text[this.pos] !== '}') {
        this.fail('Expected `,` or `}` in the JSON object', this.pos);
        if (this.pos >= this.text.length) break;
        this.skipTo(',}');
        if (this.text[this.pos] === ',') this.pos++;
      }
    }
    return { kind: 'object', members, span: { start, end: this.pos } };
  }

  private array(): JsonNode {
    const start = this.pos++;
    const items: JsonNode[] = [];
    for (;;) {
      this.space();
      const c = this.text[this.pos];
      if (c === ']') {
        this.pos++;
        break;
      }
      if (c === undefined) {
        this.fail('Unterminated JSON array: `]` is missing', start);
        break;
      }
      const before = this.pos;
      items.push(this.value());
      this.space();
      if (this.text[this.pos] === ',') this.pos++;
      else if (this.text[this.pos] !== ']') {
        this.fail('Expected `,` or `]` in the JSON array', this.pos);
        if (this.pos >= this.text.length) break;
        if (this.pos === before) this.pos++;
      }
    }
    return { kind: 'array', items, span: { start, end: this.pos } };
  }

  private skipTo(chars: string): void {
    while (this.pos < this.text.length && !chars.includes(this.text[this.pos])) this.pos++;
  }

  private string(): JsonNode {
    const start = this.pos++;
    const text = this.text;
    let i = this.pos;
    let raw = true;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 34) break;
      if (c === 10 || c === 13) break;
      if (c === 92) {
        raw = false;
        i += 2;
        continue;
      }
      i++;
    }
    if (text.charCodeAt(i) !== 34) {
      this.pos = i;
      this.fail('Unterminated JSON string', start, i);
      return { kind: 'string', value: text.slice(start + 1, i), raw: true, span: { start, end: i } };
    }
    this.pos = i + 1;
    const body = text.slice(start + 1, i);
    let value = body;
    if (!raw) {
      try {
        value = JSON.parse(text.slice(start, i + 1)) as string;
      } catch {
        this.fail('Invalid escape in JSON string', start, i + 1);
      }
    }
    return { kind: 'string', value, raw, span: { start, end: i + 1 } };
  }
}
