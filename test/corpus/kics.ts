// Where the tests find KICS's labelled samples (test/corpus/kics, Apache-2.0, see its README) and
// the scorer written for them. The corpus is part of the repository: a test that reads it fails,
// never skips, when it is missing or holds fewer files than it should.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

export const kicsRoot = path.resolve(__dirname, 'kics');
export const kicsScorer = path.resolve(__dirname, 'score-kics.mjs');

/** Sample files of the corpus in this repository, by platform folder. */
export const KICS_SAMPLE_COUNTS = {
  /** `*.dockerfile` under dockerfile/: 70 positive and 96 negative samples. */
  dockerfile: 166,
  /** `*.tf` under terraform/. */
  terraformTf: 1612,
  /** `*.tf` and `*.tfvars` under terraform/ (one `terraform.tfvars`, a support file). */
  terraformTfAndTfvars: 1613,
} as const;

/** Files under `dir` whose name matches `pattern`, sorted by path; [] when `dir` does not exist. */
export function listFiles(dir: string, pattern: RegExp, out: string[] = []): string[] {
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) listFiles(full, pattern, out);
    else if (pattern.test(entry.name)) out.push(full);
  }
  return out;
}

/**
 * The corpus files of one platform folder (e.g. `dockerfile`, `terraform`) matching `pattern`.
 * Fails, naming the folder, unless exactly `expected` files are there: a test must not pass by
 * looping over nothing, nor over a corpus that lost files.
 */
export function kicsFiles(platform: string, pattern: RegExp, expected: number): string[] {
  const dir = path.join(kicsRoot, platform);
  const files = listFiles(dir, pattern);
  assert.equal(
    files.length,
    expected,
    `${path.relative(process.cwd(), dir) || dir}: expected ${expected} files matching ${pattern}, found ${files.length}. ` +
      'The KICS corpus is part of the repository (test/corpus/kics); restore it with git.',
  );
  return files;
}
