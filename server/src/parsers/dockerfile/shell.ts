// A small, lenient POSIX-shell parser for RUN / CMD / ENTRYPOINT shell form and heredoc scripts.
// It splits a script into simple commands and words, and follows compound commands (`if`, `case`,
// loops, `{ }`, `( )`, functions) only to tell each command where it runs: the result stays a flat
// list. It does not expand or recurse into `$(…)`. Spans are mapped back to the original Dockerfile
// text through an OffsetMap. It never throws, and its time is linear in the script's length.
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

/** Simple commands that have at least one word, in order. */
export function tokenizeShell(script: string, map: OffsetMap = shiftMap(0), options: ShellOptions = {}): ShellCommand[] {
  return scanShell(script, map, options).filter((c) => c.words.length > 0);
}

/** Like `tokenizeShell`, but also returns commands that consist of redirections only (`<<EOF`, `} > out`). */
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

// What a command inherits from the compound commands and operators around it (ShellCommand's flags).
const CONDITION = 1;
const CONDITIONAL = 2;
const NEGATED = 4;
const SUBSHELL = 8;

type Compound = 'script' | 'if' | 'loop' | 'case' | 'group' | 'subshell';

/**
 * What the scanner reads next inside a compound: `list` reads commands; the other phases read the
 * words of a header (`for NAME in WORDS;`, `case WORD in`) and case patterns, which are not commands.
 */
type Phase = 'list' | 'forName' | 'forIn' | 'forWords' | 'forDo' | 'caseWord' | 'caseIn' | 'patterns';

/** An open compound command. The scanner keeps them on an explicit stack, so nesting depth costs no call stack. */
interface Frame {
  kind: Compound;
  phase: Phase;
  /** Context bits of the compound as a whole: its list's, plus `||`, `!` or a function definition before it. */
  outer: number;
  /** Context bits of the commands read in the current phase: `outer` plus what the phase adds. */
  inner: number;
  /** The function whose body this compound is, or is inside. */
  fn: string | undefined;
  /** The pipeline state around the compound, restored when it closes: the compound is one element of that pipeline. */
  negated: boolean;
  afterOr: boolean;
}

