// The shared kernel: what parsers, the engine, the rules and the hosts all speak. Imports nothing.

/** Half-open range of UTF-16 code-unit offsets into a document's text. */
export interface Span {
  start: number;
  end: number;
}

/**
 * A replacement of `span` by `newText`; an insertion has `start === end`. `path` names another
 * file of the workspace (relative, forward slashes) when the edit is not in the finding's file;
 * `create` makes that file with `newText` as its whole content (the span is then ignored).
 */
export interface Edit {
  span: Span;
  newText: string;
  path?: string;
  create?: boolean;
}

export interface ParseError {
  message: string;
  span: Span;
}

/** Every parser returns this and never throws on user input. */
export interface Parsed<M> {
  model: M;
  errors: ParseError[];
}

/** `span` moved inside [0, length]. */
export function clampSpan(span: Span, length: number): Span {
  const start = Math.max(0, Math.min(span.start, length));
  return { start, end: Math.max(start, Math.min(span.end, length)) };
}

export function spansOverlap(a: Span, b: Span): boolean {
  return a.start < b.end && b.start < a.end;
}
