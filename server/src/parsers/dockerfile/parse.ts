// The Dockerfile parser: text in, DockerfileModel and ParseErrors out; never throws.
// It follows BuildKit's reading of a Dockerfile (directives, continuations, heredocs, JSON form
// fallback) and keeps a UTF-16 span on every token. Shell text goes through ./shell.
import type { ParseError, Parsed, Span } from '../../core/span';
import type {
  Comment,
  Directive,
  DockerfileModel,
  Flag,
  Heredoc,
  ImageRef,
  Instruction,
  KeyValue,
  ShellCommand,
  Stage,
  Word,
} from './model';
import { PieceMap, scanShell, subMap, tokenizeShell, type OffsetMap } from './shell';

export function parseDockerfile(text: string): Parsed<DockerfileModel> {
  return new DockerfileParser(text).run();
}

const KNOWN_INSTRUCTIONS = new Set([
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL',
  'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
]);
/** Instructions that take BuildKit flags; elsewhere `--x` is an argument (`CMD --port=8080`). */
const TAKES_FLAGS = new Set(['ADD', 'COPY', 'FROM', 'HEALTHCHECK', 'RUN']);
/** Instructions whose arguments may be a JSON array. */
const JSON_CAPABLE = new Set(['RUN', 'CMD', 'ENTRYPOINT', 'SHELL', 'VOLUME', 'COPY', 'ADD']);
/** Instructions whose shell-form arguments Docker lexes into words itself (so quotes must balance). */
const LEXED_BY_DOCKER = new Set(['ADD', 'ARG', 'COPY', 'ENV', 'EXPOSE', 'FROM', 'LABEL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR']);
const HEREDOC_CAPABLE = new Set(['RUN', 'COPY', 'ADD']);
const NOT_ONBUILD_TRIGGERS = new Set(['ONBUILD', 'FROM', 'MAINTAINER']);
/** `# name=value`; the value is trimmed separately (a lazy `(.+?)[ \t]*$` is quadratic on long lines). */
const DIRECTIVE = /^#[ \t]*([a-zA-Z][a-zA-Z0-9]*)[ \t]*=/;
const ALLOWED_DIRECTIVES = new Set(['syntax', 'escape', 'check']);
const HEREDOC_WORD = /^(\d*)<<(-?)([^<]*)$/;
const STAGE_NAME = /^[a-z][a-z0-9\-_.]*$/;
/** `[` that starts something meant as a JSON array (not the shell's `[ -f x ]` test). */
const LOOKS_LIKE_JSON = /^\[(?:["'\]]|[ \t]*$|[ \t]*"(?:[^"\\]|\\.)*"[ \t]*[,\]])/;
const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh', 'mksh']);
const COMMAND_PREFIXES = new Set(['sudo', 'exec', 'env', 'command', 'nohup', 'time']);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 11 || c === 12;
}

/** Trims spaces and tabs (a `/[ \t]+$/` regex would be quadratic on long blank runs). */
function trimBlanks(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s.charCodeAt(a) === 32 || s.charCodeAt(a) === 9)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 32 || s.charCodeAt(b - 1) === 9)) b--;
  return s.slice(a, b);
}

function clip(s: string, max = 40): string {
  return s.length > max ? s.slice(0, max) + '…' : s;
}

/** A word of a derived line, in that line's indices. */
interface LineWord {
  value: string;
  start: number;
  end: number;
}

interface HeredocHead {
  name: string;
  stripTabs: boolean;
  quoted: boolean;
  start: number;
  end: number;
}

/** A global ARG as FROM sees it: its default (expanded) and whether that depends on something unknown. */
export interface GlobalArg {
  value: string | undefined;
  unresolved: boolean;
}

class DockerfileParser {
  private readonly errors: ParseError[] = [];
  private readonly comments: Comment[] = [];
  private readonly directives: Directive[] = [];
  private escape: '\\' | '`' = '\\';
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly instructions: Instruction[] = [];
  private readonly stages: Stage[] = [];
  private readonly globals = new Map<string, GlobalArg>();
  private readonly stageNames = new Map<string, number>();
  /** Offset maps of heredoc bodies, for tokenizing them as scripts. */
  private readonly bodyMaps = new Map<Heredoc, OffsetMap>();

  constructor(private readonly text: string) {}

