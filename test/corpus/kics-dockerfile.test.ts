// Conformance against KICS's own labelled Dockerfile samples (../shared/corpus/kics, Apache-2.0):
// the CLI's SARIF over the corpus, scored by ../shared/tools/score-kics.mjs. The constants are what
// the rules reach today; raise them as rules improve, never lower them to make a change pass.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { cliPrefix, repoRoot } from '../cli/helpers';

/** Strict recall on the expected (file, line) pairs of the KICS Dockerfile queries our rules map. */
const MIN_RECALL_STRICT = 0.89;
/** Lenient (build-stage level) recall on the same pairs. */
const MIN_RECALL_LENIENT = 0.98;
/** KICS Dockerfile queries that at least one rule maps (properties.kics). */
const MIN_MAPPED_QUERIES = 39;
/** Negative sample files of a mapped query in which one of its rules still fires. */
const MAX_FALSE_POSITIVE_FILES = 6;

const shared = path.resolve(repoRoot, '../shared');
const corpus = path.join(shared, 'corpus/kics/dockerfile');
const scorer = path.join(shared, 'tools/score-kics.mjs');
const missing = !fs.existsSync(corpus) || !fs.existsSync(scorer);

interface PlatformScore {
  queries: number;
  mapped: number;
  expected: number;
  strict: number;
  lenient: number;
  recallStrict: number | null;
  recallLenient: number | null;
  fpFiles: number;
  negativeFiles: number;
  fpResults: number;
}

describe('KICS Dockerfile corpus', { skip: missing && `no corpus at ${corpus}` }, () => {
  it('keeps recall, mapping and false alarms at the level reached', (t) => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'fourfold-kics-'));
    const sarif = path.join(out, 'out.sarif');
    const scan = spawnSync(process.execPath, [...cliPrefix(), 'scan', corpus, '--format', 'sarif', '--output', sarif, '--fail-on', 'none', '--quiet'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    assert.equal(scan.status, 0, scan.stderr);

    const json = path.join(out, 'out.json');
    // The real path: the scorer runs its main() only when argv[1] is its own resolved file name.
    const scored = spawnSync(process.execPath, [fs.realpathSync(scorer), sarif, '--json', json, '--misses', '10'], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(scored.status, 0, scored.stderr);
    assert.ok(fs.existsSync(json), `score-kics.mjs wrote no ${json}: ${scored.stdout}${scored.stderr}`);
    const score = (JSON.parse(fs.readFileSync(json, 'utf8')) as { byPlatform: Record<string, PlatformScore>; stats: { outsideCorpus: number } })
      .byPlatform.dockerfile;
    const pct = (x: number | null) => (x === null ? '—' : `${(100 * x).toFixed(1)}%`);
    t.diagnostic(
      `mapped ${score.mapped}/${score.queries} queries; strict recall ${pct(score.recallStrict)} (${score.strict}/${score.expected}); ` +
        `lenient ${pct(score.recallLenient)} (${score.lenient}/${score.expected}); FP files ${score.fpFiles}/${score.negativeFiles} (${score.fpResults} results)`,
    );
    const detail = `\n${scored.stdout}`;
    assert.ok(score.mapped >= MIN_MAPPED_QUERIES, `mapped queries ${score.mapped} < ${MIN_MAPPED_QUERIES}${detail}`);
    assert.ok((score.recallStrict ?? 0) >= MIN_RECALL_STRICT, `strict recall ${pct(score.recallStrict)} < ${pct(MIN_RECALL_STRICT)}${detail}`);
    assert.ok((score.recallLenient ?? 0) >= MIN_RECALL_LENIENT, `lenient recall ${pct(score.recallLenient)} < ${pct(MIN_RECALL_LENIENT)}${detail}`);
    assert.ok(score.fpFiles <= MAX_FALSE_POSITIVE_FILES, `false-positive files ${score.fpFiles} > ${MAX_FALSE_POSITIVE_FILES}${detail}`);
  });
});
