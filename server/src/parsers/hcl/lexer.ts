// The HCL scanner: text -> tokens, comments and lexical errors, in one linear pass.
// Templates make HCL's lexing modal: a stack tells whether we are in ordinary tokens, a quoted
// string, a heredoc, or an interpolation `${ … }` whose `}` returns to the template around it.
// Strip markers (`${~`, `~}`) and `<<-` indentation are applied here, to the literal tokens.
import type { ParseError } from '../../core/span';
import type { Comment } from './ast';

export type TokenType =
  | 'ident' | 'number' | 'nl' | 'eof' | 'invalid'
  | '{' | '}' | '[' | ']' | '(' | ')' | ',' | '.' | '...' | '=' | ':' | '?' | '=>'
  | '+' | '-' | '*' | '/' | '%' | '!' | '&&' | '||' | '==' | '!=' | '<' | '>' | '<=' | '>='
  /** `"` opening a quoted template, and its close (zero-width when the string is unterminated). */
  | 'oquote' | 'cquote'
  /** `<<EOT` / `<<-EOT` with its line break, and the closing marker (zero-width when missing). */
  | 'oheredoc' | 'cheredoc'
  /** Literal text of a template: `value` is decoded. */
  | 'lit'
  /** `${` (or `${~`), `%{` (or `%{~`), and the `}` (or `~}`) that closes either. */
  | 'interp' | 'directive' | 'seqend';

export interface Token {
  type: TokenType;
  start: number;
  end: number;
  /** Identifier name, number text, decoded literal, heredoc marker. */
  value: string;
}

const TYPE_NAMES: readonly TokenType[] = [
  'ident', 'number', 'nl', 'eof', 'invalid', '{', '}', '[', ']', '(', ')', ',', '.', '...', '=', ':', '?', '=>',
  '+', '-', '*', '/', '%', '!', '&&', '||', '==', '!=', '<', '>', '<=', '>=', 'oquote', 'cquote', 'oheredoc',
  'cheredoc', 'lit', 'interp', 'directive', 'seqend',
];
const TYPE_CODES = Object.fromEntries(TYPE_NAMES.map((t, i) => [t, i])) as Record<TokenType, number>;

/** A token read out of a TokenList; its value is sliced from the text only when asked for. */
class TokenView implements Token {
  constructor(
    private readonly list: TokenList,
    private readonly index: number,
    readonly type: TokenType,
    readonly start: number,
    readonly end: number,
  ) {}

  get value(): string {
    return this.list.value(this.index);
  }
}

/**
 * Tokens stored column-wise in typed arrays rather than one object per token, so a large file does
 * not leave tens of thousands of long-lived objects for the garbage collector. Identifier and
 * number values are the token's own text; only decoded values (literals, markers) are stored.
 */
export class TokenList {
  private count = 0;
  private codes = new Uint8Array(1024);
  private offsets = new Int32Array(2048);
  private readonly values = new Map<number, string>();

  constructor(private readonly text: string) {}

  get length(): number {
    return this.count;
  }

  push(type: TokenType, start: number, end: number, value: string): void {
    if (this.count === this.codes.length) this.grow();
    const i = this.count++;
    this.codes[i] = TYPE_CODES[type];
    this.offsets[2 * i] = start;
    this.offsets[2 * i + 1] = end;
    if (value !== '' && type !== 'ident' && type !== 'number' && type !== 'invalid') this.values.set(i, value);
  }

  private grow(): void {
    const codes = new Uint8Array(this.codes.length * 2);
    codes.set(this.codes);
    this.codes = codes;
    const offsets = new Int32Array(this.offsets.length * 2);
    offsets.set(this.offsets);
    this.offsets = offsets;
  }

  /** Type of the token at `i`; past the end, `eof`. */
  type(i: number): TokenType {
    return i < this.count ? TYPE_NAMES[this.codes[i]] : 'eof';
  }

  start(i: number): number {
    return this.offsets[2 * Math.min(i, this.count - 1)];
  }

  end(i: number): number {
    return this.offsets[2 * Math.min(i, this.count - 1) + 1];
  }

  /** Identifier name, number text, decoded literal, heredoc marker; '' for punctuation. */
  value(i: number): string {
    const stored = this.values.get(i);
    if (stored !== undefined) return stored;
    const type = this.type(i);
    return type === 'ident' || type === 'number' || type === 'invalid' ? this.text.slice(this.start(i), this.end(i)) : '';
  }