  run(): Parsed<DockerfileModel> {
    this.splitLines();
    let line = this.readDirectives();
    while (line < this.starts.length) {
      const first = this.firstNonBlank(line);
      const end = this.ends[line];
      if (first === end) {
        line++;
      } else if (this.text.charCodeAt(first) === 35 /* # */) {
        this.addComment(first, end);
        line++;
      } else {
        try {
          line = this.readInstruction(line, first);
        } catch (error) {
          // A bug in this parser must not take the editor down: report it and move on.
          this.error(`Internal parser error: ${String(error)}`, { start: first, end });
          line++;
        }
      }
    }
    const globalArgs = new Map<string, string | undefined>();
    for (const [name, arg] of this.globals) globalArgs.set(name, arg.value);
    return {
      model: {
        directives: this.directives,
        escape: this.escape,
        instructions: this.instructions,
        stages: this.stages,
        globalArgs,
        comments: this.comments,
      },
      errors: this.errors,
    };
  }

  private error(message: string, span: Span): void {
    this.errors.push({ message, span });
  }

  // ---- lines, directives, comments ------------------------------------------------------------

  private splitLines(): void {
    const text = this.text;
    const n = text.length;
    let p = text.charCodeAt(0) === 0xfeff ? 1 : 0;
    while (p < n) {
      let q = p;
      while (q < n) {
        const c = text.charCodeAt(q);
        if (c === 10 || c === 13) break;
        q++;
      }
      this.starts.push(p);
      this.ends.push(q);
      if (q >= n) break;
      p = q + (text.charCodeAt(q) === 13 && text.charCodeAt(q + 1) === 10 ? 2 : 1);
    }
  }

  private firstNonBlank(line: number): number {
    let i = this.starts[line];
    const end = this.ends[line];
    while (i < end && isBlank(this.text.charCodeAt(i))) i++;
    return i;
  }

  private addComment(hash: number, end: number): void {
    this.comments.push({ text: this.text.slice(hash + 1, end).trim(), span: { start: hash, end } });
  }

  /** Parser directives: `# name=value` lines before any other comment, blank line or instruction. */
  private readDirectives(): number {
    const seen = new Set<string>();
    let line = 0;
    for (; line < this.starts.length; line++) {
      const first = this.firstNonBlank(line);
      const end = this.ends[line];
      if (first === end || this.text.charCodeAt(first) !== 35) break;
      const content = this.text.slice(first, end);
      const match = DIRECTIVE.exec(content);
      const value = match ? trimBlanks(content.slice(match[0].length)) : '';
      if (!match || value === '' || !ALLOWED_DIRECTIVES.has(match[1].toLowerCase())) break;
      const name = match[1].toLowerCase();
      const span = { start: first, end };
      this.directives.push({ name, value, span });
      this.addComment(first, end);
      if (seen.has(name)) this.error(`Only one "${name}" parser directive can be used`, span);
      seen.add(name);
      if (name === 'escape') {
        if (value === '\\' || value === '`') this.escape = value;
        else this.error(`Invalid escape character "${clip(value)}": use \\ or \``, span);
      }
    }
    return line;
  }

  // ---- instructions -----------------------------------------------------------------------------

  /** Where a line's content stops before a trailing escape character (and blanks after it). */
  private continuationAt(from: number, end: number): number {
    let i = end;
    while (i > from && isBlank(this.text.charCodeAt(i - 1))) i--;
    if (i > from && this.text[i - 1] === this.escape) return i - 1;
    return -1;
  }

  /** Reads the instruction starting on `line` at `first`; returns the next line to read. */
  private readInstruction(line: number, first: number): number {
    const text = this.text;
    const map = new PieceMap(text.length);
    const parts: string[] = [];
    let length = 0;
    let contentEnd = this.ends[line];
    let cut = this.continuationAt(first, contentEnd);
    map.add(0, first);
    parts.push(text.slice(first, cut < 0 ? contentEnd : cut));
    length += parts[0].length;
    while (cut >= 0 && line + 1 < this.starts.length) {
      line++;
      const start = this.starts[line];
      const end = this.ends[line];
      const nonBlank = this.firstNonBlank(line);
      if (nonBlank === end) continue; // BuildKit skips empty continuation lines (with a warning)
      if (text.charCodeAt(nonBlank) === 35) {
        this.addComment(nonBlank, end);
        continue;
      }
      cut = this.continuationAt(start, end);
      const piece = text.slice(start, cut < 0 ? end : cut);
      map.add(length, start);
      parts.push(piece);
      length += piece.length;
      contentEnd = end;
    }
    while (contentEnd > first && isBlank(text.charCodeAt(contentEnd - 1))) contentEnd--;
    const joined = parts.length === 1 ? parts[0] : parts.join('');
    if (this.argsEnd(joined) === 0) {
      // Only escape characters: a continuation that never reaches an instruction.
      this.error('Line continuation with no instruction after it', { start: first, end: Math.max(first + 1, contentEnd) });
      return line + 1;
    }
    const instruction = this.parseInstruction(joined, map, 0, joined.length, false);
    instruction.span = { start: instruction.keywordSpan.start, end: Math.max(contentEnd, instruction.keywordSpan.end) };
    let next = line + 1;

    if (HEREDOC_CAPABLE.has(instruction.keyword) && !instruction.jsonForm && instruction.argsText.includes('<<')) {
      const argsStart = this.argsEnd(joined) - instruction.argsText.length;
      const heads = findHeredocs(joined, argsStart, argsStart + instruction.argsText.length);
      if (heads.length > 0) {
        next = this.readHeredocBodies(instruction, heads, map, next);
        if (instruction.keyword === 'RUN') instruction.commands = this.runCommands(instruction, argsStart, map);
      }
    }
    this.place(instruction);
    return next;
  }

