// Trimming characters off the end of a string in one backward pass. An end-anchored regex such as
// `/\/+$/` is tried at every start position and rescans each run it cannot finish at the end, so it
// is quadratic on a long run of those characters followed by anything else; these loops are linear.

const SLASH = 47;
const WHITESPACE = /^\s$/;

/** `s` without its trailing characters for which `drop` holds (given a UTF-16 code unit). */
export function trimEndWhere(s: string, drop: (code: number) => boolean): string {
  let end = s.length;
  while (end > 0 && drop(s.charCodeAt(end - 1))) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** `s` without trailing slashes: what `s.replace(/\/+$/, '')` gives. */
export function withoutTrailingSlashes(s: string): string {
  return trimEndWhere(s, (code) => code === SLASH);
}

/** Whether a UTF-16 code unit is one that `\s` matches (every such character is a single code unit). */
export function isWhitespaceCode(code: number): boolean {
  return WHITESPACE.test(String.fromCharCode(code));
}
