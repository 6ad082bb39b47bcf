// Shared by the hcl-*.test.ts files: corpus discovery and span-free comparison of model nodes.
import fs from 'node:fs';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const kicsTerraform = path.resolve(repoRoot, '../shared/corpus/kics/terraform');

export function listFiles(dir: string, pattern: RegExp, out: string[] = []): string[] {
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) listFiles(full, pattern, out);
    else if (pattern.test(entry.name)) out.push(full);
  }
  return out;
}

const SPAN_KEYS = new Set(['span', 'nameSpan', 'valueSpan', 'typeSpan', 'openBraceSpan', 'closeBraceSpan']);

/** The node as plain data without any ranges, for "same node" comparisons. */
export function withoutSpans(node: unknown): unknown {
  return JSON.parse(JSON.stringify(node, (key, value) => (SPAN_KEYS.has(key) ? undefined : value)));
}