  /** Index just after the last non-blank character of `s`. */
  private argsEnd(s: string): number {
    let b = s.length;
    while (b > 0 && isBlank(s.charCodeAt(b - 1))) b--;
    return b;
  }

  /** Parses the instruction in `line[from, to)`; `span` ends at the last non-blank character. */
  private parseInstruction(line: string, map: OffsetMap, from: number, to: number, trigger: boolean): Instruction {
    let i = from;
    while (i < to && isBlank(line.charCodeAt(i))) i++;
    const kwStart = i;
    while (i < to && !isBlank(line.charCodeAt(i))) i++;
    const kwEnd = i;
    const keyword = line.slice(kwStart, kwEnd).toUpperCase();
    const keywordSpan = mapSpan(map, kwStart, kwEnd);
    let end = to;
    while (end > kwEnd && isBlank(line.charCodeAt(end - 1))) end--;

    const { flags, next } = TAKES_FLAGS.has(keyword) ? this.readFlags(line, kwEnd, end, map) : { flags: [], next: kwEnd };
    let a = next;
    while (a < end && isBlank(line.charCodeAt(a))) a++;
    const argsText = line.slice(a, end);
    const argsSpan = a < end ? mapSpan(map, a, end) : { start: map.end(next), end: map.end(next) };
    const instruction: Instruction = {
      keyword,
      keywordSpan,
      span: { start: keywordSpan.start, end: map.end(end) },
      flags,
      argsText,
      argsSpan,
      args: [],
      jsonForm: false,
      pairs: [],
      heredocs: [],
      commands: [],
      stageIndex: -1,
    };

    if (!KNOWN_INSTRUCTIONS.has(keyword)) {
      this.error(`Unknown instruction "${clip(line.slice(kwStart, kwEnd))}"`, keywordSpan);
    } else if (a >= end) {
      this.error(`${keyword} requires ${keyword === 'FROM' ? 'an image name' : 'arguments'}`, keywordSpan);
    }
    if (trigger && NOT_ONBUILD_TRIGGERS.has(keyword)) {
      this.error(`${keyword} is not allowed as an ONBUILD trigger`, keywordSpan);
    }
    for (const flag of flags) {
      if (flag.value === '' && flag.valueSpan) this.error(`Flag --${flag.name} needs a value`, flag.span);
    }
    if (a >= end) return instruction;

    if (JSON_CAPABLE.has(keyword)) {
      const strings = parseJsonArray(line, a, end);
      if (strings) {
        instruction.jsonForm = true;
        instruction.args = strings.map((w) => toWord(w, map));
      } else {
        if (keyword === 'SHELL') this.error('SHELL requires the JSON array form, e.g. ["/bin/sh", "-c"]', argsSpan);
        else if (LOOKS_LIKE_JSON.test(argsText)) {
          this.error(`Invalid JSON array; ${keyword} arguments are used in shell form`, argsSpan);
        }
      }
    }
    if (!instruction.jsonForm) {
      const lexed = lexWords(line, a, end, this.escape);
      instruction.args = lexed.words.map((w) => toWord(w, map));
      if (lexed.unterminated >= 0 && LEXED_BY_DOCKER.has(keyword)) {
        this.error('Unterminated quote', mapSpan(map, lexed.unterminated, end));
      }
      switch (keyword) {
        case 'ENV':
        case 'LABEL':
        case 'ARG':
          instruction.pairs = this.readPairs(keyword, line, lexed.words, end, map);
          break;
        case 'RUN':
        case 'CMD':
        case 'ENTRYPOINT':
          instruction.commands = tokenizeShell(argsText, subMap(map, a), { escape: this.escape });
          break;
        case 'HEALTHCHECK':
          this.readHealthcheck(instruction, line, lexed.words, end, map);
          break;
        case 'ONBUILD': {
          const inner = this.parseInstruction(line, map, a, end, true);
          instruction.onbuild = inner;
          break;
        }
      }
    }
    return instruction;
  }

