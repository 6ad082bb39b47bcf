// Terraform's pure built-in functions that rules meet in practice, over evaluator values.
// Type errors throw EvalError (caught by `try`/`can` and by the evaluator's public API).
// Functions not listed here evaluate to Unknown; nothing here reads files, clocks or randomness.
import {
  EvalError, Unknown, containsUnknown, decodeJson, fromJson, isObject, newObject, unknownFrom, unknownsIn,
  type ObjectValue, type Value,
} from './values';

export interface FunctionDef {
  impl(args: Value[]): Value;
  /** Works on collections whose elements may be unknown (only a top-level unknown argument stops it). */
  structural?: boolean;
  /** Handles unknown arguments itself. */
  unknownAware?: boolean;
  minArgs?: number;
  maxArgs?: number;
}

export function typeName(value: Value): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  if (value instanceof Unknown) return 'unknown';
  if (typeof value === 'object') return 'object';
  return typeof value;
}

export function formatNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return BigInt(n).toString();
  return String(n);
}

export function toStr(value: Value): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  throw new EvalError(`Cannot use a ${typeName(value)} value as a string`);
}

export function toNum(value: Value): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\s*-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(value)) return Number(value);
  throw new EvalError(`Cannot use a ${typeName(value)} value as a number`);
}

export function toBool(value: Value): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new EvalError(`Cannot use a ${typeName(value)} value as a bool`);
}

function toList(value: Value): Value[] {
  if (Array.isArray(value)) return value;
  throw new EvalError(`Expected a list, got a ${typeName(value)}`);
}

function toObject(value: Value): ObjectValue {
  if (isObject(value)) return value;
  throw new EvalError(`Expected a map or object, got a ${typeName(value)}`);
}

/** Equality as Terraform sees it: same type, same contents; unknown when either side is. */
export function equals(a: Value, b: Value, depth = 0): boolean | Unknown {
  if (a instanceof Unknown || b instanceof Unknown) return unknownFrom('comparison with an unknown value', a, b);
  if (depth > 200) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      const e = equals(a[i], b[i], depth + 1);
      if (e !== true) return e;
    }
    return true;
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    for (const k of keys) {
      if (!(k in b)) return false;
      const e = equals(a[k], b[k], depth + 1);
      if (e !== true) return e;
    }
    return true;
  }
  return a === b;
}

