// The annotation grammar of rule fixtures: reading `ruleid:` / `ok:` comments (and the
// `expected.json` form for files without comments), locating the text they name, and writing an
// annotation back from a finding (the runner suggests it when a finding has none). Knows nothing of
// the engine; test/fixture-runner.ts compares what is read here with what a rule reports.
// The syntax is documented at the top of test/rules.test.ts and in rules/README.md.
import { LineIndex } from '../server/src/core/text';
import { SEVERITIES, type Severity, type Span } from '../server/src/engine/api';

/** Where the flagged text is: its text, which occurrence, and for a multi-line span how it ends. */
export interface Locator {
  /** The span's text; for a multi-line span, its first line (running to the end of that line). */
  text: string;
  /** 1-based: which occurrence of `text` (on the annotated line, or in the file). */
  occurrence: number;
  /** A multi-line span: its last line, from the first non-blank character to the span's end. */
  end?: { text: string; lines?: number };
}

/** A related location or a flow step, as written. */
export interface PlaceSpec {
  /** Fixture-relative path of another file; the finding's own file when absent. */
  file?: string;
  at: Locator;
  message: string;
}

export interface FixSpec {
  title: string;
  safety: 'safe' | 'suggestion';
}

/** One expected finding, as written in an annotation or in expected.json. */
export interface ExpectationSpec {
  ruleId: string;
  messageId: string;
  at: Locator;
  /** Undefined: the rule's default severity. */
  severity?: Severity;
  /** Null: the finding offers no fix. */
  fix: FixSpec | null;
  related: PlaceSpec[];
  flow: PlaceSpec[];
}

/** A `ruleid:` annotation: the expectation and the 0-based line it applies to. */
export interface RuleIdAnnotation {
  spec: ExpectationSpec;
  /** 0-based line of the annotation comment. */
  commentLine: number;
  /** 0-based line the finding must start on: the next line that is neither blank nor an annotation. */
  line: number;
}

export interface OkAnnotation {
  ruleId: string;
  commentLine: number;
  line: number;
}

export interface AnnotationProblem {
  /** 0-based line. */
  line: number;
  message: string;
}

export interface FileAnnotations {
  ruleIds: RuleIdAnnotation[];
  oks: OkAnnotation[];
  /** 0-based lines that hold annotations: occurrences of related text on them are not counted. */
  annotationLines: Set<number>;
  problems: AnnotationProblem[];
}

// A comment in any syntax a fixture may use: `#` (Dockerfile, YAML, HCL, shell, .env), `//` (HCL,
// TypeScript), `--` (SQL), `;` (.npmrc, ini), `/* … */`.
const COMMENT = String.raw`^\s*(?:#|\/\/|--|;|\/\*)\s*`;
const ANNOTATION = new RegExp(`${COMMENT}(ruleid|ok)\\s*:\\s*(.*?)\\s*(?:\\*\\/)?\\s*$`);
const CONTINUATION = new RegExp(`${COMMENT}(related|flow)\\s*:\\s*(.*?)\\s*(?:\\*\\/)?\\s*$`);

export const RULEID_USAGE = 'write `ruleid: <rule-id> <messageId> "<flagged text>"` (then `#<n>`, `... "<last line>"`, `severity=<s>`, `fix="<title>"` or `suggest="<title>"` as needed)';
const PLACE_USAGE = 'write `related: [<file>] "<flagged text>"[#<n>] "<message>"` (or `flow:`)';

type Token =
  | { kind: 'word'; value: string }
  | { kind: 'string'; value: string; occurrence?: number }
  | { kind: 'ellipsis'; lines?: number }
  | { kind: 'option'; key: string; value: string };