  /** BuildKit's flags: `--name[=value]` words before the arguments; `--` alone ends them. */
  private readFlags(line: string, from: number, to: number, map: OffsetMap): { flags: Flag[]; next: number } {
    const flags: Flag[] = [];
    let i = from;
    for (;;) {
      let j = i;
      while (j < to && isBlank(line.charCodeAt(j))) j++;
      if (j + 1 >= to || line[j] !== '-' || line[j + 1] !== '-') return { flags, next: i };
      const word = scanWord(line, j, to, '\\', true);
      if (word.end - j === 2) return { flags, next: word.end }; // `--`
      const raw = line.slice(j, word.end);
      const eq = raw.indexOf('=');
      const nameEnd = eq < 0 ? word.end : j + eq;
      const flag: Flag = {
        name: line.slice(j + 2, nameEnd),
        span: mapSpan(map, j, word.end),
        nameSpan: mapSpan(map, j + 2, nameEnd),
      };
      if (eq >= 0) {
        flag.value = scanWord(line, nameEnd + 1, word.end, '\\', true).value;
        flag.valueSpan = mapSpan(map, nameEnd + 1, word.end);
      }
      flags.push(flag);
      i = word.end;
    }
  }

  /** `ENV`/`LABEL` pairs (`K=v`, or the legacy `K v w`) and `ARG` names with optional defaults. */
  private readPairs(keyword: string, line: string, words: LineWord[], end: number, map: OffsetMap): KeyValue[] {
    const pairs: KeyValue[] = [];
    if (words.length === 0) return pairs;
    const raw0 = line.slice(words[0].start, words[0].end);
    if (keyword !== 'ARG' && !raw0.includes('=')) {
      const key = words[0];
      const pair: KeyValue = { key: key.value, keySpan: mapSpan(map, key.start, key.end) };
      let v = key.end;
      while (v < end && isBlank(line.charCodeAt(v))) v++;
      if (v < end) {
        pair.value = scanWord(line, v, end, this.escape, false).value;
        pair.valueSpan = mapSpan(map, v, end);
      } else {
        this.error(`${keyword} requires a value: ${keyword} ${clip(key.value)}=value`, pair.keySpan);
      }
      pairs.push(pair);
      return pairs;
    }
    for (const word of words) {
      const eq = line.slice(word.start, word.end).indexOf('=');
      if (eq < 0) {
        const pair: KeyValue = { key: word.value, keySpan: mapSpan(map, word.start, word.end) };
        if (keyword !== 'ARG') this.error(`Expected ${clip(word.value)}=value`, pair.keySpan);
        pairs.push(pair);
        continue;
      }
      const keyEnd = word.start + eq;
      const pair: KeyValue = {
        key: scanWord(line, word.start, keyEnd, this.escape, false).value,
        keySpan: mapSpan(map, word.start, keyEnd),
        value: scanWord(line, keyEnd + 1, word.end, this.escape, false).value,
        valueSpan: mapSpan(map, keyEnd + 1, word.end),
      };
      if (pair.key === '') this.error(`${keyword} name can not be empty`, mapSpan(map, word.start, word.end));
      pairs.push(pair);
    }
    return pairs;
  }

  /** `HEALTHCHECK [flags] CMD command` or `HEALTHCHECK NONE`; args start with the CMD/NONE word. */
  private readHealthcheck(instruction: Instruction, line: string, words: LineWord[], end: number, map: OffsetMap): void {
    const mode = words[0].value.toUpperCase();
    if (mode === 'NONE') {
      if (words.length > 1) this.error('HEALTHCHECK NONE takes no arguments', mapSpan(map, words[1].start, end));
      return;
    }
    if (mode !== 'CMD') {
      this.error('HEALTHCHECK expects CMD or NONE', mapSpan(map, words[0].start, words[0].end));
      return;
    }
    let a = words[0].end;
    while (a < end && isBlank(line.charCodeAt(a))) a++;
    if (a >= end) {
      this.error('HEALTHCHECK CMD requires a command', mapSpan(map, words[0].start, words[0].end));
      return;
    }
    const strings = parseJsonArray(line, a, end);
    if (strings) {
      instruction.jsonForm = true;
      instruction.args = [toWord(words[0], map), ...strings.map((w) => toWord(w, map))];
      return;
    }
    if (LOOKS_LIKE_JSON.test(line.slice(a, end))) {
      this.error('Invalid JSON array; HEALTHCHECK CMD is used in shell form', mapSpan(map, a, end));
    }
    instruction.commands = tokenizeShell(line.slice(a, end), subMap(map, a), { escape: this.escape });
  }

