// A small, lenient POSIX-shell tokenizer for RUN / CMD / ENTRYPOINT shell form and heredoc scripts.
// It splits a script into simple commands and words; it does not expand or recurse into `$(…)`.
// Spans are mapped back to the original Dockerfile text through an OffsetMap. It never throws.
import type { Span } from '../../core/span';
import type { ShellCommand, Word } from './model';

/** Maps indices of a derived string (continuation-joined text, heredoc body) to source offsets. */
export interface OffsetMap {
  /** Source offset of the character at index `i` (or of the end, for `i === length`). */
  start(i: number): number;
  /** Source offset just after the character at index `i - 1`: for half-open span ends. */
  end(i: number): number;
}

/**
 * An OffsetMap made of pieces: each piece is a run of the derived text copied verbatim from the
 * source. Pieces are added in increasing order of derived index.
 */
export class PieceMap implements OffsetMap {
  private readonly at: number[] = [];
  private readonly src: number[] = [];

  /** `limit` is the source length: every mapped offset is clamped to [0, limit]. */
  constructor(private readonly limit: number) {}

  /** The derived text from index `at` on comes from source offset `src` on. */
  add(at: number, src: number): void {
    const n = this.at.length;
    if (n > 0 && this.at[n - 1] === at) {
      this.src[n - 1] = src;
      return;
    }
    this.at.push(at);
    this.src.push(src);
  }

  start(i: number): number {
    return this.clamp(this.map(i));
  }

  end(i: number): number {
    if (i <= 0) return this.start(0);
    return this.clamp(this.map(i - 1) + 1);
  }

  private map(i: number): number {
    const at = this.at;
    if (at.length === 0) return i;
    let lo = 0;
    let hi = at.length - 1;
    if (i < at[0]) return this.src[0];
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (at[mid] <= i) lo = mid;
      else hi = mid - 1;
    }
    return this.src[lo] + (i - at[lo]);
  }

  private clamp(offset: number): number {
    return offset < 0 ? 0 : offset > this.limit ? this.limit : offset;
  }
}

/** An OffsetMap for text that is a verbatim slice of the source starting at `base`. */
export function shiftMap(base: number, limit = Number.MAX_SAFE_INTEGER): OffsetMap {
  const clamp = (o: number) => (o < 0 ? 0 : o > limit ? limit : o);
  return { start: (i) => clamp(base + i), end: (i) => clamp(base + i) };
}

/** `map` seen from index `base` of its derived text on. */
export function subMap(map: OffsetMap, base: number): OffsetMap {
  return { start: (i) => map.start(base + i), end: (i) => map.end(base + i) };
}

export interface ShellOptions {
  /** The escape character: `\` for POSIX shells; `` ` `` for Windows Dockerfiles (no backtick substitution then). */
  escape?: '\\' | '`';
}

