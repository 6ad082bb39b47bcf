// Conformance against KICS's own labelled Dockerfile samples (test/corpus/kics, Apache-2.0): the
// CLI's SARIF over the corpus, scored by test/corpus/score-kics.mjs. The figures are exact: when a
// rule change moves one, the test fails and shows the scorer's report; update the constant in the
// same commit, saying why (a lower recall or more false alarms needs a reason a reviewer accepts).
// Strict recall counts a finding whose range contains the expected line, so a range wider than the
// offending instruction would buy recall it did not earn: every result's range is checked too.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import { parseDockerfile } from '../../server/src/parsers/dockerfile';
import { LineIndex } from '../../server/src/core/text';
import { cliPrefix, repoRoot } from '../cli/helpers';
import { KICS_SAMPLE_COUNTS, kicsFiles, kicsRoot, kicsScorer } from './kics';

/** What the scorer reports for the KICS Dockerfile platform today. */
const EXPECTED_SCORE = {
  /** KICS Dockerfile queries (48 in the corpus) that at least one rule maps (properties.kics). */
  mapped: 39,
  /** Expected (file, line) pairs of the mapped queries. */
  expected: 103,
  /** Pairs where a mapped rule's finding starts on, or spans, the expected line (89.3%). */
  strict: 92,
  /** Pairs where such a finding overlaps the expected build stage (98.1%). */
  lenient: 101,
  /** Negative sample files of the mapped queries. */
  negativeFiles: 78,
  /** Negative files of a mapped query in which one of its rules still fires. */
  fpFiles: 6,
  /** Results of a mapped query's rules in its own negative files. */
  fpResults: 8,
};

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

interface SarifRegion {
  startLine: number;
  endLine?: number;
}

interface SarifLog {
  runs: {
    originalUriBaseIds: Record<string, { uri: string }>;
    results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region: SarifRegion } }[] }[];
  }[];
}

/** Results of every rule (mapped to KICS or not) over the 166 samples. */
const SCAN_RESULTS = 1285;

const corpus = path.join(kicsRoot, 'dockerfile');

describe('KICS Dockerfile corpus', () => {
  let out: string;
  let sarifFile: string;

  before(() => {
    kicsFiles('dockerfile', /\.dockerfile$/, KICS_SAMPLE_COUNTS.dockerfile);
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'fourfold-kics-'));
    sarifFile = path.join(out, 'out.sarif');
    const scan = spawnSync(process.execPath, [...cliPrefix(), 'scan', corpus, '--format', 'sarif', '--output', sarifFile, '--fail-on', 'none', '--quiet'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    assert.equal(scan.status, 0, scan.stderr);
  });

  it('the scorer passes its self-test on the corpus', () => {
    const self = spawnSync(process.execPath, [kicsScorer, '--self-test', '--corpus', kicsRoot], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(self.status, 0, self.stderr);
    assert.equal(
      self.stdout,
      [
        'perfect: strict 100.0%, lenient 100.0%, FP files 0',
        'empty: strict 0.0%, lenient 0.0%',
        'resource-start: strict 23.3%, lenient 100.0%',
        'path forms + 1 FP: 1/1 strict for dockerfile/add_instead_of_copy, FP files 1',
        'self-test passed',
        '',
      ].join('\n'),
    );
  });

  it('keeps recall, mapping and false alarms exactly where they are', (t) => {
    const json = path.join(out, 'out.json');
    const scored = spawnSync(process.execPath, [kicsScorer, sarifFile, '--corpus', kicsRoot, '--json', json, '--misses', '10'], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(scored.status, 0, scored.stderr);
    const result = JSON.parse(fs.readFileSync(json, 'utf8')) as { byPlatform: Record<string, PlatformScore>; stats: { outsideCorpus: number; noRegion: number } };
    const score = result.byPlatform.dockerfile;
    const pct = (x: number | null) => (x === null ? '—' : `${(100 * x).toFixed(1)}%`);
    t.diagnostic(
      `mapped ${score.mapped}/${score.queries} queries; strict recall ${pct(score.recallStrict)} (${score.strict}/${score.expected}); ` +
        `lenient ${pct(score.recallLenient)} (${score.lenient}/${score.expected}); FP files ${score.fpFiles}/${score.negativeFiles} (${score.fpResults} results)`,
    );
    const actual = Object.fromEntries(Object.keys(EXPECTED_SCORE).map((k) => [k, score[k as keyof PlatformScore]]));
    assert.deepEqual(actual, EXPECTED_SCORE, `the scorer's report:\n${scored.stdout}`);
    assert.deepEqual({ outsideCorpus: result.stats.outsideCorpus, noRegion: result.stats.noRegion }, { outsideCorpus: 0, noRegion: 0 });
  });

  it("every result's range stays on one line or within the lines of one instruction", () => {
    const [run] = (JSON.parse(fs.readFileSync(sarifFile, 'utf8')) as SarifLog).runs;
    const instructionLines = new Map<string, [number, number][]>();
    const linesOf = (uri: string, base: string): [number, number][] => {
      let ranges = instructionLines.get(uri);
      if (!ranges) {
        const text = fs.readFileSync(fileURLToPath(new URL(uri, run.originalUriBaseIds[base].uri)), 'utf8');
        const lines = new LineIndex(text);
        ranges = parseDockerfile(text).model.instructions.map((i) => [lines.position(i.span.start).line + 1, lines.position(i.span.end).line + 1]);
        instructionLines.set(uri, ranges);
      }
      return ranges;
    };
    const wide: string[] = [];
    let results = 0;
    for (const result of run.results) {
      for (const location of result.locations) {
        results++;
        const { uri, uriBaseId } = location.physicalLocation.artifactLocation;
        const { startLine, endLine = startLine } = location.physicalLocation.region;
        if (endLine === startLine) continue;
        if (!linesOf(uri, uriBaseId).some(([from, to]) => from <= startLine && endLine <= to)) wide.push(`${uri}:${startLine}-${endLine} ${result.ruleId}`);
      }
    }
    assert.equal(results, SCAN_RESULTS, 'results in the scan');
    assert.deepEqual(wide, [], 'results whose range spans more than one instruction');
  });
});