/** Splits an annotation body into words, JSON strings (with `#n`), `...` and `key=value` options. */
function tokenize(body: string): Token[] | string {
  const out: Token[] = [];
  let i = 0;
  const quoted = (): string | undefined => {
    let j = i + 1;
    while (j < body.length && body[j] !== '"') j += body[j] === '\\' ? 2 : 1;
    if (j >= body.length) return undefined;
    const raw = body.slice(i, j + 1);
    i = j + 1;
    try {
      return JSON.parse(raw) as string;
    } catch {
      return undefined;
    }
  };
  while (i < body.length) {
    if (/\s/.test(body[i])) {
      i++;
      continue;
    }
    if (body[i] === '"') {
      const value = quoted();
      if (value === undefined) return `unterminated or malformed string in \`${body}\` (strings are JSON: escape \\" and \\\\)`;
      const occurrence = /^#(\d+)/.exec(body.slice(i));
      if (occurrence) i += occurrence[0].length;
      out.push({ kind: 'string', value, occurrence: occurrence ? Number(occurrence[1]) : undefined });
      continue;
    }
    const ellipsis = /^\.\.\.(\d+)?(?=\s|$)/.exec(body.slice(i));
    if (ellipsis) {
      i += ellipsis[0].length;
      out.push({ kind: 'ellipsis', lines: ellipsis[1] ? Number(ellipsis[1]) : undefined });
      continue;
    }
    const option = /^([a-z]+)=/.exec(body.slice(i));
    if (option) {
      i += option[0].length;
      let value: string | undefined;
      if (body[i] === '"') value = quoted();
      else {
        const word = /^\S+/.exec(body.slice(i));
        value = word?.[0];
        i += word ? word[0].length : 0;
      }
      if (value === undefined) return `option ${option[1]}= has no value`;
      out.push({ kind: 'option', key: option[1], value });
      continue;
    }
    const word = /^\S+/.exec(body.slice(i))![0];
    i += word.length;
    out.push({ kind: 'word', value: word });
  }
  return out;
}

/** Reads `"text"[#n] [...[N] "last"]` from the front of `tokens`; undefined when absent or malformed. */
function readLocator(tokens: Token[]): Locator | string | undefined {
  const first = tokens[0];
  if (first?.kind !== 'string') return undefined;
  tokens.shift();
  if (first.occurrence === 0) return 'occurrences count from 1 (`#1` is the first)';
  const at: Locator = { text: first.value, occurrence: first.occurrence ?? 1 };
  if (tokens[0]?.kind === 'ellipsis') {
    const ellipsis = tokens.shift() as Extract<Token, { kind: 'ellipsis' }>;
    const last = tokens.shift();
    if (last?.kind !== 'string' || last.occurrence !== undefined) return '`...` must be followed by the text of the span\'s last line, e.g. `"RUN a && \\\\" ... "b"`';
    if (ellipsis.lines === 0) return '`...N` counts the lines below the first one: at least 1';
    at.end = { text: last.value, lines: ellipsis.lines };
  }
  return at;
}

function parseRuleId(body: string): ExpectationSpec | string {
  const tokens = tokenize(body);
  if (typeof tokens === 'string') return tokens;
  const [ruleId, messageId] = tokens;
  if (ruleId?.kind !== 'word' || messageId?.kind !== 'word') return `\`ruleid: ${body}\` is incomplete: ${RULEID_USAGE}`;
  const rest = tokens.slice(2);
  const at = readLocator(rest);
  if (at === undefined) return `\`ruleid: ${body}\` states no flagged text: ${RULEID_USAGE}`;
  if (typeof at === 'string') return at;
  const spec: ExpectationSpec = { ruleId: ruleId.value, messageId: messageId.value, at, fix: null, related: [], flow: [] };
  for (const token of rest) {
    if (token.kind !== 'option') return `unexpected \`${'value' in token ? token.value : '...'}\` in \`ruleid: ${body}\`: ${RULEID_USAGE}`;
    if (token.key === 'severity') {
      if (!SEVERITIES.includes(token.value as Severity)) return `severity=${token.value}: one of ${SEVERITIES.join(', ')}`;
      spec.severity = token.value as Severity;
    } else if (token.key === 'fix' || token.key === 'suggest') {
      if (spec.fix) return 'one fix per finding: `fix=` or `suggest=`, once';
      spec.fix = { title: token.value, safety: token.key === 'fix' ? 'safe' : 'suggestion' };
    } else return `unknown option ${token.key}= (severity=, fix=, suggest=)`;
  }
  return spec;
}

export function parsePlace(body: string): PlaceSpec | string {
  const tokens = tokenize(body);
  if (typeof tokens === 'string') return tokens;
  const file = tokens[0]?.kind === 'word' ? (tokens.shift() as { value: string }).value : undefined;
  const at = readLocator(tokens);
  if (at === undefined || typeof at === 'string') return at ?? PLACE_USAGE;
  const message = tokens.shift();
  if (message?.kind !== 'string' || message.occurrence !== undefined || tokens.length > 0) return PLACE_USAGE;
  return { file, at, message: message.value };
}