/**
 * One pass over the script, no backtracking: words are read once, reserved words are looked at only
 * where a command would start, and compound commands live on an explicit stack. Unbalanced input
 * leaves frames open (or closers unmatched, which are dropped): the commands found so far stand.
 */
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

  private readonly stack: Frame[] = [{ kind: 'script', phase: 'list', outer: 0, inner: 0, fn: undefined, negated: false, afterOr: false }];
  /** How many frames of each kind are open, so a closer knows in O(1) whether it has a match. */
  private readonly open: Record<Compound, number> = { script: 1, if: 0, loop: 0, case: 0, group: 0, subshell: 0 };
  /** The current pipeline started with `!`. */
  private negated = false;
  /** The current pipeline follows `||`: it runs only when the left side failed. */
  private afterOr = false;
  /** `|`, `&&`, `||` or `!` waits for its command, so a newline does not end the list. */
  private continued = false;
  /** `name()` or `function name` was read: the next compound command is its body. */
  private pendingFunction: string | undefined;
  /** `function` was read: the next word is the function's name. */
  private expectFunctionName = false;
  /** Inside `[[ … ]]`, where `|`, `&`, `(`, `)`, `<` and `>` are words of the test, not operators. */
  private inTest = false;
  /** In the `patterns` phase: a pattern (or the optional `(`) has been read since the last `)` or `;;`. */
  private patternStarted = false;
  /** `words[0]` was read without quotes or escapes: only then can it name a function. */
  private firstWordPlain = false;
  /** A closing keyword or `)` came after the last command: its newline does not end the script. */
  private closedAfterLast = false;

  constructor(
    private readonly s: string,
    private readonly map: OffsetMap,
    private readonly esc: '\\' | '`',
  ) {
    this.n = s.length;
  }

  private get top(): Frame {
    return this.stack[this.stack.length - 1];
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
        this.newline();
        this.skipHeredocBodies();
      } else if (c === '#') {
        const nl = s.indexOf('\n', this.i);
        this.i = nl < 0 ? this.n : nl;
      } else if (this.top.phase !== 'list') {
        this.header(c);
      } else if (this.inTest && (c === '|' || c === '&' || c === '(' || c === ')' || c === '<' || c === '>')) {
        this.testOperator();
      } else if (c === ';') {
        this.semicolon();
      } else if (c === '&') {
        if (s[this.i + 1] === '&') {
          this.i += 2;
          this.endCommand('&&');
          this.afterOr = false;
          this.negated = false;
          this.continued = true;
        } else if (s[this.i + 1] === '>') {
          this.redirect(this.i, '');
        } else {
          this.i++;
          this.endCommand('&');
          this.endPipeline();
        }
      } else if (c === '|') {
        if (s[this.i + 1] === '|') {
          this.i += 2;
          this.endCommand('||');
          this.afterOr = true;
          this.negated = false;
        } else {
          this.i += s[this.i + 1] === '&' ? 2 : 1;
          this.endCommand('|');
        }
        this.continued = true;
      } else if ((c === '<' || c === '>') && s[this.i + 1] === '(') {
        this.word(); // process substitution: a word
      } else if (c === '<' || c === '>') {
        this.redirect(this.i, '');
      } else if (c === '(') {
        this.openParen();
      } else if (c === ')') {
        this.closeParen();
      } else {
        this.wordOrRedirect();
      }
    }
    this.endCommand(undefined);
    const last = this.commands[this.commands.length - 1];
    if (last?.next === 'newline' && !this.closedAfterLast) delete last.next; // nothing follows the script's last line
    return this.commands;
  }

  // ---- lists and pipelines

  private newline(): void {
    const frame = this.top;
    if (frame.phase !== 'list') {
      this.headerBreak(frame, true);
    } else if (!this.continued) {
      this.endCommand('newline');
      this.endPipeline();
    }
  }

  /** `;`, or `;;`, `;&`, `;;&` that end a case arm. */
  private semicolon(): void {
    const s = this.s;
    const armEnd = s.startsWith(';;&', this.i) ? 3 : s.startsWith(';;', this.i) || s.startsWith(';&', this.i) ? 2 : 0;
    this.i += armEnd || 1;
    this.endCommand(';');
    this.endPipeline();
    if (armEnd && this.open.case > 0) this.enterPatterns(this.unwindTo('case'));
  }

  /** After `;`, `&` or a newline: the next command starts a new pipeline. */
  private endPipeline(): void {
    this.negated = false;
    this.afterOr = false;
    this.continued = false;
  }

  private endCommand(op: Op | undefined): void {
    this.inTest = false;
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
    this.addContext(command);
    this.commands.push(command);
    this.closedAfterLast = false;
    this.openEnded = op === undefined ? command : undefined;
    this.words = [];
    this.redirects = [];
    this.cmdStart = -1;
  }

  /** Sets the command's context flags from the open compounds and the pipeline it is in. */
  private addContext(command: ShellCommand): void {
    const frame = this.top;
    let bits = frame.inner | (this.afterOr ? CONDITIONAL : 0) | (this.negated ? NEGATED : 0);
    let fn = frame.fn;
    if (this.pendingFunction !== undefined) {
      // `f() cmd` is not valid shell; read leniently, `cmd` is the body.
      bits |= CONDITIONAL;
      fn = this.pendingFunction;
      this.pendingFunction = undefined;
    }
    if (bits & CONDITION) command.condition = true;
    if (bits & CONDITIONAL) command.conditional = true;
    if (bits & NEGATED) command.negated = true;
    if (bits & SUBSHELL) command.subshell = true;
    if (fn !== undefined) command.inFunction = fn;
  }

  private note(start: number, end: number): void {
    if (this.cmdStart < 0) this.cmdStart = start;
    this.cmdEnd = end;
    this.continued = false;
  }

  private span(start: number, end: number): Span {
    return { start: this.map.start(start), end: this.map.end(end) };
  }

  // ---- compound commands

  /** Opens a compound command; `add` is what its first phase adds to the context. */
  private push(kind: Compound, add: number, phase: Phase = 'list'): void {
    const around = this.top;
    let outer = around.inner | (this.afterOr ? CONDITIONAL : 0) | (this.negated ? NEGATED : 0);
    if (this.pendingFunction !== undefined) outer |= CONDITIONAL;
    if (kind === 'subshell') outer |= SUBSHELL;
    this.stack.push({ kind, phase, outer, inner: outer | add, fn: this.pendingFunction ?? around.fn, negated: this.negated, afterOr: this.afterOr });
    this.open[kind]++;
    this.pendingFunction = undefined;
    this.openEnded = undefined;
    this.endPipeline();
  }

  /** Closes the innermost compound of `kind` and those left open inside it; a closer without a match is dropped. */
  private close(kind: Compound): void {
    if (this.open[kind] > 0) {
      this.unwindTo(kind);
      this.pop();
    }
  }

  private pop(): void {
    const frame = this.stack.pop() as Frame;
    this.open[frame.kind]--;
    this.negated = frame.negated;
    this.afterOr = frame.afterOr;
    this.continued = false;
  }

  /** The innermost open frame of `kind` (which must be open), after closing the frames inside it. */
  private unwindTo(kind: Compound): Frame {
    while (this.top.kind !== kind) this.pop();
    return this.top;
  }

  /** `then`, `elif`, `else`, `do`: the compound's next list, whose commands get `outer | add`. */
  private nextList(kind: Compound, add: number): void {
    if (this.open[kind] > 0) {
      const frame = this.unwindTo(kind);
      frame.phase = 'list';
      frame.inner = frame.outer | add;
    }
    this.openEnded = undefined;
    this.endPipeline();
  }

  private enterPatterns(frame: Frame): void {
    frame.phase = 'patterns';
    this.patternStarted = false;
  }

  /**
   * A plain word where a command would start: handles it when it is a reserved word (or `!`,
   * `function`) and says so. Closers and list keywords without their compound are dropped.
   */
  private reservedWord(value: string): boolean {
    switch (value) {
      case 'if':
        this.push('if', CONDITION);
        return true;
      case 'then':
      case 'else':
        this.nextList('if', CONDITIONAL);
        return true;
      case 'elif':
        this.nextList('if', CONDITION | CONDITIONAL);
        return true;
      case 'fi':
        this.close('if');
        break;
      case 'while':
      case 'until':
        this.push('loop', CONDITION);
        return true;
      case 'for':
      case 'select':
        this.push('loop', 0, 'forName');
        return true;
      case 'do':
        this.nextList('loop', CONDITIONAL);
        return true;
      case 'done':
        this.close('loop');
        break;
      case 'case':
        this.push('case', 0, 'caseWord');
        return true;
      case 'esac':
        this.close('case');
        break;
      case '{':
        this.push('group', 0);
        return true;
      case '}':
        this.close('group');
        break;
      case '!':
        this.negated = true;
        this.continued = true;
        return true;
      case 'function':
        this.expectFunctionName = true;
        return true;
      default:
        return false;
    }
    this.closedAfterLast = true;
    // After a closer: a pipe or list operator belongs to the compound, never to a command inside it.
    this.openEnded = undefined;
    return true;
  }

  /** `(`: a subshell, `((…))` arithmetic, or the `()` of a function definition. */
  private openParen(): void {
    const s = this.s;
    const empty = this.words.length === 0 && this.redirects.length === 0;
    if (this.words.length === 1 && this.redirects.length === 0 && this.firstWordPlain && this.skipEmptyParens()) {
      this.pendingFunction = this.words[0].value;
      this.words = [];
      this.cmdStart = -1;
    } else if (empty && s[this.i + 1] === '(') {
      // POSIX reads `((` at a command's start as arithmetic; nested subshells are written `( (`.
      const start = this.i;
      this.i = skipNested(s, start, this.esc);
      this.firstWordPlain = false;
      this.words.push({ value: s.slice(start, this.i), span: this.span(start, this.i) });
      this.note(start, this.i);
    } else {
      this.i++;
      this.endCommand(undefined);
      this.push('subshell', 0);
    }
  }

  /** `)`: closes the innermost subshell (and what is left open inside it); a stray one only ends the command. */
  private closeParen(): void {
    this.i++;
    this.endCommand(undefined);
    this.close('subshell');
    this.closedAfterLast = true;
  }

  /** At `(`: skips `( )` and says whether it was there. */
  private skipEmptyParens(): boolean {
    let j = this.i;
    if (this.s[j] !== '(') return false;
    j++;
    while (this.s[j] === ' ' || this.s[j] === '\t') j++;
    if (this.s[j] !== ')') return false;
    this.i = j + 1;
    return true;
  }

  /** Inside `[[ … ]]`: a run of operator characters is a word of the test. */
  private testOperator(): void {
    const s = this.s;
    const start = this.i;
    while (this.i < this.n && '|&()<>'.includes(s[this.i])) this.i++;
    this.words.push({ value: s.slice(start, this.i), span: this.span(start, this.i) });
    this.note(start, this.i);
  }

  // ---- headers and case patterns: words that are not commands

  private header(c: string): void {
    const frame = this.top;
    const s = this.s;
    if (c === ';') {
      this.i++;
      this.headerBreak(frame, false);
    } else if (c === '(' && frame.phase === 'forName' && s[this.i + 1] === '(') {
      this.i = skipNested(s, this.i, this.esc); // for ((i = 0; i < n; i++))
      frame.phase = 'forIn';
    } else if (c === '(' && frame.phase === 'patterns' && !this.patternStarted) {
      this.i++; // the optional `(` before a pattern list
      this.patternStarted = true;
    } else if (c === ')' && frame.phase === 'patterns') {
      this.i++;
      frame.phase = 'list';
      frame.inner = frame.outer | CONDITIONAL;
      this.endPipeline();
    } else {
      // Patterns and header words; `|` between patterns and stray operator characters are skipped.
      const w = this.readWord();
      if (w) this.headerWord(frame, w);
      else this.i++;
    }
  }

  /** `;` or a newline in a header. A newline may come between `for NAME` and `in`. */
  private headerBreak(frame: Frame, newline: boolean): void {
    if (frame.phase === 'forIn' && newline) return;
    if (frame.phase === 'forName' || frame.phase === 'forIn' || frame.phase === 'forWords') frame.phase = 'forDo';
  }

  private headerWord(frame: Frame, w: RawWord): void {
    const keyword = w.plain ? w.value : '';
    switch (frame.phase) {
      case 'forName':
        frame.phase = 'forIn';
        break;
      case 'forIn':
        if (keyword === 'in') frame.phase = 'forWords';
        else if (keyword === 'do') this.nextList('loop', CONDITIONAL);
        break;
      case 'forDo':
        // `do` is due; anything else starts the body leniently.
        this.nextList('loop', CONDITIONAL);
        if (keyword !== 'do') this.commandWord(w);
        break;
      case 'caseWord':
        frame.phase = 'caseIn';
        break;
      case 'caseIn':
        this.enterPatterns(frame);
        if (keyword !== 'in') this.patternStarted = true;
        break;
      case 'patterns':
        if (keyword === 'esac' && !this.patternStarted) this.close('case');
        else this.patternStarted = true;
        break;
    }
  }

  // ---- words and redirections

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
    this.commandWord(w);
  }

  /** A word read where commands are: a reserved word at a command's start, a function's name, or a word of the command. */
  private commandWord(w: RawWord): void {
    if (this.expectFunctionName) {
      this.expectFunctionName = false;
      this.pendingFunction = w.value;
      this.skipEmptyParens();
      return;
    }
    const first = this.words.length === 0 && this.redirects.length === 0;
    if (first && w.plain && this.reservedWord(w.value)) return;
    if (this.words.length === 0) this.firstWordPlain = w.plain;
    if (first && w.plain && w.value === '[[') this.inTest = true;
    else if (this.inTest && w.plain && w.value === ']]') this.inTest = false;
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
    const extglob = this.top.phase === 'patterns';
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
      if (c === '(' && i > start && extglob && EXTGLOB_PREFIX.includes(s[i - 1])) {
        // A case pattern such as `@(a|b)` or `+([0-9])`: the group belongs to the word.
        const end = skipNested(s, i, esc);
        value += s.slice(i, end);
        i = end;
        continue;
      }
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

/** Characters that open an extended glob group when `(` follows them in a case pattern. */
const EXTGLOB_PREFIX = '?*+@!';

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