/** Reserved words that start or end a compound command; dropped where a command would start. */
const RESERVED_AT_START = new Set(['if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'while', 'until', 'esac', '!', '{', '}']);

/** Simple commands that have at least one word, in order. */
export function tokenizeShell(script: string, map: OffsetMap = shiftMap(0), options: ShellOptions = {}): ShellCommand[] {
  return scanShell(script, map, options).filter((c) => c.words.length > 0);
}

/** Like `tokenizeShell`, but also returns commands that consist of redirections only (`<<EOF`). */
export function scanShell(script: string, map: OffsetMap = shiftMap(0), options: ShellOptions = {}): ShellCommand[] {
  return new ShellScanner(script, map, options.escape ?? '\\').run();
}

type Op = NonNullable<ShellCommand['next']>;

interface RawWord {
  value: string;
  start: number;
  end: number;
  /** True when no quote or escape was involved: reserved words and heredoc delimiters care. */
  plain: boolean;
}

class ShellScanner {
  private i = 0;
  private readonly n: number;
  private readonly commands: ShellCommand[] = [];
  private words: Word[] = [];
  private redirects: Word[] = [];
  private cmdStart = -1;
  private cmdEnd = -1;
  /** The command last ended by `(` or `)`, whose `next` a following operator may still set. */
  private openEnded: ShellCommand | undefined;
  private pendingHeredocs: { delimiter: string; stripTabs: boolean }[] = [];

  constructor(
    private readonly s: string,
    private readonly map: OffsetMap,
    private readonly esc: '\\' | '`',
  ) {
    this.n = s.length;
  }

  run(): ShellCommand[] {
    const s = this.s;
    while (this.i < this.n) {
      const c = s[this.i];
      if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
        this.i++;
      } else if (c === this.esc && s[this.i + 1] === '\n') {
        this.i += 2; // line continuation between words
      } else if (c === '\n') {
        this.i++;
        this.endCommand('newline');
        this.skipHeredocBodies();
      } else if (c === '#' ) {
        const nl = s.indexOf('\n', this.i);
        this.i = nl < 0 ? this.n : nl;
      } else if (c === ';') {
        this.i += s[this.i + 1] === ';' || s[this.i + 1] === '&' ? 2 : 1;
        this.endCommand(';');
      } else if (c === '&') {
        if (s[this.i + 1] === '&') {
          this.i += 2;
          this.endCommand('&&');
        } else if (s[this.i + 1] === '>') {
          this.redirect(this.i, '');
        } else {
          this.i++;
          this.endCommand('&');
        }
      } else if (c === '|') {
        if (s[this.i + 1] === '|') {
          this.i += 2;
          this.endCommand('||');
        } else {
          this.i += s[this.i + 1] === '&' ? 2 : 1;
          this.endCommand('|');
        }
      } else if ((c === '<' || c === '>') && s[this.i + 1] === '(') {
        this.word(); // process substitution: a word
      } else if (c === '<' || c === '>') {
        this.redirect(this.i, '');
      } else if (c === '(' || c === ')') {
        this.i++;
        this.endCommand(undefined);
      } else {
        this.wordOrRedirect();
      }
    }
    this.endCommand(undefined);
    const last = this.commands[this.commands.length - 1];
    if (last?.next === 'newline') delete last.next; // nothing follows the script's last line
    return this.commands;
  }

  private endCommand(op: Op | undefined): void {
    if (this.words.length === 0 && this.redirects.length === 0) {
      if (op !== undefined && op !== 'newline' && this.openEnded && this.openEnded.next === undefined) {
        this.openEnded.next = op;
      }
      if (op === undefined) return;
      if (op !== 'newline') this.openEnded = undefined;
      return;
    }
    const command: ShellCommand = {
      words: this.words,
      span: { start: this.map.start(this.cmdStart), end: this.map.end(this.cmdEnd) },
      redirects: this.redirects,
    };
    if (op !== undefined) command.next = op;
    this.commands.push(command);
    this.openEnded = op === undefined ? command : undefined;
    this.words = [];
    this.redirects = [];
    this.cmdStart = -1;
  }

  private note(start: number, end: number): void {
    if (this.cmdStart < 0) this.cmdStart = start;
    this.cmdEnd = end;
  }

  private span(start: number, end: number): Span {
    return { start: this.map.start(start), end: this.map.end(end) };
  }

  private wordOrRedirect(): void {
    // `2>file`, `2>&1`: digits directly followed by a redirection operator.
    const s = this.s;
    let j = this.i;
    while (j < this.n && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57) j++;
    if (j > this.i && (s[j] === '<' || s[j] === '>') && s[j + 1] !== '(') {
      this.redirect(j, s.slice(this.i, j));
      return;
    }
    this.word();
  }

  private word(): void {
    const w = this.readWord();
    if (!w) {
      this.i++; // cannot happen for well-formed input, but never loop forever
      return;
    }
    if (w.plain && this.words.length === 0 && this.redirects.length === 0 && RESERVED_AT_START.has(w.value)) return;
    this.words.push({ value: w.value, span: this.span(w.start, w.end) });
    this.note(w.start, w.end);
  }

  /** A redirection at `opStart` (the fd digits, if any, start at `this.i`). */
  private redirect(opStart: number, fd: string): void {
    const s = this.s;
    const start = this.i;
    let j = opStart;
    let op: string;
    if (s[j] === '&') op = s[j + 2] === '>' ? '&>>' : '&>';
    else if (s.startsWith('<<<', j)) op = '<<<';
    else if (s.startsWith('<<-', j)) op = '<<-';
    else if (s.startsWith('<<', j)) op = '<<';
    else if (s.startsWith('>>', j)) op = '>>';
    else if (s.startsWith('>&', j)) op = '>&';
    else if (s.startsWith('<&', j)) op = '<&';
    else if (s.startsWith('>|', j)) op = '>|';
    else if (s.startsWith('<>', j)) op = '<>';
    else op = s[j];
    j += op.length;
    this.i = j;
    while (this.i < this.n && (s[this.i] === ' ' || s[this.i] === '\t')) this.i++;
    const target = this.startsWord() ? this.readWord() : undefined;
    if (!target) this.i = j;
    const end = target ? target.end : j;
    this.redirects.push({ value: fd + op + (target ? target.value : ''), span: this.span(start, end) });
    this.note(start, end);
    if ((op === '<<' || op === '<<-') && target) {
      this.pendingHeredocs.push({ delimiter: target.value, stripTabs: op === '<<-' });
    }
  }

  private startsWord(): boolean {
    if (this.i >= this.n) return false;
    const c = this.s[this.i];
    return !(c === '\n' || c === ';' || c === '&' || c === '|' || c === '<' || c === '>' || c === '(' || c === ')' || c === '#');
  }

  /** After a newline: skip the bodies of heredocs opened on the line just ended. */
  private skipHeredocBodies(): void {
    const s = this.s;
    for (const h of this.pendingHeredocs) {
      while (this.i < this.n) {
        let nl = s.indexOf('\n', this.i);
        if (nl < 0) nl = this.n;
        let from = this.i;
        if (h.stripTabs) while (from < nl && s[from] === '\t') from++;
        const line = s.slice(from, nl);
        this.i = nl < this.n ? nl + 1 : nl;
        if (line === h.delimiter) break;
      }
    }
    this.pendingHeredocs = [];
  }

  /** Reads one word at `this.i`: quotes and escapes removed in `value`, `$(…)` and backticks kept verbatim. */
  private readWord(): RawWord | undefined {
    const s = this.s;
    const n = this.n;
    const esc = this.esc;
    const start = this.i;
    let value = '';
    let plain = true;
    let i = this.i;
    while (i < n) {
      // A run of ordinary characters is copied with one slice.
      let j = i;
      while (j < n) {
        const code = s.charCodeAt(j);
        if (code < 128 && WORD_SPECIAL[code] === 1) break;
        j++;
      }
      if (j > i) {
        value += s.slice(i, j);
        i = j;
        if (i >= n) break;
      }
      const c = s[i];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v' || c === ';' || c === '&' || c === '|' || c === ')') break;
      if (c === '(' && i > start && !(s[i - 1] === '=' && ARRAY_ASSIGNMENT.test(s.slice(start, i)))) break;
      if ((c === '<' || c === '>') && !(s[i + 1] === '(' && i === start)) break;
      if (c === esc) {
        plain = false;
        if (i + 1 >= n) {
          value += c;
          i++;
        } else if (s[i + 1] === '\n') {
          i += 2;
        } else {
          value += s[i + 1];
          i += 2;
        }
      } else if (c === "'") {
        plain = false;
        const close = s.indexOf("'", i + 1);
        const stop = close < 0 ? n : close;
        value += s.slice(i + 1, stop);
        i = close < 0 ? n : close + 1;
      } else if (c === '"') {
        plain = false;
        const r = this.readDoubleQuoted(i + 1);
        value += r.value;
        i = r.end;
      } else if (c === '$' && s[i + 1] === "'") {
        plain = false;
        const r = readAnsiC(s, i + 2);
        value += r.value;
        i = r.end;
      } else if (c === '$' && s[i + 1] === '"') {
        plain = false;
        const r = this.readDoubleQuoted(i + 2);
        value += r.value;
        i = r.end;
      } else if ((c === '$' && (s[i + 1] === '(' || s[i + 1] === '{')) || (c === '`' && esc !== '`') || ((c === '<' || c === '>') && s[i + 1] === '(')) {
        const end = skipNested(s, c === '`' ? i : i + 1, esc);
        value += s.slice(i, end);
        i = end;
      } else if (c === '(' && ARRAY_ASSIGNMENT.test(s.slice(start, i))) {
        // `arr=(a b c)`: the parenthesised list belongs to the word.
        const end = skipNested(s, i, esc);
        value += s.slice(i, end);
        i = end;
      } else if (c === '(') {
        // `(` at a word's start is a separator, handled by the caller.
        break;
      } else {
        value += c;
        i++;
      }
    }
    if (i === start) return undefined;
    this.i = i;
    return { value, start, end: i, plain };
  }

  /** Double-quoted text from just after the opening quote; returns the value and the index after the closing quote. */
  private readDoubleQuoted(from: number): { value: string; end: number } {
    const s = this.s;
    const esc = this.esc;
    let value = '';
    let i = from;
    while (i < this.n) {
      let j = i;
      while (j < this.n) {
        const c = s[j];
        if (c === '"' || c === esc || c === '$' || c === '`') break;
        j++;
      }
      if (j > i) {
        value += s.slice(i, j);
        i = j;
        if (i >= this.n) break;
      }
      const c = s[i];
      if (c === '"') return { value, end: i + 1 };
      if (c === esc) {
        const d = s[i + 1];
        if (d === '\n') i += 2;
        else if (d === '"' || d === '$' || d === '`' || d === esc || (esc === '\\' && d === '\\')) {
          value += d;
          i += 2;
        } else {
          value += c;
          i++;
        }
      } else if ((c === '$' && (s[i + 1] === '(' || s[i + 1] === '{')) || (c === '`' && esc !== '`')) {
        const end = skipNested(s, c === '`' ? i : i + 1, esc);
        value += s.slice(i, end);
        i = end;
      } else {
        value += c;
        i++;
      }
    }
    return { value, end: i };
  }
}

