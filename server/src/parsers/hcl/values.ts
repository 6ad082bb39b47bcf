// The values the evaluator produces. Known values are plain JavaScript data (strings, numbers,
// booleans, null, arrays for tuples/lists/sets, null-prototype objects for objects/maps), so a rule
// can read `policy.Statement[0].Effect` directly. What cannot be known is an `Unknown` — never a
// guess — and a reference to another block is a `Reference`, which is unknown but says what it is.
import type { Span } from '../../core/span';
import type { Block } from './ast';

export type Value = null | boolean | number | string | Value[] | ObjectValue | Unknown;

export interface ObjectValue {
  [key: string]: Value;
}

/** A resource or data source declared in a module. */
export interface ResourceDef {
  mode: 'managed' | 'data';
  type: string;
  name: string;
  /** `aws_s3_bucket.logs`, `data.aws_iam_policy_document.p`. */
  address: string;
  block: Block;
  /** The file (as given by the caller) that declares it. */
  path: string;
  /** Set when the block has `count` or `for_each`: many instances, one unknown index. */
  repetition?: 'count' | 'for_each';
}

export class Unknown {
  /** References this value depends on, so a rule can join resources even through templates. */
  readonly refs: Reference[];
  /** For `jsonencode(x)` of a partly unknown `x`: `x`, to read the document's known parts. */
  json?: Value;
  /** For a template with unknown parts: its text with a placeholder for each part in `holes`. */
  template?: { text: string; holes: Unknown[] };

  constructor(
    /** Why it is unknown: "data source", "computed attribute", "count.index", an error message… */
    readonly reason: string,
    refs: readonly Reference[] = [],
  ) {
    this.refs = dedupe(refs);
  }

  /** Readable in JSON dumps and snapshots. */
  toJSON(): unknown {
    return { unknown: this.reason };
  }
}

/** `aws_s3_bucket.logs.id`: unknown until apply, but known to point at `target`'s `path`. */
export class Reference extends Unknown {
  constructor(
    readonly target: ResourceDef,
    readonly path: readonly (string | number)[],
  ) {
    super(`reference to ${target.address}${path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('')}`);
    this.refs.push(this);
  }

  override toJSON(): unknown {
    return { reference: this.target.address, path: this.path };
  }

  /** The attribute name the reference reads (`id`, `arn`, `bucket`), if any. */
  get attribute(): string | undefined {
    return typeof this.path[0] === 'string' ? this.path[0] : undefined;
  }
}

function dedupe(refs: readonly Reference[]): Reference[] {
  const out: Reference[] = [];
  for (const ref of refs) if (!out.includes(ref)) out.push(ref);
  return out;
}

export function isUnknown(value: Value): value is Unknown {
  return value instanceof Unknown;
}

export function isKnown(value: Value): boolean {
  return !(value instanceof Unknown);
}

export function isObject(value: Value): value is ObjectValue {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Unknown);
}

/** An unknown that carries the references of everything it was computed from. */
export function unknownFrom(reason: string, ...values: Value[]): Unknown {
  const refs: Reference[] = [];
  for (const value of values) if (value instanceof Unknown) refs.push(...value.refs);
  return new Unknown(reason, refs);
}

/** Whether the value contains an unknown anywhere inside it. */
export function containsUnknown(value: Value, depth = 0): boolean {
  if (value instanceof Unknown) return true;
  if (depth > 200) return false;
  if (Array.isArray(value)) return value.some((v) => containsUnknown(v, depth + 1));
  if (isObject(value)) return Object.values(value).some((v) => containsUnknown(v, depth + 1));
  return false;
}

/** Every unknown inside the value, for collecting references. */
export function unknownsIn(value: Value, out: Unknown[] = [], depth = 0): Unknown[] {
  if (value instanceof Unknown) out.push(value);
  else if (depth <= 200 && Array.isArray(value)) for (const v of value) unknownsIn(v, out, depth + 1);
  else if (depth <= 200 && isObject(value)) for (const v of Object.values(value)) unknownsIn(v, out, depth + 1);
  return out;
}

export function newObject(entries: Iterable<[string, Value]> = []): ObjectValue {
  const object = Object.create(null) as ObjectValue;
  for (const [key, value] of entries) object[key] = value;
  return object;
}

/** Converts parsed JSON into a value (null-prototype objects). */
export function fromJson(json: unknown, depth = 0): Value {
  if (json === null || typeof json === 'boolean' || typeof json === 'number' || typeof json === 'string') return json;
  if (depth > 500) return new Unknown('JSON nested too deeply');
  if (Array.isArray(json)) return json.map((item) => fromJson(item, depth + 1));
  if (typeof json === 'object') {
    return newObject(Object.entries(json as Record<string, unknown>).map(([k, v]) => [k, fromJson(v, depth + 1)]));
  }
  return null;
}

/** Private-use characters (valid inside JSON strings) around a hole's number. */
const HOLE_OPEN = '\ue000';
const HOLE_CLOSE = '\ue001';

export function templateHole(index: number): string {
  return `${HOLE_OPEN}${index}${HOLE_CLOSE}`;
}

/**
 * Reads a JSON document out of a value: a JSON string (a heredoc policy), `jsonencode(...)` of a partly
 * unknown value, or a template whose interpolations are unknown (each string that had one becomes an
 * unknown carrying its references). Returns an Unknown when the text is not JSON or not knowable.
 */
export function decodeJson(value: Value): Value {
  if (typeof value === 'string') {
    try {
      return fromJson(JSON.parse(value));
    } catch {
      return new Unknown('not JSON');
    }
  }
  if (value instanceof Unknown) {
    if (value.json !== undefined) return value.json;
    if (value.template) {
      const { text, holes } = value.template;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return unknownFrom('template with unknown parts is not JSON', ...holes);
      }
      return fillHoles(fromJson(parsed), holes);
    }
    return value;
  }
  return new Unknown('not a JSON string');
}

function fillHoles(value: Value, holes: Unknown[], depth = 0): Value {
  if (typeof value === 'string' && value.includes(HOLE_OPEN)) {
    const used = [...value.matchAll(/\ue000(\d+)\ue001/g)].map((m) => holes[Number(m[1])]).filter(Boolean);
    if (used.length === 1 && value === templateHole(holes.indexOf(used[0]))) return used[0];
    return unknownFrom('interpolated', ...used);
  }
  if (depth > 500) return value;
  if (Array.isArray(value)) return value.map((v) => fillHoles(v, holes, depth + 1));
  if (isObject(value)) return newObject(Object.entries(value).map(([k, v]) => [k, fillHoles(v, holes, depth + 1)]));
  return value;
}

/** Where an evaluation problem was found: a local cycle, a type error, an unknown function. */
export interface EvalDiagnostic {
  path: string;
  message: string;
  span: Span;
}

/** Thrown inside the evaluator only (for `try`/`can`); the public API turns it into an Unknown. */
export class EvalError extends Error {
  constructor(
    message: string,
    readonly span?: Span,
  ) {
    super(message);
  }
}
