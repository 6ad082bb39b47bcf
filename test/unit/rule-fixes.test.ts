// Rule fixes are built on demand, and say whether they are safe to apply unattended.
//   - every fixable rule reports its fixes as functions, so a check that asks for no fixes (each
//     keystroke) builds none: shown on the rules' own fixtures;
//   - the fixes that change what the image does are suggestions, the others are safe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { allRules } from '../../rules/index';
import { Analysis } from '../../server/src/engine/analysis';
import type { AnyRule, Finding, Report } from '../../server/src/engine/api';
import { defaultConfig } from '../../server/src/engine/config';
import { Engine } from '../../server/src/engine/engine';
import { loadShippedData } from '../../server/src/workspace/data';

const root = path.resolve(__dirname, '..', '..');

function fixtures(rule: AnyRule): string[] {
  const dir = path.join(root, 'rules', rule.id, 'fixtures');
  return fs
    .readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => !/\.fixed(\.|$)/.test(f) && !f.endsWith('settings.json') && fs.statSync(path.join(dir, f)).isFile())
    .map((f) => path.join(dir, f));
}

/** Runs one rule's check directly and returns what it reported, fixes unbuilt. */
function reports(rule: AnyRule, file: string): Report[] {
  const text = fs.readFileSync(file, 'utf8');
  const analysis = new Analysis({ path: path.basename(file), text });
  const out: Report[] = [];
  // Folder fixtures hold files of other kinds too (a compose file beside the Dockerfiles).
  if (rule.model !== 'text' && analysis.modelKind !== rule.model) return out;
  rule.check({
    model: rule.model === 'text' ? text : analysis.model,
    text,
    path: path.basename(file),
    nodes: analysis.nodes(rule.visits) ?? [],
    settings: { trustedRegistries: [], today: '2026-11-26' },
    options: rule.options?.defaults ?? {},
    index: (key) => analysis.index(key),
    data: (file) => file.read(loadShippedData(file.file)),
    project: { exists: () => false, summaries: () => new Map(), unit: () => [] },
    report: (report) => out.push(report),
  });
  return out;
}

for (const rule of allRules.filter((r) => r.fixable)) {
  test(`${rule.id} reports its fixes as functions, built only on demand`, () => {
    const withFix = fixtures(rule).flatMap((file) => reports(rule, file)).filter((r) => r.fix !== undefined);
    assert.ok(withFix.length > 0, 'the fixtures give fixable findings');
    for (const report of withFix) assert.equal(typeof report.fix, 'function', `${report.messageId} built its fix eagerly`);
  });
}

const engine = new Engine(allRules, defaultConfig(), { today: () => '2026-11-26', loadData: loadShippedData });

function findings(text: string, fixes: boolean): Finding[] {
  return engine.check({ path: 'Dockerfile', text }, { fixes }).findings;
}

function safety(text: string, ruleId: string): (string | undefined)[] {
  return findings(text, true)
    .filter((f) => f.ruleId === ruleId && f.fix)
    .map((f) => f.fix!.safety ?? 'safe');
}

test('a check without fixes says which findings are fixable and builds none', () => {
  const text = 'FROM alpine:3.20\nMAINTAINER a@example.com\nADD a.txt /a\nRUN chmod 777 /a && apk add curl\n';
  const found = findings(text, false).filter((f) => f.fixable);
  assert.ok(found.length >= 4, found.map((f) => f.ruleId).join());
  assert.ok(found.every((f) => f.fix === undefined));
});

test('fixes that change what the image runs as, installs or starts are suggestions', () => {
  assert.deepEqual(safety('FROM debian:12\nRUN apt-get update\nCMD ["x"]\n', 'docker/user-root'), ['suggestion']);
  assert.deepEqual(safety('FROM debian:12\nUSER app\nRUN id\nUSER root\nCMD ["x"]\n', 'docker/user-root'), ['suggestion']);
  assert.deepEqual(safety('FROM debian:12\nRUN apt-get install -y curl\n', 'docker/apt-get-no-install-recommends'), ['suggestion']);
  assert.deepEqual(safety('FROM debian:12\nCMD node server.js\n', 'docker/cmd-shell-form'), ['suggestion']);
  assert.deepEqual(safety('FROM debian:12\nARG SRC\nADD $SRC /opt/\n', 'docker/add-instead-of-copy'), ['suggestion']);
});

test('fixes that keep what the build does are safe', () => {
  assert.deepEqual(safety('FROM debian:12\nCMD [node, server.js]\n', 'docker/cmd-shell-form'), ['safe']);
  assert.deepEqual(safety('FROM debian:12\nARG SRC=app.txt\nADD $SRC /opt/\nADD b.txt /b\n', 'docker/add-instead-of-copy'), ['safe', 'safe']);
  assert.deepEqual(safety('FROM debian:12\nRUN apt-get install --no-install-recommends curl\n', 'docker/apt-get-missing-yes'), ['safe']);
  assert.deepEqual(safety('FROM alpine:3.20\nRUN sudo apk add --no-cache curl\n', 'docker/sudo'), ['safe']);
  assert.deepEqual(safety('FROM debian:12\nMAINTAINER a@example.com\n', 'docker/maintainer-deprecated'), ['safe']);
  assert.deepEqual(safety('FROM debian:12\nWORKDIR /app\nWORKDIR src\n', 'docker/workdir-relative'), ['safe']);
});