const ARRAY_ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*\+?=$/;

/** ASCII characters that end a run of ordinary word characters. */
const WORD_SPECIAL = new Uint8Array(128);
for (const c of ' \t\n\r\f\v;&|()<>\\\'"$`') WORD_SPECIAL[c.charCodeAt(0)] = 1;

/** `$'…'` from just after the quote: ANSI-C escapes. */
function readAnsiC(s: string, from: number): { value: string; end: number } {
  let value = '';
  let i = from;
  while (i < s.length) {
    const c = s[i];
    if (c === "'") return { value, end: i + 1 };
    if (c === '\\' && i + 1 < s.length) {
      const d = s[i + 1];
      const mapped = ANSI_C[d];
      value += mapped ?? '\\' + d;
      i += 2;
    } else {
      value += c;
      i++;
    }
  }
  return { value, end: i };
}

const ANSI_C: Record<string, string> = {
  n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', v: '\v',
  '\\': '\\', "'": "'", '"': '"', '?': '?',
};

/**
 * Skips a nested construct that opens at `open` (`(` of `$(`/`<(`, `{` of `${`, or a backtick) and
 * returns the index after its close (or the text's end). Iterative, so deep nesting cannot overflow.
 */
function skipNested(s: string, open: number, esc: string): number {
  const stack: string[] = [];
  const first = s[open];
  stack.push(first === '(' ? ')' : first === '{' ? '}' : '`');
  let i = open + 1;
  while (i < s.length && stack.length > 0) {
    const want = stack[stack.length - 1];
    const c = s[i];
    if (want === '"') {
      if (c === '"') stack.pop();
      else if (c === esc) i++;
      else if (c === '$' && (s[i + 1] === '(' || s[i + 1] === '{')) {
        stack.push(s[i + 1] === '(' ? ')' : '}');
        i++;
      } else if (c === '`' && esc !== '`') stack.push('`');
      i++;
      continue;
    }
    if (want === '`') {
      if (c === '`') stack.pop();
      else if (c === esc) i++;
      i++;
      continue;
    }
    if (c === want) stack.pop();
    else if (c === esc) i++;
    else if (c === "'" && want === ')') {
      const close = s.indexOf("'", i + 1);
      i = close < 0 ? s.length : close;
    } else if (c === '"') stack.push('"');
    else if (c === '`' && esc !== '`') stack.push('`');
    else if (c === '$' && (s[i + 1] === '(' || s[i + 1] === '{')) {
      stack.push(s[i + 1] === '(' ? ')' : '}');
      i++;
    } else if (c === '(' && want === ')') stack.push(')');
    i++;
  }
  return Math.min(i, s.length);
}
