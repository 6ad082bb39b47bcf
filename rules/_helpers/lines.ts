// Line numbers for messages that point at another line ("declared on line 12"), for any model:
// one LineIndex per analysis, shared by every rule that asks, each lookup a binary search.
import { LineIndex, type Index, type ModelKind, type Source } from '../_api';

export const LINES: Index<ModelKind, LineIndex> = {
  name: 'lines',
  compute: (source) => new LineIndex(source.text),
};

/** 1-based line of an offset. */
export function lineOf(source: Source, offset: number): number {
  return source.index(LINES).position(offset).line + 1;
}