  // ---- heredocs ---------------------------------------------------------------------------------

  /** Reads the bodies of `heads` in order from `line` on; returns the line after the last one. */
  private readHeredocBodies(instruction: Instruction, heads: HeredocHead[], map: OffsetMap, line: number): number {
    const text = this.text;
    const lines = this.starts.length;
    for (const head of heads) {
      const bodyMap = new PieceMap(text.length);
      const parts: string[] = [];
      let length = 0;
      const bodyStart = line < lines ? this.starts[line] : text.length;
      let bodyEnd = bodyStart;
      let endSpan: Span | undefined;
      for (; line < lines; line++) {
        const start = this.starts[line];
        const end = this.ends[line];
        let from = start;
        if (head.stripTabs) while (from < end && text.charCodeAt(from) === 9) from++;
        if (end - from === head.name.length && text.startsWith(head.name, from)) {
          endSpan = { start, end };
          line++;
          break;
        }
        bodyMap.add(length, from);
        const piece = text.slice(from, end) + '\n';
        parts.push(piece);
        length += piece.length;
        bodyEnd = end;
      }
      const heredoc: Heredoc = {
        delimiter: head.name,
        stripTabs: head.stripTabs,
        quoted: head.quoted,
        markerSpan: mapSpan(map, head.start, head.end),
        body: parts.join(''),
        bodySpan: { start: bodyStart, end: bodyEnd },
      };
      if (endSpan) heredoc.endSpan = endSpan;
      else this.error(`Unterminated heredoc: no line "${clip(head.name)}" ends it`, heredoc.markerSpan);
      this.bodyMaps.set(heredoc, bodyMap);
      instruction.heredocs.push(heredoc);
      instruction.span.end = Math.max(instruction.span.end, endSpan ? endSpan.end : bodyEnd);
    }
    return line;
  }

  /** RUN's commands: the shell line's, plus those of heredoc bodies that a shell reads as a script. */
  private runCommands(instruction: Instruction, argsStart: number, map: OffsetMap): ShellCommand[] {
    const scanned = scanShell(instruction.argsText, subMap(map, argsStart), { escape: this.escape });
    const byMarker = new Map<number, Heredoc>();
    for (const h of instruction.heredocs) byMarker.set(h.markerSpan.start, h);
    // `RUN <<EOF` alone: BuildKit runs the body as a file (its shebang or the shell).
    const alone = instruction.heredocs.length === 1 && findHeredocs(instruction.argsText, 0, instruction.argsText.length, true).length === 1;
    const commands: ShellCommand[] = [];
    for (const command of scanned) {
      if (command.words.length > 0) commands.push(command);
      for (const redirect of command.redirects) {
        if (!/^\d*<<(?!<)/.test(redirect.value)) continue;
        const heredoc = byMarker.get(redirect.span.start);
        if (!heredoc) continue;
        const script = command.words.length === 0 ? alone && shebangIsShell(heredoc.body) : feedsShell(command.words);
        const bodyMap = this.bodyMaps.get(heredoc);
        if (script && bodyMap) commands.push(...tokenizeShell(heredoc.body, bodyMap));
      }
    }
    return commands;
  }

  // ---- stages and FROM --------------------------------------------------------------------------

  private place(instruction: Instruction): void {
    this.instructions.push(instruction);
    if (instruction.keyword === 'FROM') {
      this.stages.push(this.stageFor(instruction));
    } else if (this.stages.length === 0 && instruction.keyword === 'ARG') {
      for (const pair of instruction.pairs) this.declareGlobal(pair);
    } else if (this.stages.length === 0 && KNOWN_INSTRUCTIONS.has(instruction.keyword)) {
      this.error(`${instruction.keyword} before the first FROM: only ARG may come before it`, instruction.keywordSpan);
    }
    const index = this.stages.length - 1;
    instruction.stageIndex = index;
    if (instruction.onbuild) instruction.onbuild.stageIndex = index;
    if (index >= 0) {
      const stage = this.stages[index];
      if (stage.from !== instruction) stage.instructions.push(instruction);
      stage.span.end = Math.max(stage.span.end, instruction.span.end);
    }
  }