  setValue(i: number, value: string): void {
    this.values.set(i, value);
  }

  /** The token at `i` as an object (clamped to the last token, which is always `eof`). */
  at(i: number): Token {
    const j = i < this.count ? i : this.count - 1;
    return new TokenView(this, j, TYPE_NAMES[this.codes[j]], this.offsets[2 * j], this.offsets[2 * j + 1]);
  }
}

export interface Lexed {
  tokens: TokenList;
  comments: Comment[];
  errors: ParseError[];
}

const enum Mode {
  Brace,
  Interp,
  Quoted,
  Heredoc,
  Bare,
}

interface Frame {
  mode: Mode;
  /** Heredoc marker and indentation flag; the literal tokens that start a heredoc line. */
  marker?: string;
  /** Where a quoted string or heredoc opened, for error ranges. */
  open?: number;
  indented?: boolean;
  lineLits?: number[];
}

const TWO = ['&&', '||', '==', '!=', '<=', '>=', '=>'];
const ONE = '[](),.=:?+-*/%!<>';

function isIdStart(c: number, text: string, i: number): boolean {
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95) return true;
  if (!(c >= 128)) return false; // ASCII, or past the end of the text (NaN)
  return /[\p{ID_Start}]/u.test(String.fromCodePoint(text.codePointAt(i) ?? c));
}

function isIdContinue(c: number, text: string, i: number): boolean {
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45) return true;
  if (!(c >= 128)) return false; // ASCII, or past the end of the text (NaN)
  return /[\p{ID_Continue}]/u.test(String.fromCodePoint(text.codePointAt(i) ?? c));
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** `start` and `bare` let the JSON syntax lex the inside of a string as a template. */
export function lex(text: string, opts: { bare?: boolean; start?: number; end?: number } = {}): Lexed {
  return new Lexer(text, opts.start ?? 0, opts.end ?? text.length, opts.bare ?? false).run();
}

class Lexer {
  private readonly tokens: TokenList;
  private readonly comments: Comment[] = [];
  private readonly errors: ParseError[] = [];
  private readonly stack: Frame[] = [];
  private pos: number;
  /** Set by `~}`: the next literal loses its leading whitespace. */
  private stripNext = false;

  constructor(
    private readonly text: string,
    start: number,
    private readonly end: number,
    bare: boolean,
  ) {
    this.pos = start;
    this.tokens = new TokenList(text);
    if (bare) this.stack.push({ mode: Mode.Bare });
  }