/** JSON text as Terraform's jsonencode writes it: object keys sorted. */
export function stableJson(value: Value, depth = 0): string {
  if (value instanceof Unknown) throw new EvalError('Cannot encode an unknown value');
  if (depth > 500) throw new EvalError('Value nested too deeply');
  if (Array.isArray(value)) return `[${value.map((v) => stableJson(v, depth + 1)).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${stableJson(value[k], depth + 1)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function distinct(values: Value[]): Value[] {
  const out: Value[] = [];
  for (const v of values) if (!out.some((o) => equals(o, v) === true)) out.push(v);
  return out;
}

function toSet(values: Value[]): Value[] {
  const out = distinct(values);
  if (out.every((v) => typeof v === 'string')) return (out as string[]).sort();
  if (out.every((v) => typeof v === 'number')) return (out as number[]).sort((a, b) => a - b);
  return out;
}

/** The text without the line breaks (\n, \r\n) at its end; a loop, as `/(\r\n|\n)+$/` is quadratic on many. */
function chomp(text: string): string {
  let end = text.length;
  for (;;) {
    if (end >= 2 && text.charCodeAt(end - 2) === 13 && text.charCodeAt(end - 1) === 10) end -= 2;
    else if (end >= 1 && text.charCodeAt(end - 1) === 10) end -= 1;
    else return text.slice(0, end);
  }
}

function format(spec: string, args: Value[]): string {
  let next = 0;
  // Bounded repetitions: flags and digits that overlap ('0') cannot backtrack quadratically.
  return spec.replace(/%(\[(\d{1,9})\])?([-+ #0]{0,5})(\d{1,9})?(?:\.(\d{1,9}))?([a-zA-Z%])/g, (whole, _i, index, flags: string, width, precision, verb: string) => {
    if (verb === '%') return '%';
    const at = index ? Number(index) - 1 : next;
    next = at + 1;
    if (at >= args.length) throw new EvalError(`format: not enough arguments for ${whole}`);
    const arg = args[at];
    let out: string;
    switch (verb) {
      case 'd': out = String(Math.trunc(toNum(arg))); break;
      case 'f': out = toNum(arg).toFixed(precision === undefined ? 6 : Number(precision)); break;
      case 'e': out = toNum(arg).toExponential(precision === undefined ? 6 : Number(precision)); break;
      case 'g': out = String(toNum(arg)); break;
      case 'x': out = Math.trunc(toNum(arg)).toString(16); break;
      case 'X': out = Math.trunc(toNum(arg)).toString(16).toUpperCase(); break;
      case 'o': out = Math.trunc(toNum(arg)).toString(8); break;
      case 'b': out = Math.trunc(toNum(arg)).toString(2); break;
      case 't': out = toBool(arg) ? 'true' : 'false'; break;
      case 'q': out = JSON.stringify(toStr(arg)); break;
      case 'v': out = typeof arg === 'object' && arg !== null ? stableJson(arg) : toStr(arg); break;
      default: out = toStr(arg);
    }
    if (verb === 's' && precision !== undefined) out = [...out].slice(0, Number(precision)).join('');
    if (width && out.length < Number(width)) {
      out = flags.includes('-') ? out.padEnd(Number(width)) : out.padStart(Number(width), flags.includes('0') ? '0' : ' ');
    }
    return out;
  });
}

function ipv4(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
    throw new EvalError(`Invalid IPv4 address "${text}"`);
  }
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

function ipv4Text(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

function parseCidr(prefix: string): { base: number; bits: number } {
  const [addr, len] = prefix.split('/');
  const bits = Number(len);
  if (len === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) throw new EvalError(`Invalid CIDR "${prefix}"`);
  const ip = ipv4(addr);
  const size = 2 ** (32 - bits);
  return { base: ip - (ip % size), bits };
}

function cidrsubnet(prefix: string, newbits: number, netnum: number): Value {
  if (prefix.includes(':')) return new Unknown('IPv6 cidrsubnet is not evaluated');
  const { base, bits } = parseCidr(prefix);
  const length = bits + newbits;
  if (length > 32 || newbits < 0) throw new EvalError(`cidrsubnet: prefix would be /${length}`);
  if (netnum < 0 || netnum >= 2 ** newbits) throw new EvalError(`cidrsubnet: ${netnum} does not fit in ${newbits} bits`);
  return `${ipv4Text(base + netnum * 2 ** (32 - length))}/${length}`;
}

function cidrhost(prefix: string, hostnum: number): Value {
  if (prefix.includes(':')) return new Unknown('IPv6 cidrhost is not evaluated');
  const { base, bits } = parseCidr(prefix);
  const size = 2 ** (32 - bits);
  const n = hostnum < 0 ? size + hostnum : hostnum;
  if (n < 0 || n >= size) throw new EvalError(`cidrhost: ${hostnum} does not fit in ${prefix}`);
  return ipv4Text(base + n);
}

function flatten(list: Value[], depth = 0): Value[] {
  const out: Value[] = [];
  for (const v of list) {
    if (Array.isArray(v) && depth < 100) out.push(...flatten(v, depth + 1));
    else out.push(v);
  }
  return out;
}

function chars(s: string): string[] {
  return [...s];
}

function regexOf(pattern: string): RegExp | undefined {
  if (pattern.length > 1 && pattern.startsWith('/') && pattern.endsWith('/')) {
    try {
      return new RegExp(pattern.slice(1, -1), 'gu');
    } catch {
      throw new EvalError(`Invalid regular expression ${pattern}`);
    }
  }
  return undefined;
}

/** A function of scalars (any unknown inside an argument makes the result unknown). */
const s = (impl: (args: Value[]) => Value, minArgs = 1, maxArgs = minArgs): FunctionDef => ({ impl, minArgs, maxArgs });
/** A function over collections whose elements may be unknown. */
const c = (impl: (args: Value[]) => Value, minArgs = 1, maxArgs = minArgs): FunctionDef => ({ impl, structural: true, minArgs, maxArgs });
const ANY = Infinity;

export const FUNCTIONS: Record<string, FunctionDef> = {
  lower: s(([v]) => toStr(v).toLowerCase()),
  upper: s(([v]) => toStr(v).toUpperCase()),
  title: s(([v]) => toStr(v).replace(/\b\p{L}/gu, (ch) => ch.toUpperCase())),
  trimspace: s(([v]) => toStr(v).trim()),
  trim: s(([v, cut]) => {
    const set = new Set(chars(toStr(cut)));
    const list = chars(toStr(v));
    let a = 0;
    let b = list.length;
    while (a < b && set.has(list[a])) a++;
    while (b > a && set.has(list[b - 1])) b--;
    return list.slice(a, b).join('');
  }, 2),
  trimprefix: s(([v, p]) => (toStr(v).startsWith(toStr(p)) ? toStr(v).slice(toStr(p).length) : toStr(v)), 2),
  trimsuffix: s(([v, p]) => (toStr(p) && toStr(v).endsWith(toStr(p)) ? toStr(v).slice(0, -toStr(p).length) : toStr(v)), 2),
  chomp: s(([v]) => chomp(toStr(v))),
  startswith: s(([v, p]) => toStr(v).startsWith(toStr(p)), 2),
  endswith: s(([v, p]) => toStr(v).endsWith(toStr(p)), 2),
  strcontains: s(([v, p]) => toStr(v).includes(toStr(p)), 2),
  substr: s(([v, offset, length]) => {
    const list = chars(toStr(v));
    let start = toNum(offset);
    if (start < 0) start = Math.max(0, list.length + start);
    const len = toNum(length);
    return list.slice(start, len < 0 ? undefined : start + len).join('');
  }, 3),
  replace: s(([v, find, repl]) => {
    const str = toStr(v);
    const pattern = toStr(find);
    const regex = regexOf(pattern);
    return regex ? str.replace(regex, toStr(repl)) : str.split(pattern).join(toStr(repl));
  }, 3),
  format: s(([spec, ...args]) => format(toStr(spec), args), 1, ANY),
  formatlist: s(([spec, ...args]) => {
    const length = Math.max(0, ...args.map((a) => (Array.isArray(a) ? a.length : 0)));
    return Array.from({ length }, (_, i) => format(toStr(spec), args.map((a) => (Array.isArray(a) ? a[i] : a))));
  }, 1, ANY),
  join: s(([sep, ...lists]) => lists.flatMap((l) => toList(l)).map(toStr).join(toStr(sep)), 2, ANY),
  split: s(([sep, v]) => toStr(v).split(toStr(sep)), 2),
  tostring: s(([v]) => (v === null ? null : toStr(v))),
  tonumber: s(([v]) => (v === null ? null : toNum(v))),
  tobool: s(([v]) => (v === null ? null : toBool(v))),
  abs: s(([v]) => Math.abs(toNum(v))),
  ceil: s(([v]) => Math.ceil(toNum(v))),
  floor: s(([v]) => Math.floor(toNum(v))),
  min: s((args) => Math.min(...flattenNumbers(args)), 1, ANY),
  max: s((args) => Math.max(...flattenNumbers(args)), 1, ANY),
  sum: s(([list]) => toList(list).reduce<number>((n, v) => n + toNum(v), 0)),
  parseint: s(([v, base]) => {
    const n = parseInt(toStr(v), toNum(base));
    if (Number.isNaN(n)) throw new EvalError(`parseint: cannot parse "${toStr(v)}"`);
    return n;
  }, 2),
  range: s((args) => {
    const nums = args.map(toNum);
    const [start, limit, step] = nums.length === 1 ? [0, nums[0], 1] : [nums[0], nums[1], nums[2] ?? (nums[1] >= nums[0] ? 1 : -1)];
    if (step === 0) throw new EvalError('range: step must not be zero');
    const out: number[] = [];
    for (let n = start; step > 0 ? n < limit : n > limit; n += step) {
      out.push(n);
      if (out.length > 1024) throw new EvalError('range: more than 1024 elements');
    }
    return out;
  }, 1, 3),
  length: c(([v]) => {
    if (typeof v === 'string') return chars(v).length;
    if (Array.isArray(v)) return v.length;
    return Object.keys(toObject(v)).length;
  }),
  concat: c((args) => args.flatMap((a) => toList(a)), 0, ANY),
  flatten: c(([v]) => flatten(toList(v))),
  distinct: s(([v]) => distinct(toList(v))),
  compact: s(([v]) => toList(v).filter((x) => x !== null && x !== '').map(toStr)),
  reverse: c(([v]) => [...toList(v)].reverse()),
  sort: s(([v]) => toList(v).map(toStr).sort()),
  slice: c(([v, from, to]) => toList(v).slice(toNum(from), toNum(to)), 3),
  element: c(([v, i]) => {
    const list = toList(v);
    if (list.length === 0) throw new EvalError('element: the list is empty');
    const n = Math.trunc(toNum(i));
    if (n < 0) throw new EvalError('element: negative index');
    return list[n % list.length];
  }, 2),
  index: s(([v, x]) => {
    const i = toList(v).findIndex((e) => equals(e, x) === true);
    if (i < 0) throw new EvalError('index: the value is not in the list');
    return i;
  }, 2),
  one: c(([v]) => {
    const list = toList(v);
    if (list.length > 1) throw new EvalError('one: the list has more than one element');
    return list.length ? list[0] : null;
  }),
  keys: c(([v]) => Object.keys(toObject(v)).sort()),
  values: c(([v]) => {
    const o = toObject(v);
    return Object.keys(o).sort().map((k) => o[k]);
  }),
  zipmap: c(([k, v]) => {
    const keys = toList(k);
    const vals = toList(v);
    if (keys.length !== vals.length) throw new EvalError('zipmap: the lists have different lengths');
    return newObject(keys.map((key, i) => [toStr(key), vals[i]]));
  }, 2),
  merge: c((args) => {
    const out = newObject();
    for (const a of args) if (a !== null) Object.assign(out, toObject(a));
    return out;
  }, 0, ANY),
  lookup: c(([m, key, ...rest]) => {
    const o = toObject(m);
    const k = toStr(key);
    if (k in o) return o[k];
    if (rest.length) return rest[0];
    throw new EvalError(`lookup: no key "${k}"`);
  }, 2, 3),
  contains: {
    structural: true,
    unknownAware: true,
    minArgs: 2,
    impl: ([list, v]) => {
      if (list instanceof Unknown) return unknownFrom('contains on an unknown list', list, v);
      let unknown: Unknown | undefined;
      for (const item of toList(list)) {
        const e = equals(item, v);
        if (e === true) return true;
        if (e instanceof Unknown) unknown = e;
      }
      return unknown ?? false;
    },
  },
  coalesce: {
    unknownAware: true,
    impl: (args) => {
      for (const a of args) {
        if (a instanceof Unknown) return unknownFrom('coalesce of an unknown value', ...args);
        if (a !== null && a !== '') return a;
      }
      throw new EvalError('coalesce: no non-null, non-empty argument');
    },
  },
  coalescelist: c((args) => {
    for (const a of args) if (toList(a).length) return a;
    return [];
  }, 0, ANY),
  tolist: c(([v]) => (v === null ? null : [...toList(v)])),
  toset: s(([v]) => (v === null ? null : toSet(toList(v)))),
  tomap: c(([v]) => (v === null ? null : newObject(Object.entries(toObject(v))))),
  jsonencode: {
    unknownAware: true,
    impl: ([v]) => {
      if (containsUnknown(v)) {
        const unknown = unknownFrom('jsonencode of a partly unknown value', ...unknownsIn(v));
        unknown.json = v;
        return unknown;
      }
      return stableJson(v);
    },
  },
  jsondecode: {
    unknownAware: true,
    impl: ([v]) => {
      if (typeof v === 'string') {
        try {
          return fromJson(JSON.parse(v));
        } catch {
          throw new EvalError('jsondecode: the text is not valid JSON');
        }
      }
      if (v instanceof Unknown) return decodeJson(v);
      throw new EvalError(`jsondecode: expected a string, got a ${typeName(v)}`);
    },
  },
  sensitive: c(([v]) => v),
  nonsensitive: c(([v]) => v),
  alltrue: s(([v]) => toList(v).every((x) => toBool(x))),
  anytrue: s(([v]) => toList(v).some((x) => toBool(x))),
  setunion: s((args) => toSet(args.flatMap((a) => toList(a))), 1, ANY),
  setintersection: s(([first, ...rest]) => toSet(toList(first).filter((x) => rest.every((r) => toList(r).some((y) => equals(x, y) === true)))), 1, ANY),
  setsubtract: s(([a, b]) => toSet(toList(a).filter((x) => !toList(b).some((y) => equals(x, y) === true))), 2),
  chunklist: c(([v, size]) => {
    const list = toList(v);
    const n = toNum(size);
    if (n <= 0) return [list];
    const out: Value[] = [];
    for (let i = 0; i < list.length; i += n) out.push(list.slice(i, i + n));
    return out;
  }, 2),
  indent: s(([n, v]) => toStr(v).replace(/\n(?=.)/g, '\n' + ' '.repeat(toNum(n))), 2),
  regex: s(([pattern, v]) => {
    const match = new RegExp(rePattern(toStr(pattern)), 'u').exec(toStr(v));
    if (!match) throw new EvalError('regex: no match');
    return regexResult(match);
  }, 2),
  regexall: s(([pattern, v]) => [...toStr(v).matchAll(new RegExp(rePattern(toStr(pattern)), 'gu'))].map(regexResult), 2),
  cidrsubnet: s(([p, bits, num]) => cidrsubnet(toStr(p), toNum(bits), toNum(num)), 3),
  cidrhost: s(([p, num]) => cidrhost(toStr(p), toNum(num)), 2),
  cidrnetmask: s(([p]) => {
    const { bits } = parseCidr(toStr(p));
    return ipv4Text(2 ** 32 - 2 ** (32 - bits));
  }),
};

/** RE2 named groups `(?P<name>…)` in JavaScript spelling; an invalid pattern is an EvalError. */
function rePattern(pattern: string): string {
  const js = pattern.replace(/\(\?P</g, '(?<');
  try {
    new RegExp(js, 'u');
  } catch {
    throw new EvalError(`Invalid regular expression ${pattern}`);
  }
  return js;
}

/** Terraform's regex result: the match, the list of groups, or an object of named groups. */
function regexResult(match: RegExpExecArray | RegExpMatchArray): Value {
  if (match.groups) return newObject(Object.entries(match.groups).map(([k, v]) => [k, v ?? null]));
  if (match.length > 1) return match.slice(1).map((g) => g ?? null);
  return match[0];
}

function flattenNumbers(args: Value[]): number[] {
  if (args.length === 0) throw new EvalError('expected at least one number');
  return args.map(toNum);
}
