// Applying text edits to a string: used by the fixture tests and the CLI, never by the editor (which applies LSP edits).
import type { Edit } from './api';

/**
 * Applies non-overlapping edits to `text`. Edits that overlap an earlier one (by start offset) are
 * skipped, never merged, so a fix can never eat the user's other text.
 */
export function applyEdits(text: string, edits: readonly Edit[]): { text: string; applied: number } {
  const sorted = [...edits].sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
  const kept: Edit[] = [];
  let lastEnd = -1;
  for (const edit of sorted) {
    if (edit.span.start < lastEnd) continue;
    kept.push(edit);
    lastEnd = Math.max(edit.span.end, edit.span.start === edit.span.end ? edit.span.start : edit.span.end);
  }
  let out = '';
  let cursor = 0;
  for (const edit of kept) {
    out += text.slice(cursor, edit.span.start) + edit.newText;
    cursor = edit.span.end;
  }
  return { text: out + text.slice(cursor), applied: kept.length };
}