  run(): Lexed {
    while (this.pos < this.end) {
      const top = this.stack.length ? this.stack[this.stack.length - 1] : undefined;
      if (top && top.mode === Mode.Quoted) this.quoted();
      else if (top && top.mode === Mode.Heredoc) this.heredoc(top);
      else if (top && top.mode === Mode.Bare) this.templateText();
      else this.normal();
    }
    // Close what is still open at the end.
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const frame = this.stack[i];
      if (frame.mode === Mode.Quoted) {
        this.error('Unterminated string: a closing `"` is missing', frame.open ?? this.end, this.end);
        this.push('cquote', this.end, this.end, '');
      } else if (frame.mode === Mode.Heredoc) {
        this.error(`Unterminated heredoc: the closing marker ${frame.marker} is missing`, frame.open ?? this.end, frame.open === undefined ? this.end : this.text.indexOf('\n', frame.open) < 0 ? this.end : this.text.indexOf('\n', frame.open));
        this.finishHeredoc(frame);
        this.push('cheredoc', this.end, this.end, '');
      }
    }
    this.push('eof', this.end, this.end, '');
    return { tokens: this.tokens, comments: this.comments, errors: this.errors };
  }

  private push(type: TokenType, start: number, end: number, value: string): void {
    if (type !== 'lit') this.stripNext = false;
    this.tokens.push(type, start, end, value);
  }

  private error(message: string, start: number, end: number): void {
    this.errors.push({ message, span: { start: Math.max(0, start), end: Math.max(start, end) } });
  }

  private top(): Frame | undefined {
    return this.stack[this.stack.length - 1];
  }

  private normal(): void {
    const text = this.text;
    const p = this.pos;
    const c = text.charCodeAt(p);
    if (c === 32 || c === 9 || c === 0xfeff) return void (this.pos = p + 1);
    if (c === 10) {
      this.push('nl', p, p + 1, '');
      return void (this.pos = p + 1);
    }
    if (c === 13) {
      if (text.charCodeAt(p + 1) === 10) {
        this.push('nl', p, p + 2, '');
        return void (this.pos = p + 2);
      }
      return void (this.pos = p + 1);
    }
    if (c === 35 || (c === 47 && text.charCodeAt(p + 1) === 47)) return this.lineComment(c === 35 ? '#' : '//');
    if (c === 47 && text.charCodeAt(p + 1) === 42) return this.blockComment();
    if (isDigit(c)) return this.number();
    if (isIdStart(c, text, p)) {
      let i = p + (c > 0xffff ? 2 : 1);
      while (i < this.end) {
        const d = text.charCodeAt(i);
        if (!isIdContinue(d, text, i)) break;
        i += d >= 0xd800 && d <= 0xdbff ? 2 : 1;
      }
      this.push('ident', p, i, text.slice(p, i));
      return void (this.pos = i);
    }
    if (c === 34) {
      this.push('oquote', p, p + 1, '');
      this.stack.push({ mode: Mode.Quoted, open: p });
      return void (this.pos = p + 1);
    }
    if (c === 60 && text.charCodeAt(p + 1) === 60 && this.heredocStart()) return;
    if (c === 123) {
      this.push('{', p, p + 1, '');
      this.stack.push({ mode: Mode.Brace });
      return void (this.pos = p + 1);
    }
    if (c === 125 || (c === 126 && text.charCodeAt(p + 1) === 125)) return this.closeBrace(c === 126);
    if (text.startsWith('...', p)) {
      this.push('...', p, p + 3, '');
      return void (this.pos = p + 3);
    }
    const two = text.slice(p, p + 2);
    if (TWO.includes(two)) {
      this.push(two as TokenType, p, p + 2, '');
      return void (this.pos = p + 2);
    }
    if (ONE.includes(text[p])) {
      this.push(text[p] as TokenType, p, p + 1, '');
      return void (this.pos = p + 1);
    }
    const width = c >= 0xd800 && c <= 0xdbff ? 2 : 1;
    this.error(`Unexpected character ${JSON.stringify(text.slice(p, p + width))}`, p, p + width);
    this.push('invalid', p, p + width, text.slice(p, p + width));
    this.pos = p + width;
  }

  private closeBrace(strip: boolean): void {
    const p = this.pos;
    const len = strip ? 2 : 1;
    const top = this.top();
    if (top && top.mode === Mode.Interp) {
      this.stack.pop();
      this.push('seqend', p, p + len, strip ? '~' : '');
      this.stripNext = strip;
    } else {
      if (top && top.mode === Mode.Brace) this.stack.pop();
      if (strip) {
        this.error('Unexpected character "~"', p, p + 1);
        this.push('invalid', p, p + 1, '~');
      }
      this.push('}', p + len - 1, p + len, '');
    }
    this.pos = p + len;
  }

  private lineComment(style: '#' | '//'): void {
    const text = this.text;
    const p = this.pos;
    let i = p;
    while (i < this.end) {
      const c = text.charCodeAt(i);
      if (c === 10 || (c === 13 && text.charCodeAt(i + 1) === 10)) break;
      i++;
    }
    this.comments.push({ style, text: text.slice(p + style.length, i), span: { start: p, end: i } });
    this.pos = i;
  }

  private blockComment(): void {
    const p = this.pos;
    const close = this.text.indexOf('*/', p + 2);
    const end = close < 0 || close + 2 > this.end ? this.end : close + 2;
    if (close < 0 || close + 2 > this.end) this.error('Unterminated comment: `*/` is missing', p, p + 2);
    this.comments.push({ style: '/*', text: this.text.slice(p + 2, close < 0 ? end : close), span: { start: p, end } });
    this.pos = end;
  }

  private number(): void {
    const text = this.text;
    const p = this.pos;
    let i = p;
    while (isDigit(text.charCodeAt(i))) i++;
    // After `.` only the digits: `foo.0.1` is two legacy index steps, not `foo` `.` `0.1`.
    const afterDot = this.tokens.length > 0 && this.tokens.type(this.tokens.length - 1) === '.';
    if (!afterDot) {
      if (text.charCodeAt(i) === 46 && isDigit(text.charCodeAt(i + 1))) {
        i += 2;
        while (isDigit(text.charCodeAt(i))) i++;
      }
      const e = text.charCodeAt(i);
      if (e === 101 || e === 69) {
        let j = i + 1;
        const s = text.charCodeAt(j);
        if (s === 43 || s === 45) j++;
        if (isDigit(text.charCodeAt(j))) {
          i = j;
          while (isDigit(text.charCodeAt(i))) i++;
        }
      }
    }
    if (i > this.end) i = this.end;
    this.push('number', p, i, text.slice(p, i));
    this.pos = i;
  }

  /** `<<EOT` or `<<-EOT` followed by a line break; returns false when `<<` is something else. */
  private heredocStart(): boolean {
    const text = this.text;
    const p = this.pos;
    let i = p + 2;
    const indented = text.charCodeAt(i) === 45;
    if (indented) i++;
    const nameStart = i;
    if (!isIdStart(text.charCodeAt(i), text, i)) return false;
    while (i < this.end && isIdContinue(text.charCodeAt(i), text, i)) i++;
    const marker = text.slice(nameStart, i);
    let j = i;
    while (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9) j++;
    if (text.charCodeAt(j) === 13 && text.charCodeAt(j + 1) === 10) j += 2;
    else if (text.charCodeAt(j) === 10) j++;
    else if (j < this.end) return false;
    this.push('oheredoc', p, j, marker);
    this.stack.push({ mode: Mode.Heredoc, marker, indented, lineLits: [], open: p });
    this.pos = j;
    return true;
  }

  /** The literal run of a quoted string, up to `"`, `${`, `%{`, a line break or the end. */
  private quoted(): void {
    const text = this.text;
    const start = this.pos;
    let i = start;
    let value = '';
    let chunk = start;
    while (i < this.end) {
      const c = text.charCodeAt(i);
      if (c === 34 || c === 10 || c === 13) break;
      if ((c === 36 || c === 37) && text.charCodeAt(i + 1) === 123) break;
      if ((c === 36 || c === 37) && text.charCodeAt(i + 1) === c && text.charCodeAt(i + 2) === 123) {
        value += text.slice(chunk, i + 1);
        i += 2;
        chunk = i;
        continue;
      }
      if (c === 92) {
        value += text.slice(chunk, i);
        const [decoded, width] = this.escape(i);
        value += decoded;
        i += width;
        chunk = i;
        continue;
      }
      i++;
    }
    if (i > this.end) i = this.end;
    value += text.slice(chunk, i);
    if (i > start) this.literal(start, i, value);
    if (i >= this.end) return void (this.pos = i);
    const c = text.charCodeAt(i);
    if (c === 34) {
      this.stack.pop();
      this.push('cquote', i, i + 1, '');
      this.pos = i + 1;
    } else if (c === 10 || c === 13) {
      const frame = this.stack.pop();
      this.error('Unterminated string: a closing `"` is missing before the end of the line', frame?.open ?? start, i);
      this.push('cquote', i, i, '');
      this.pos = i;
    } else this.openSequence(i);
  }

  /** A line (or part of one) of a heredoc, or its closing marker. */
  private heredoc(frame: Frame): void {
    const text = this.text;
    const start = this.pos;
    const atLineStart = start === 0 || text.charCodeAt(start - 1) === 10;
    if (atLineStart) {
      let i = start;
      while (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9) i++;
      const marker = frame.marker!;
      if (text.startsWith(marker, i)) {
        let j = i + marker.length;
        const after = text.charCodeAt(j);
        if (j >= this.end || after === 10 || (after === 13 && text.charCodeAt(j + 1) === 10)) {
          this.stack.pop();
          this.finishHeredoc(frame);
          this.push('cheredoc', i, j, marker);
          this.pos = j;
          return;
        }
      }
    }
    let i = start;
    let sequence = false;
    while (i < this.end) {
      const c = text.charCodeAt(i);
      if (c === 10) {
        i++;
        break;
      }
      if (c === 36 || c === 37) {
        const d = text.charCodeAt(i + 1);
        if (d === 123) {
          sequence = true;
          break;
        }
        if (d === c && text.charCodeAt(i + 2) === 123) i += 2;
      }
      i++;
    }
    if (i > this.end) i = this.end;
    if (i > start) {
      const raw = text.slice(start, i);
      const value = raw.replace(/([$%])\1\{/g, '$1{');
      this.literal(start, i, value);
      if (atLineStart) frame.lineLits!.push(this.tokens.length - 1);
    }
    this.pos = i;
    if (sequence) this.openSequence(i);
  }

  /** A JSON string's content as a template: no terminator, no escapes. */
  private templateText(): void {
    const text = this.text;
    const start = this.pos;
    let i = start;
    while (i < this.end) {
      const c = text.charCodeAt(i);
      if ((c === 36 || c === 37) && text.charCodeAt(i + 1) === 123) break;
      if ((c === 36 || c === 37) && text.charCodeAt(i + 1) === c && text.charCodeAt(i + 2) === 123) i += 2;
      i++;
    }
    if (i > this.end) i = this.end;
    if (i > start) this.literal(start, i, text.slice(start, i).replace(/([$%])\1\{/g, '$1{'));
    this.pos = i;
    if (i < this.end) this.openSequence(i);
  }

  private literal(start: number, end: number, value: string): void {
    // `~}` strips all the whitespace that follows, across heredoc lines (one literal token each).
    const strip = this.stripNext;
    if (strip) value = value.replace(/^\s+/, '');
    this.push('lit', start, end, value);
    this.stripNext = strip && value === '';
  }

  /** `${` or `%{` at `i`, with an optional `~` that strips the literal before it. */
  private openSequence(i: number): void {
    const type = this.text.charCodeAt(i) === 36 ? 'interp' : 'directive';
    const strip = this.text.charCodeAt(i + 2) === 126;
    if (strip) {
      // `${~` strips all the whitespace before it, across heredoc lines.
      const tokens = this.tokens;
      for (let last = tokens.length - 1; last >= 0 && tokens.type(last) === 'lit'; last--) {
        const value = tokens.value(last).trimEnd(); // not /\s+$/: quadratic on long runs of spaces
        tokens.setValue(last, value);
        if (value !== '') break;
      }
    }
    this.stripNext = false;
    this.push(type, i, i + (strip ? 3 : 2), strip ? '~' : '');
    this.stack.push({ mode: Mode.Interp });
    this.pos = i + (strip ? 3 : 2);
  }

  /** `<<-`: remove the smallest indentation of the heredoc's lines from each of them. */
  private finishHeredoc(frame: Frame): void {
    if (!frame.indented || !frame.lineLits) return;
    // The indentation is measured on the source lines (strip markers may have trimmed the values).
    let min = Infinity;
    for (const index of frame.lineLits) {
      const start = this.tokens.start(index);
      const end = this.tokens.end(index);
      let n = 0;
      while (start + n < end && (this.text.charCodeAt(start + n) === 32 || this.text.charCodeAt(start + n) === 9)) n++;
      const blank = start + n >= end || this.text.charCodeAt(start + n) === 10 || this.text.charCodeAt(start + n) === 13;
      if (blank && (this.text.charCodeAt(end - 1) === 10 || index === this.tokens.length - 1)) continue;
      if (n < min) min = n;
    }
    if (min === Infinity || min === 0) return;
    for (const index of frame.lineLits) {
      const value = this.tokens.value(index);
      let n = 0;
      while (n < min && n < value.length && (value.charCodeAt(n) === 32 || value.charCodeAt(n) === 9)) n++;
      this.tokens.setValue(index, value.slice(n));
    }
  }

  /** A backslash escape at `i` in a quoted string: its decoded text and its width. */
  private escape(i: number): [string, number] {
    const text = this.text;
    const c = text[i + 1];
    switch (c) {
      case 'n': return ['\n', 2];
      case 'r': return ['\r', 2];
      case 't': return ['\t', 2];
      case '"': return ['"', 2];
      case '\\': return ['\\', 2];
      case 'u':
      case 'U': {
        const width = c === 'u' ? 4 : 8;
        const hex = text.slice(i + 2, i + 2 + width);
        if (/^[0-9a-fA-F]+$/.test(hex) && hex.length === width) {
          const code = parseInt(hex, 16);
          if (code <= 0x10ffff) return [String.fromCodePoint(code), 2 + width];
        }
        this.error('Invalid unicode escape', i, i + 2);
        return ['\\' + c, 2];
      }
      default:
        if (c === undefined || c === '\n' || c === '\r') {
          this.error('Invalid escape at the end of the line', i, i + 1);
          return ['\\', 1];
        }
        this.error(`Invalid escape sequence "\\${c}"`, i, i + 2);
        return ['\\' + c, 2];
    }
  }
}
