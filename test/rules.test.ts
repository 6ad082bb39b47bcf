// One generic test for every rule: it walks rules/*/*/fixtures/ and checks each fixture against the
// annotations written inside it (Semgrep style):
//   # ruleid: docker/user-root   -> the rule must report a finding starting on the next code line
//   # ok: docker/user-root       -> documents a look-alike that must stay silent
// Every finding of the rule must sit on an annotated line, and every annotated line must get one.
// Where `<name>.fixed.<ext>` sits beside a fixture, applying all of the rule's fixes to the fixture must
// give that file byte for byte; the result must parse without new errors and lose the fixed findings.
// `fixtures/settings.json` (optional) holds settings for the folder, e.g. {"trustedRegistries": [...]}.
// Fixtures are checked as on FIXTURE_DAY (or `"today"` in settings.json), so date-dependent rules
// (end of life, expiring suppressions) give the same answer in every year.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { allRules } from '../rules/index';
import { Engine } from '../server/src/engine/engine';
import { loadShippedData } from '../server/src/workspace/data';
import { Workspace } from '../server/src/workspace/workspace';
import { applyEdits } from '../server/src/engine/edits';
import { defaultConfig, type Config } from '../server/src/engine/config';
import { LineIndex } from '../server/src/core/text';
import type { AnyRule as Rule, Finding } from '../server/src/engine/api';

const root = path.resolve(__dirname, '..');
const FIXTURE_DAY = '2026-11-26';
const ANNOTATION = /^\s*(?:#|\/\/)\s*(ruleid|ok)\s*:\s*([\w./-]+)/;

function fixtureFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...fixtureFiles(full));
    else if (!/\.fixed(\.|$)/.test(entry.name) && entry.name !== 'settings.json' && !entry.name.startsWith('.')) out.push(full);
  }
  return out.sort();
}

/** 1-based lines that the annotations say must carry a finding of `ruleId`. */
function expectedLines(text: string, ruleId: string): number[] {
  const lines = text.split(/\r\n|\r|\n/);
  const expected: number[] = [];
  let pending = false;
  lines.forEach((line, i) => {
    const match = ANNOTATION.exec(line);
    if (match) {
      if (match[1] === 'ruleid' && match[2] === ruleId) pending = true;
      return;
    }
    if (pending && line.trim() !== '') {
      expected.push(i + 1);
      pending = false;
    }
  });
  return expected;
}

type FixtureSettings = Partial<Config> & { today?: string };

function engineFor(rule: Rule, settings: FixtureSettings): Engine {
  const { today: _today, ...rest } = settings;
  const config = { ...defaultConfig(), ...rest };
  // Only the rule under test runs, plus nothing else: every other rule is turned off.
  config.rules = Object.fromEntries(allRules.map((r) => [r.id, r.id === rule.id ? 'on' : 'off']));
  return new Engine([rule], config, { today: () => settings.today ?? FIXTURE_DAY, loadData: loadShippedData });
}

/** Checks a fixture as part of a workspace rooted at its fixtures folder, with fixes built. */
function check(engine: Engine, file: string, text: string): Finding[] {
  const dir = file.slice(0, file.indexOf(`${path.sep}fixtures${path.sep}`) + '/fixtures'.length);
  const workspace = new Workspace(dir, engine);
  const relPath = path.relative(dir, file).split(path.sep).join('/');
  const result = workspace.check({ path: relPath, text }, { fixes: true });
  assert.deepEqual(result.ruleErrors, [], `rule threw on ${relPath}`);
  return result.findings.filter((f) => !f.suppression);
}

for (const rule of allRules) {
  const dir = path.join(root, 'rules', rule.id, 'fixtures');
  const settingsFile = path.join(dir, 'settings.json');
  const settings = fs.existsSync(settingsFile) ? (JSON.parse(fs.readFileSync(settingsFile, 'utf8')) as FixtureSettings) : {};
  const engine = engineFor(rule, settings);

  test(`${rule.id} has fixtures`, () => {
    const files = fixtureFiles(dir);
    assert.ok(files.length > 0, `rules/${rule.id}/fixtures/ has no fixture`);
    const annotated = files.some((f) => expectedLines(fs.readFileSync(f, 'utf8'), rule.id).length > 0);
    assert.ok(annotated, `no fixture of ${rule.id} has a "ruleid: ${rule.id}" annotation`);
  });

  for (const file of fixtureFiles(dir)) {
    const name = path.relative(dir, file);
    const text = fs.readFileSync(file, 'utf8');

    test(`${rule.id} fires where annotated in ${name}`, () => {
      const lines = new LineIndex(text);
      const findings = check(engine, file, text).filter((f) => f.ruleId === rule.id);
      const actual = [...new Set(findings.map((f) => lines.position(f.span.start).line + 1))].sort((a, b) => a - b);
      assert.deepEqual(actual, expectedLines(text, rule.id), `lines with findings of ${rule.id} in ${name}`);
    });

    const ext = path.extname(file);
    const fixedFile = ext ? file.slice(0, -ext.length) + '.fixed' + ext : file + '.fixed';
    if (!fs.existsSync(fixedFile)) continue;
    test(`${rule.id} fix applied to ${name} gives ${path.basename(fixedFile)}`, () => {
      const before = check(engine, file, text).filter((f) => f.ruleId === rule.id);
      const fixable = before.filter((f) => f.fix);
      assert.ok(fixable.length > 0, `no finding in ${name} offers a fix`);
      const { text: fixed, applied } = applyEdits(text, fixable.flatMap((f) => f.fix!.edits));
      assert.equal(fixed, fs.readFileSync(fixedFile, 'utf8'), `fixed text of ${name}`);
      assert.equal(applied, fixable.flatMap((f) => f.fix!.edits).length, 'some fix edits overlapped');
      const parsedBefore = engine.analyze({ path: file, text })!;
      const parsedAfter = engine.analyze({ path: file, text: fixed })!;
      assert.ok(parsedAfter.parseErrors.length <= parsedBefore.parseErrors.length, `the fix introduced parse errors: ${JSON.stringify(parsedAfter.parseErrors)}`);
      const after = check(engine, file, fixed).filter((f) => f.ruleId === rule.id);
      assert.equal(after.length, before.length - fixable.length, 'findings left after the fix');
      assert.ok(after.every((f) => !f.fix), 'a fixable finding survived its fix');
    });
  }
}
