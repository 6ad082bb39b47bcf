// Applying text edits to a string: used by the fixture tests and the CLI, never by the editor (which applies LSP edits).
import type { Edit } from './api';

/**
 * The edits of `fixes` that can be applied together, in order: a fix whose edits overlap an earlier
 * fix's is left out whole, never merged or applied in part, so a fix can never eat other text.
 */
export function compatibleEdits(fixes: readonly (readonly Edit[])[]): { edits: Edit[]; fixes: number } {
  const taken: Edit[] = [];
  let count = 0;
  const overlaps = (a: Edit, b: Edit) => a.span.start < b.span.end && b.span.start < a.span.end;
  for (const edits of fixes) {
    if (edits.some((e) => taken.some((t) => overlaps(e, t)))) continue;
    taken.push(...edits);
    count++;
  }
  return { edits: taken.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end), fixes: count };
}

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
    lastEnd = edit.span.end;
  }
  let out = '';
  let cursor = 0;
  for (const edit of kept) {
    out += text.slice(cursor, edit.span.start) + edit.newText;
    cursor = edit.span.end;
  }
  return { text: out + text.slice(cursor), applied: kept.length };
}
