// Suppression comments, handled once for every format:
//   # fourfold-ignore docker/user-root, docker/sudo: the base image drops privileges itself
//   # fourfold-ignore docker/sudo until 2027-03-31: vendor script, remove after migration
//   # fourfold-ignore-file docker/healthcheck-missing: health is checked by the orchestrator
// A line comment applies to the next line that is not blank or a comment; when that line starts a
// unit (a Dockerfile instruction, an HCL block or attribute), it covers the whole unit.
import type { Span } from './api';
import { LineIndex } from '../core/text';

export interface SuppressionComment {
  ruleIds: string[];
  reason?: string;
  /** `until YYYY-MM-DD`: after that day the comment no longer suppresses. */
  until?: string;
  /** The comment itself. */
  span: Span;
  /** What it covers: the target line or unit; the whole file for file-wide comments. */
  covers: Span;
  fileWide: boolean;
}

const DIRECTIVE = /(?:^|[\s#/*])fourfold-ignore(-file)?\b[ \t]*([^\r\n]*)/;
const RULE_LIST = /^((?:[\w.-]+\/[\w.-]+|\*)(?:\s*,\s*(?:[\w.-]+\/[\w.-]+|\*))*)(?:\s+until\s+(\d{4}-\d{2}-\d{2}))?\s*(?::\s*(.*))?$/;

/** Whether a line, trimmed, is only a comment in the given syntax. */
function isCommentLine(trimmed: string, prefix: string): boolean {
  return trimmed.startsWith(prefix) || (prefix === '#' && trimmed.startsWith('//'));
}

// The text without a block comment's closer (star-slash, -->) at its end; not a regex, which is
// quadratic on long blanks.
function withoutCommentCloser(text: string): string {
  const trimmed = text.trimEnd();
  for (const closer of ['*/', '-->']) if (trimmed.endsWith(closer)) return trimmed.slice(0, -closer.length);
  return text;
}

export function findSuppressions(lines: LineIndex, commentPrefix: string, units: readonly Span[] = []): SuppressionComment[] {
  if (!lines.text.includes('fourfold-ignore')) return [];
  let nextCode: Int32Array | undefined;
  const found: SuppressionComment[] = [];
  for (let line = 0; line < lines.lineCount; line++) {
    const content = lines.lineText(line);
    const at = content.indexOf(commentPrefix);
    if (at < 0 || !content.includes('fourfold-ignore')) continue;
    const match = DIRECTIVE.exec(content.slice(at));
    if (!match) continue;
    const body = withoutCommentCloser(match[2]).trim();
    const parsed = RULE_LIST.exec(body);
    if (!parsed) continue;
    const lineStart = lines.lineStart(line);
    const span = { start: lineStart + at, end: lines.lineEnd(line) };
    const fileWide = Boolean(match[1]);
    const ownLine = content.slice(0, at).trim() === '';
    let covers: Span;
    if (fileWide) covers = { start: 0, end: lines.text.length };
    else if (!ownLine) covers = { start: lineStart, end: lines.lineEnd(line) };
    else {
      nextCode ??= nextCodeLines(lines, commentPrefix);
      covers = coveredByLineComment(lines, nextCode[line + 1], units);
    }
    found.push({
      ruleIds: parsed[1].split(',').map((id) => id.trim()),
      until: parsed[2],
      reason: parsed[3]?.trim() || undefined,
      span,
      covers,
      fileWide,
    });
  }
  return found;
}

/** For each line, the first line at or after it that is neither blank nor only a comment: one backward pass. */
function nextCodeLines(lines: LineIndex, prefix: string): Int32Array {
  const next = new Int32Array(lines.lineCount + 1);
  next[lines.lineCount] = lines.lineCount;
  for (let line = lines.lineCount - 1; line >= 0; line--) {
    const trimmed = lines.lineText(line).trim();
    next[line] = trimmed !== '' && !isCommentLine(trimmed, prefix) ? line : next[line + 1];
  }
  return next;
}

/** Units are sorted by start: the first one starting at or after `offset`. */
function firstUnitFrom(units: readonly Span[], offset: number): number {
  let lo = 0;
  let hi = units.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (units[mid].start < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function coveredByLineComment(lines: LineIndex, target: number, units: readonly Span[]): Span {
  if (target >= lines.lineCount) return { start: lines.text.length, end: lines.text.length };
  const start = lines.lineStart(target);
  const end = lines.lineEnd(target);
  // The widest unit that starts on the target line: an instruction with its continuations, a block.
  let covers: Span = { start, end };
  for (let i = firstUnitFrom(units, start); i < units.length && units[i].start <= end; i++) {
    if (units[i].end > covers.end) covers = { start, end: units[i].end };
  }
  return covers;
}

/** The comment that suppresses `ruleId` for a finding at `span`, if any. */
export function suppressionFor(comments: readonly SuppressionComment[], ruleId: string, span: Span, today: string): SuppressionComment | undefined {
  return suppressionsFor(comments, [{ ruleId, span }], today)[0];
}

/**
 * For each finding, the first comment (in file order) that suppresses it. One sweep in position
 * order: comments enter when the text they cover starts and leave when it ends, so each finding is
 * compared with the comments covering its position only (a few nested units), and file-wide
 * comments are looked up by rule. Linear in comments plus findings for real files, where a file
 * with one ignore comment per line used to cost comments x findings.
 */
export function suppressionsFor(
  comments: readonly SuppressionComment[],
  findings: readonly { ruleId: string; span: Span }[],
  today: string,
): (SuppressionComment | undefined)[] {
  const order = new Map<SuppressionComment, number>();
  const fileWide = new Map<string, SuppressionComment>();
  const inline: SuppressionComment[] = [];
  comments.forEach((c, i) => {
    if (c.until && c.until < today) return;
    order.set(c, i);
    if (!c.fileWide) inline.push(c);
    else for (const id of c.ruleIds) if (!fileWide.has(id)) fileWide.set(id, c);
  });
  inline.sort((a, b) => a.covers.start - b.covers.start);
  const first = (a: SuppressionComment | undefined, b: SuppressionComment | undefined) => (!a || (b && order.get(b)! < order.get(a)!) ? b : a);
  const queries = findings.map((f, i) => i).sort((a, b) => findings[a].span.start - findings[b].span.start);
  const out: (SuppressionComment | undefined)[] = new Array(findings.length);
  let open: SuppressionComment[] = [];
  let next = 0;
  for (const i of queries) {
    const { ruleId, span } = findings[i];
    while (next < inline.length && inline[next].covers.start <= span.start) open.push(inline[next++]);
    if (open.some((c) => c.covers.end < span.start)) open = open.filter((c) => c.covers.end >= span.start);
    let found = first(fileWide.get(ruleId), fileWide.get('*'));
    for (const c of open) if (c.ruleIds.includes(ruleId) || c.ruleIds.includes('*')) found = first(found, c);
    out[i] = found;
  }
  return out;
}

/** Text to insert where the reason is a placeholder: the editor turns it into a snippet. */
export interface CommentInsertion {
  offset: number;
  before: string;
  placeholder: string;
  after: string;
}

export function insertionText(insertion: CommentInsertion): string {
  return insertion.before + insertion.placeholder + insertion.after;
}

/**
 * "Ignore on this line": a comment above the line on which the innermost unit containing the finding
 * starts, so a finding inside a continued RUN is ignored above the RUN.
 */
export function ignoreLineInsertion(
  lines: LineIndex,
  commentPrefix: string,
  ruleId: string,
  span: Span,
  units: readonly Span[],
): CommentInsertion {
  let best: Span | undefined;
  for (const unit of units) {
    if (unit.start <= span.start && span.start < Math.max(unit.end, unit.start + 1)) {
      if (!best || unit.end - unit.start < best.end - best.start) best = unit;
    }
  }
  const line = lines.position(best ? best.start : span.start).line;
  const indent = /^[ \t]*/.exec(lines.lineText(line))![0];
  return {
    offset: lines.lineStart(line),
    before: `${indent}${commentPrefix} fourfold-ignore ${ruleId}: `,
    placeholder: 'reason',
    after: lines.eol,
  };
}

/** "Ignore in this file": at the top, after any header lines that must stay first (parser directives). */
export function ignoreFileInsertion(lines: LineIndex, commentPrefix: string, ruleId: string, headerEnd: number): CommentInsertion {
  const needsBreakBefore = headerEnd > 0 && !/[\r\n]$/.test(lines.text.slice(0, headerEnd));
  return {
    offset: headerEnd,
    before: `${needsBreakBefore ? lines.eol : ''}${commentPrefix} fourfold-ignore-file ${ruleId}: `,
    placeholder: 'reason',
    after: lines.eol,
  };
}