/** Reads every annotation of a file. Problems are returned, never thrown. */
export function readAnnotations(text: string): FileAnnotations {
  const lines = new LineIndex(text);
  const out: FileAnnotations = { ruleIds: [], oks: [], annotationLines: new Set(), problems: [] };
  // Annotations waiting for the code line they apply to.
  let waiting: { kind: 'ruleid' | 'ok'; line: number; spec?: ExpectationSpec; ruleId: string }[] = [];
  let continuing: ExpectationSpec | undefined;
  for (let line = 0; line < lines.lineCount; line++) {
    const content = lines.lineText(line);
    const continuation = CONTINUATION.exec(content);
    if (continuation && continuing) {
      out.annotationLines.add(line);
      const place = parsePlace(continuation[2]);
      if (typeof place === 'string') out.problems.push({ line, message: place });
      else (continuation[1] === 'flow' ? continuing.flow : continuing.related).push(place);
      continue;
    }
    continuing = undefined;
    const annotation = ANNOTATION.exec(content);
    if (annotation) {
      out.annotationLines.add(line);
      if (annotation[1] === 'ok') {
        const ruleId = /^\S+/.exec(annotation[2])?.[0];
        if (!ruleId) out.problems.push({ line, message: '`ok:` names no rule: write `ok: <rule-id>`' });
        else waiting.push({ kind: 'ok', line, ruleId });
        continue;
      }
      const spec = parseRuleId(annotation[2]);
      if (typeof spec === 'string') out.problems.push({ line, message: spec });
      else {
        waiting.push({ kind: 'ruleid', line, spec, ruleId: spec.ruleId });
        continuing = spec;
      }
      continue;
    }
    if (content.trim() === '' || waiting.length === 0) continue;
    for (const w of waiting) {
      if (w.kind === 'ok') out.oks.push({ ruleId: w.ruleId, commentLine: w.line, line });
      else out.ruleIds.push({ spec: w.spec!, commentLine: w.line, line });
    }
    waiting = [];
  }
  for (const w of waiting) out.problems.push({ line: w.line, message: `\`${w.kind}:\` is not followed by a line it could apply to` });
  return out;
}