  private declareGlobal(pair: KeyValue): void {
    if (pair.value === undefined) {
      if (!this.globals.has(pair.key)) this.globals.set(pair.key, { value: undefined, unresolved: true });
      return;
    }
    const expanded = expandVariables(pair.value, (name) => this.globals.get(name));
    this.globals.set(pair.key, expanded.unresolved ? { value: pair.value, unresolved: true } : { value: expanded.value, unresolved: false });
  }

  private stageFor(from: Instruction): Stage {
    const index = this.stages.length;
    const args = from.args;
    const imageWord = args[0];
    const image = this.imageRef(from, imageWord);
    const stage: Stage = { index, from, image, instructions: [], span: { ...from.span } };
    const platform = from.flags.find((f) => f.name === 'platform');
    if (platform?.value !== undefined) stage.platform = platform.value;
    if (args.length >= 2) {
      if (args[1].value.toLowerCase() !== 'as') {
        this.error('Expected FROM image [AS name]', { start: args[1].span.start, end: args[args.length - 1].span.end });
      } else if (args.length === 2) {
        this.error('AS needs a stage name', args[1].span);
      } else {
        const name = args[2].value.toLowerCase();
        stage.name = name;
        stage.nameSpan = args[2].span;
        // A duplicate name is left to the docker/duplicate-stage-name rule.
        if (!STAGE_NAME.test(name)) this.error(`Invalid stage name "${clip(name)}"`, args[2].span);
        if (args.length > 3) this.error('Unexpected text after the stage name', { start: args[3].span.start, end: args[args.length - 1].span.end });
      }
    }
    const base = this.stageNames.get(image.resolved.toLowerCase());
    if (base !== undefined && image.resolved !== '') stage.baseStage = base;
    if (stage.name !== undefined && !this.stageNames.has(stage.name)) this.stageNames.set(stage.name, index);
    return stage;
  }

  private imageRef(from: Instruction, word: Word | undefined): ImageRef {
    if (!word) {
      const at = from.argsSpan.start;
      return { raw: '', resolved: '', unresolved: false, repository: '', span: { start: at, end: at }, scratch: false };
    }
    const raw = word.value;
    const expanded = expandVariables(raw, (name) => this.globals.get(name));
    const resolved = expanded.value;
    const ref: ImageRef = {
      raw,
      resolved,
      unresolved: expanded.unresolved,
      repository: '',
      span: word.span,
      scratch: resolved.toLowerCase() === 'scratch',
    };
    Object.assign(ref, splitImage(resolved));
    if (ref.tag !== undefined) {
      // The tag's span, when the source spells it out after the last `:`.
      const source = this.text.slice(word.span.start, word.span.end);
      const at = source.indexOf('@');
      const base = at < 0 ? source : source.slice(0, at);
      const colon = base.lastIndexOf(':');
      if (colon >= 0 && base.indexOf('/', colon) < 0 && base.slice(colon + 1) === ref.tag) {
        ref.tagSpan = { start: word.span.start + colon + 1, end: word.span.start + base.length };
      }
    }
    return ref;
  }
}

// ---- helpers ------------------------------------------------------------------------------------

function mapSpan(map: OffsetMap, start: number, end: number): Span {
  const s = map.start(start);
  if (end <= start) return { start: s, end: s };
  return { start: s, end: Math.max(s, map.end(end)) };
}

function toWord(w: LineWord, map: OffsetMap): Word {
  return { value: w.value, span: mapSpan(map, w.start, w.end) };
}

/**
 * One Dockerfile-level word from `from`: quotes removed, the escape character escaping the next
 * character (in double quotes only `"`, `$` and itself). With `stopAtBlank` false it reads to `to`,
 * keeping blanks (the legacy `ENV K v w` value).
 */
function scanWord(s: string, from: number, to: number, esc: string, stopAtBlank: boolean): { value: string; end: number; unterminated: number } {
  let value = '';
  let i = from;
  let unterminated = -1;
  const escCode = esc.charCodeAt(0);
  while (i < to) {
    // A run of ordinary characters is copied with one slice.
    let j = i;
    while (j < to) {
      const code = s.charCodeAt(j);
      if (code === escCode || code === 34 || code === 39 || (stopAtBlank && isBlank(code))) break;
      j++;
    }
    if (j > i) {
      value += s.slice(i, j);
      i = j;
      if (i >= to) break;
    }
    const c = s[i];
    if (stopAtBlank && isBlank(s.charCodeAt(i))) break;
    if (c === esc) {
      if (i + 1 < to) value += s[i + 1];
      else value += c;
      i += 2;
    } else if (c === "'") {
      const close = s.indexOf("'", i + 1);
      if (close < 0 || close >= to) {
        unterminated = i;
        value += s.slice(i + 1, to);
        i = to;
      } else {
        value += s.slice(i + 1, close);
        i = close + 1;
      }
    } else {
      // A double quote: the escape character escapes only `"`, `$` and itself inside.
      const quote = i;
      i++;
      let closed = false;
      let k = i;
      while (i < to) {
        const d = s[i];
        if (d === '"') {
          value += s.slice(k, i);
          closed = true;
          i++;
          break;
        }
        if (d === esc && i + 1 < to && (s[i + 1] === '"' || s[i + 1] === '$' || s[i + 1] === esc)) {
          value += s.slice(k, i) + s[i + 1];
          i += 2;
          k = i;
        } else {
          i++;
        }
      }
      if (!closed) {
        value += s.slice(k, i);
        unterminated = quote;
      }
    }
  }
  return { value, end: Math.min(i, to), unterminated };
}

