// Small read-only helpers over the model for rules and the engine: finding attributes and blocks,
// literal strings, traversals, and the comments that annotate a node (for `fourfold-ignore`).
import type { Span } from '../../core/span';
import type { Attribute, Block, Body, BodyItem, Comment, Expression, HclFile } from './ast';

export function getAttribute(body: Body, name: string): Attribute | undefined {
  for (const item of body.items) if (item.kind === 'attribute' && item.name === name) return item;
  return undefined;
}

export function getBlocks(body: Body, type: string): Block[] {
  return body.items.filter((item): item is Block => item.kind === 'block' && item.type === type);
}

/** The string if the expression is a quoted string or heredoc without interpolations. */
export function staticString(expr: Expression): string | undefined {
  if (expr.kind !== 'template' || expr.parts.some((p) => p.kind !== 'literal')) return undefined;
  return expr.parts.map((p) => (p.kind === 'literal' ? p.value : '')).join('');
}

/** `aws_s3_bucket.logs.id` → ['aws_s3_bucket', 'logs', 'id']; indexes with literal keys included. */
export function traversalPath(expr: Expression): (string | number)[] | undefined {
  const out: (string | number)[] = [];
  let node: Expression = expr;
  for (let i = 0; i < 10_000; i++) {
    if (node.kind === 'variable') return [node.name, ...out.reverse()];
    if (node.kind === 'getattr') {
      out.push(node.name);
      node = node.object;
    } else if (node.kind === 'index') {
      const key = node.key.kind === 'literal' && typeof node.key.value === 'number' ? node.key.value : staticString(node.key);
      if (key === undefined) return undefined;
      out.push(key);
      node = node.collection;
    } else return undefined;
  }
  return undefined;
}

/**
 * The comments that annotate a block or attribute: the unbroken run of whole-line comments right
 * above it, and a comment that ends its first line. `text` is the file's text.
 */
export function annotatingComments(file: HclFile, text: string, node: BodyItem | { span: Span }): Comment[] {
  const comments = file.comments;
  const out: Comment[] = [];
  // Binary search: the first comment that starts at or after the node.
  let lo = 0;
  let hi = comments.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (comments[mid].span.start < node.span.start) lo = mid + 1;
    else hi = mid;
  }
  let boundary = lineStart(text, node.span.start);
  for (let i = lo - 1; i >= 0; i--) {
    const comment = comments[i];
    const between = text.slice(comment.span.end, boundary);
    if (!blankLineBreak(between)) break;
    const start = lineStart(text, comment.span.start);
    if (text.slice(start, comment.span.start).trim() !== '') break;
    out.unshift(comment);
    boundary = start;
  }
  const firstLineEnd = lineEnd(text, node.span.start);
  for (let i = lo; i < comments.length && comments[i].span.start <= firstLineEnd; i++) {
    if (comments[i].span.start >= node.span.start) out.push(comments[i]);
  }
  return out;
}

function lineStart(text: string, offset: number): number {
  let i = offset;
  while (i > 0 && text.charCodeAt(i - 1) !== 10) i--;
  return i;
}

function lineEnd(text: string, offset: number): number {
  const i = text.indexOf('\n', offset);
  return i < 0 ? text.length : i;
}

/**
 * Whether `text` is blanks (spaces, tabs) with at most one line break among them: what may lie
 * between a comment and what it documents. A loop: `/^[ \t]*\r?\n?[ \t]*$/` is quadratic on long blanks.
 */
function blankLineBreak(text: string): boolean {
  let i = 0;
  const blank = () => {
    while (i < text.length && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  };
  blank();
  if (text.charCodeAt(i) === 13) i++;
  if (text.charCodeAt(i) === 10) i++;
  blank();
  return i === text.length;
}