/** Start offsets of `needle` in `haystack` from `from`, overlapping ones included ("" occurs at every offset). */
function occurrences(haystack: string, needle: string, from = 0, to = haystack.length): number[] {
  const out: number[] = [];
  for (let at = haystack.indexOf(needle, from); at >= 0 && at + needle.length <= to; at = haystack.indexOf(needle, at + 1)) {
    out.push(at);
    if (at >= haystack.length) break;
  }
  return out;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The end of a multi-line span whose first line ends at `firstLine`'s end: where `end` says. */
function locateEnd(lines: LineIndex, firstLine: number, end: NonNullable<Locator['end']>): number | string {
  const matches = (line: number) => {
    const content = lines.lineText(line);
    const indent = content.length - content.trimStart().length;
    return content.slice(indent).startsWith(end.text) ? lines.lineStart(line) + indent + end.text.length : undefined;
  };
  if (end.lines !== undefined) {
    const at = firstLine + end.lines < lines.lineCount ? matches(firstLine + end.lines) : undefined;
    return at ?? `line ${firstLine + end.lines + 1} does not start with ${JSON.stringify(end.text)}`;
  }
  for (let line = firstLine + 1; line < lines.lineCount; line++) {
    const at = matches(line);
    if (at !== undefined) return at;
  }
  return `no line below line ${firstLine + 1} starts with ${JSON.stringify(end.text)}`;
}

/**
 * The span an annotation names on its line (0-based `line`), or why there is none. A multi-line
 * locator's first text must run to the end of the line.
 */
export function locateOnLine(lines: LineIndex, line: number, at: Locator): Span | string {
  const start = lines.lineStart(line);
  const content = lines.lineText(line);
  const found = occurrences(content, at.text);
  const shown = JSON.stringify(at.text);
  if (found.length < at.occurrence) {
    return found.length === 0
      ? `${shown} does not occur on line ${line + 1}`
      : `${shown} occurs ${plural(found.length, 'time')} on line ${line + 1}, not ${at.occurrence}`;
  }
  const from = start + found[at.occurrence - 1];
  if (!at.end) return { start: from, end: from + at.text.length };
  if (found[at.occurrence - 1] + at.text.length !== content.length) return `the first part of a multi-line text, ${shown}, must run to the end of line ${line + 1}`;
  const end = locateEnd(lines, line, at.end);
  return typeof end === 'string' ? end : { start: from, end };
}

/** The span a locator names anywhere in a file, occurrences on annotation lines not counted. */
export function locateInFile(lines: LineIndex, at: Locator, skipLines: ReadonlySet<number> = new Set()): Span | string {
  const found = occurrences(lines.text, at.text).filter((offset) => !skipLines.has(lines.position(offset).line));
  const usable = at.end ? found.filter((offset) => offset + at.text.length === lines.lineEnd(lines.position(offset).line)) : found;
  const shown = JSON.stringify(at.text);
  if (usable.length < at.occurrence) {
    return usable.length === 0 ? `${shown} does not occur in the file${at.end ? ' at the end of a line' : ''}` : `${shown} occurs ${plural(usable.length, 'time')} in the file, not ${at.occurrence}`;
  }
  const from = usable[at.occurrence - 1];
  if (!at.end) return { start: from, end: from + at.text.length };
  const end = locateEnd(lines, lines.position(from).line, at.end);
  return typeof end === 'string' ? end : { start: from, end };
}

/** The comment token the file's own annotations use (`#`, `//`, `;` …), if it has any. */
export function annotationComment(text: string): string | undefined {
  const lines = new LineIndex(text);
  for (let line = 0; line < lines.lineCount; line++) {
    const found = /^\s*(#|\/\/|--|;|\/\*)\s*(?:ruleid|ok)\s*:/.exec(lines.lineText(line));
    if (found) return found[1];
  }
  return undefined;
}

/** 1-based occurrence of the span's exact text in the file, annotation lines not counted. */
export function occurrenceInFile(lines: LineIndex, span: Span, skipLines: ReadonlySet<number> = new Set()): number {
  const found = occurrences(lines.text, lines.text.slice(span.start, span.end)).filter((offset) => !skipLines.has(lines.position(offset).line));
  return Math.max(1, found.indexOf(span.start) + 1);
}

const sameSpan = (a: Span | string, b: Span) => typeof a !== 'string' && a.start === b.start && a.end === b.end;

/**
 * The locator that names `span` in an annotation on its first line (`inFile` false) or anywhere in
 * the file (`inFile` true): the text and occurrence, with `...` and the last line for multi-line
 * spans (and a line count when the last line's text occurs earlier).
 */
export function locatorFor(lines: LineIndex, span: Span, inFile = false, skipLines: ReadonlySet<number> = new Set()): Locator {
  const startLine = lines.position(span.start).line;
  const endPos = lines.position(span.end);
  const locate = (at: Locator) => (inFile ? locateInFile(lines, at, skipLines) : locateOnLine(lines, startLine, at));
  const single = endPos.line === startLine;
  const text = single ? lines.text.slice(span.start, span.end) : lines.text.slice(span.start, lines.lineEnd(startLine));
  const base = inFile ? 0 : lines.lineStart(startLine);
  const haystack = inFile ? lines.text : lines.lineText(startLine);
  let candidates = occurrences(haystack, text).map((o) => o + base);
  if (inFile) candidates = candidates.filter((offset) => !skipLines.has(lines.position(offset).line));
  if (!single) candidates = candidates.filter((offset) => offset + text.length === lines.lineEnd(lines.position(offset).line));
  const occurrence = Math.max(1, candidates.indexOf(span.start) + 1);
  if (single) return { text, occurrence };
  const lastLine = lines.text.slice(lines.lineStart(endPos.line), span.end).trimStart();
  const at: Locator = { text, occurrence, end: { text: lastLine } };
  if (!sameSpan(locate(at), span)) at.end = { text: lastLine, lines: endPos.line - startLine };
  return at;
}

export function formatLocator(at: Locator): string {
  const first = JSON.stringify(at.text) + (at.occurrence !== 1 ? `#${at.occurrence}` : '');
  if (!at.end) return first;
  return `${first} ...${at.end.lines ?? ''} ${JSON.stringify(at.end.text)}`;
}

export function formatPlace(place: PlaceSpec): string {
  return `${place.file ? `${place.file} ` : ''}${formatLocator(place.at)} ${JSON.stringify(place.message)}`;
}

/** The annotation lines that state `spec`, in a file whose comments start with `comment`. */
export function formatAnnotation(spec: ExpectationSpec, comment: string, indent = ''): string[] {
  const parts = [`ruleid: ${spec.ruleId}`, spec.messageId, formatLocator(spec.at)];
  if (spec.severity) parts.push(`severity=${spec.severity}`);
  if (spec.fix) parts.push(`${spec.fix.safety === 'suggestion' ? 'suggest' : 'fix'}=${JSON.stringify(spec.fix.title)}`);
  const close = comment === '/*' ? ' */' : '';
  return [
    `${indent}${comment} ${parts.join(' ')}${close}`,
    ...spec.related.map((p) => `${indent}${comment}   related: ${formatPlace(p)}${close}`),
    ...spec.flow.map((p) => `${indent}${comment}   flow: ${formatPlace(p)}${close}`),
  ];
}

/** One entry of `<fixture>.expected.json` / a folder fixture's `expected.json`. */
export interface JsonExpectation {
  /** Fixture-relative path; optional for a single-file fixture. */
  file?: string;
  ruleId: string;
  messageId: string;
  /** The exact flagged text, line breaks included. */
  text: string;
  /** 1-based occurrence of `text` in the file (default 1). */
  occurrence?: number;
  severity?: Severity;
  fix?: string;
  suggest?: string;
  related?: JsonPlace[];
  flow?: JsonPlace[];
}

export interface JsonPlace {
  file?: string;
  text: string;
  occurrence?: number;
  message: string;
}

const JSON_KEYS = new Set(['file', 'ruleId', 'messageId', 'text', 'occurrence', 'severity', 'fix', 'suggest', 'related', 'flow']);
const PLACE_KEYS = new Set(['file', 'text', 'occurrence', 'message']);

/** Reads expected.json: a list of expectations, with what is wrong in each entry. */
export function readExpectedJson(source: string): { entries: { file?: string; spec: ExpectationSpec; index: number }[]; problems: string[] } {
  const problems: string[] = [];
  const entries: { file?: string; spec: ExpectationSpec; index: number }[] = [];
  let data: unknown;
  try {
    data = JSON.parse(source);
  } catch (error) {
    return { entries, problems: [`not JSON: ${(error as Error).message}`] };
  }
  if (!Array.isArray(data)) return { entries, problems: ['must be a list of expected findings'] };
  const isString = (v: unknown) => typeof v === 'string';
  const isCount = (v: unknown) => v === undefined || (Number.isInteger(v) && (v as number) >= 1);
  const place = (p: JsonPlace, where: string): PlaceSpec | undefined => {
    const extra = Object.keys(p ?? {}).filter((k) => !PLACE_KEYS.has(k));
    if (!p || !isString(p.text) || !isString(p.message) || !isCount(p.occurrence) || extra.length || (p.file !== undefined && !isString(p.file))) {
      problems.push(`${where}: { file?, text, occurrence?, message }${extra.length ? `, not ${extra.join(', ')}` : ''}`);
      return undefined;
    }
    return { file: p.file, at: { text: p.text, occurrence: p.occurrence ?? 1 }, message: p.message };
  };
  data.forEach((raw: JsonExpectation, index) => {
    const where = `entry ${index + 1}`;
    const extra = Object.keys(raw ?? {}).filter((k) => !JSON_KEYS.has(k));
    if (!raw || !isString(raw.ruleId) || !isString(raw.messageId) || !isString(raw.text) || !isCount(raw.occurrence) || extra.length) {
      problems.push(`${where}: needs ruleId, messageId and text (strings), occurrence >= 1 if given${extra.length ? `; unknown keys ${extra.join(', ')}` : ''}`);
      return;
    }
    if (raw.severity !== undefined && !SEVERITIES.includes(raw.severity)) return void problems.push(`${where}: severity ${raw.severity}`);
    if (raw.fix !== undefined && raw.suggest !== undefined) return void problems.push(`${where}: fix or suggest, not both`);
    const fixTitle = raw.fix ?? raw.suggest;
    const related = (raw.related ?? []).map((p, i) => place(p, `${where}, related ${i + 1}`));
    const flow = (raw.flow ?? []).map((p, i) => place(p, `${where}, flow ${i + 1}`));
    if (related.includes(undefined) || flow.includes(undefined)) return;
    entries.push({
      file: raw.file,
      index,
      spec: {
        ruleId: raw.ruleId,
        messageId: raw.messageId,
        at: { text: raw.text, occurrence: raw.occurrence ?? 1 },
        severity: raw.severity,
        fix: isString(fixTitle) ? { title: fixTitle!, safety: raw.fix !== undefined ? 'safe' : 'suggestion' } : null,
        related: related as PlaceSpec[],
        flow: flow as PlaceSpec[],
      },
    });
  });
  return { entries, problems };
}