/** Blank-separated words of `s[from, to)` with quotes removed; `unterminated` is where an open quote started, or -1. */
function lexWords(s: string, from: number, to: number, esc: string): { words: LineWord[]; unterminated: number } {
  const words: LineWord[] = [];
  let unterminated = -1;
  let i = from;
  while (i < to) {
    while (i < to && isBlank(s.charCodeAt(i))) i++;
    if (i >= to) break;
    const w = scanWord(s, i, to, esc, true);
    words.push({ value: w.value, start: i, end: w.end });
    if (w.unterminated >= 0 && unterminated < 0) unterminated = w.unterminated;
    i = w.end > i ? w.end : i + 1;
  }
  return { words, unterminated };
}

/**
 * BuildKit's heredoc detection: words of the line (split on blanks, quotes kept) that match
 * `[n]<<[-]NAME`, where NAME with quotes removed is a single word. `whole` requires the entire
 * range to be one such word (the `RUN <<EOF` special case).
 */
function findHeredocs(s: string, from: number, to: number, whole = false): HeredocHead[] {
  const heads: HeredocHead[] = [];
  const words = whole ? [{ start: from, end: to }] : lexWords(s, from, to, '\\').words;
  for (const w of words) {
    const raw = s.slice(w.start, w.end);
    const match = HEREDOC_WORD.exec(raw);
    if (!match || match[3] === '') continue;
    const rest = lexWords(match[3], 0, match[3].length, '\\');
    if (rest.words.length !== 1) continue;
    heads.push({
      name: rest.words[0].value,
      stripTabs: match[2] === '-',
      quoted: /["']/.test(match[3]),
      start: w.start,
      end: w.end,
    });
  }
  return heads;
}

/** Strict JSON array of strings in `s[from, to)`, with each string literal's extent, or undefined. */
function parseJsonArray(s: string, from: number, to: number): LineWord[] | undefined {
  const ws = (k: number) => {
    while (k < to) {
      const c = s.charCodeAt(k);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
      k++;
    }
    return k;
  };
  let i = from;
  if (s[i] !== '[') return undefined;
  i = ws(i + 1);
  const out: LineWord[] = [];
  if (s[i] === ']') return ws(i + 1) === to ? out : undefined;
  for (;;) {
    if (s[i] !== '"') return undefined;
    const str = parseJsonString(s, i, to);
    if (!str) return undefined;
    out.push(str);
    i = ws(str.end);
    if (s[i] === ',') {
      i = ws(i + 1);
      continue;
    }
    if (s[i] === ']') return ws(i + 1) === to ? out : undefined;
    return undefined;
  }
}

function parseJsonString(s: string, from: number, to: number): LineWord | undefined {
  let value = '';
  let i = from + 1;
  while (i < to) {
    const c = s.charCodeAt(i);
    if (c === 34) return { value, start: from, end: i + 1 };
    if (c < 32) return undefined;
    if (c === 92) {
      const d = s[i + 1];
      if (d === 'u') {
        const hex = s.slice(i + 2, i + 6);
        if (i + 6 > to || !/^[0-9a-fA-F]{4}$/.test(hex)) return undefined;
        value += String.fromCharCode(parseInt(hex, 16));
        i += 6;
        continue;
      }
      const simple = JSON_ESCAPES[d];
      if (simple === undefined || i + 1 >= to) return undefined;
      value += simple;
      i += 2;
      continue;
    }
    value += s[i];
    i++;
  }
  return undefined;
}

const JSON_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** Whether a command that reads a heredoc on stdin is a shell running it as a script (`bash -e <<EOF`). */
function feedsShell(words: Word[]): boolean {
  let k = 0;
  while (k < words.length) {
    const v = words[k].value;
    if (ASSIGNMENT.test(v)) k++;
    else if (COMMAND_PREFIXES.has(v)) {
      k++;
      while (k < words.length && (words[k].value.startsWith('-') || ASSIGNMENT.test(words[k].value))) k++;
    } else break;
  }
  if (k >= words.length) return false;
  const program = words[k].value.slice(words[k].value.lastIndexOf('/') + 1);
  if (!SHELLS.has(program)) return false;
  for (k++; k < words.length; k++) {
    const v = words[k].value;
    if (v === '-s') return true;
    if (v.length > 1 && v.includes('c') && /^-[a-zA-Z]+$/.test(v)) return false; // -c, -ec, -xc
    if (v === '-o' || v === '+o') k++;
    else if (!v.startsWith('-') && !v.startsWith('+')) return false; // a script file, not stdin
  }
  return true;
}

/** A heredoc run as a file is a shell script unless its shebang names another interpreter. */
function shebangIsShell(body: string): boolean {
  if (!body.startsWith('#!')) return true;
  const nl = body.indexOf('\n');
  const parts = body.slice(2, nl < 0 ? body.length : nl).trim().split(/\s+/);
  let program = parts[0] ?? '';
  if (program.endsWith('/env')) program = parts.slice(1).find((p) => !p.startsWith('-')) ?? '';
  return SHELLS.has(program.slice(program.lastIndexOf('/') + 1));
}

/**
 * Expands `$VAR`, `${VAR}`, `${VAR:-w}`, `${VAR-w}`, `${VAR:+w}`, `${VAR+w}`, `${VAR:?w}`, `${VAR?w}`.
 * `unresolved` is set when a variable without a known value decides the result.
 */
export function expandVariables(
  s: string,
  lookup: (name: string) => GlobalArg | undefined,
  depth = 0,
): { value: string; unresolved: boolean } {
  if (depth > 16) return { value: '', unresolved: true };
  let value = '';
  let unresolved = false;
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c !== '$') {
      const next = s.indexOf('$', i);
      const stop = next < 0 ? s.length : next;
      value += s.slice(i, stop);
      i = stop;
      continue;
    }
    if (s[i + 1] === '{') {
      let nest = 1;
      let j = i + 2;
      for (; j < s.length; j++) {
        if (s[j] === '{') nest++;
        else if (s[j] === '}' && --nest === 0) break;
      }
      if (j >= s.length) {
        unresolved = true;
        break;
      }
      const inner = s.slice(i + 2, j);
      i = j + 1;
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+?])([\s\S]*))?$/.exec(inner);
      if (!m) {
        unresolved = true;
        continue;
      }
      const arg = lookup(m[1]);
      const known = arg !== undefined && !arg.unresolved;
      const current = known ? arg.value : undefined;
      const op = m[2];
      const word = () => expandVariables(m[3] ?? '', lookup, depth + 1);
      if (op === undefined || op === ':?' || op === '?') {
        if (current === undefined || (op === ':?' && current === '')) unresolved = true;
        else value += current;
      } else if (arg?.unresolved && arg.value !== undefined) {
        unresolved = true; // its default depends on something unknown
      } else if (op === ':-' || op === '-') {
        const useWord = current === undefined || (op === ':-' && current === '');
        if (useWord) {
          const w = word();
          value += w.value;
          unresolved ||= w.unresolved;
        } else value += current;
      } else {
        const useWord = current !== undefined && (op === '+' || current !== '');
        if (useWord) {
          const w = word();
          value += w.value;
          unresolved ||= w.unresolved;
        }
      }
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i + 1, i + 1 + 256));
    if (!name) {
      value += '$';
      i++;
      continue;
    }
    i += 1 + name[0].length;
    const arg = lookup(name[0]);
    if (arg === undefined || arg.unresolved || arg.value === undefined) unresolved = true;
    else value += arg.value;
  }
  return { value, unresolved };
}

/** Splits a resolved image reference into registry, repository, tag and digest. */
export function splitImage(ref: string): { registry?: string; repository: string; tag?: string; digest?: string } {
  const out: { registry?: string; repository: string; tag?: string; digest?: string } = { repository: '' };
  let rest = ref;
  const at = rest.indexOf('@');
  if (at >= 0) {
    out.digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const slash = rest.indexOf('/');
  if (slash > 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      out.registry = first;
      rest = rest.slice(slash + 1);
    }
  }
  const colon = rest.lastIndexOf(':');
  if (colon >= 0 && rest.indexOf('/', colon) < 0) {
    out.tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  out.repository = rest;
  return out;
}
