// Every safe fix, proven on real text: each fixture of rules/*/*/fixtures and test/fixtures, and
// each sample of KICS's corpus (test/corpus/kics), is
// checked with every rule on (and the folder's settings.json), then each safe fix is applied on its
// own, and the result must
//   - leave every byte outside the edited ranges as it was (compared segment by segment),
//   - parse with no more errors than before,
//   - lose the finding (one fewer of its rule and message),
//   - gain no other finding (no rule/message count grows).
// Fixtures are only read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { allRules } from '../../rules/index';
import type { Edit, Finding } from '../../server/src/engine/api';
import { Analysis } from '../../server/src/engine/analysis';
import { defaultConfig, type Config } from '../../server/src/engine/config';
import { applyEdits } from '../../server/src/engine/edits';
import { Engine, looksBinary } from '../../server/src/engine/engine';
import { loadShippedData } from '../../server/src/workspace/data';
import { Workspace } from '../../server/src/workspace/workspace';

const root = path.resolve(__dirname, '..', '..');
const FIXTURE_DAY = '2026-11-26';

function files(dir: string, out: string[] = []): string[] {
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files(full, out);
    else if (entry.isFile() && entry.name !== 'settings.json' && !entry.name.endsWith('.md') && !entry.name.endsWith('.json')) out.push(full);
  }
  return out;
}

/** Folders checked as workspaces, with their fixture files. */
function fixtureFolders(): { dir: string; files: string[] }[] {
  const out: { dir: string; files: string[] }[] = [];
  for (const layer of fs.readdirSync(path.join(root, 'rules'), { withFileTypes: true })) {
    if (!layer.isDirectory() || layer.name.startsWith('_')) continue;
    for (const rule of fs.readdirSync(path.join(root, 'rules', layer.name), { withFileTypes: true })) {
      const dir = path.join(root, 'rules', layer.name, rule.name, 'fixtures');
      if (rule.isDirectory() && fs.existsSync(dir)) out.push({ dir, files: files(dir) });
    }
  }
  for (const entry of fs.readdirSync(path.join(root, 'test', 'fixtures'), { withFileTypes: true })) {
    if (entry.isDirectory()) out.push({ dir: path.join(root, 'test', 'fixtures', entry.name), files: files(path.join(root, 'test', 'fixtures', entry.name)) });
  }
  // KICS's labelled samples (test/corpus/kics/<platform>/<query>/), each query folder a workspace.
  const kics = path.join(root, 'test', 'corpus', 'kics');
  for (const platform of fs.readdirSync(kics, { withFileTypes: true })) {
    if (!platform.isDirectory()) continue;
    for (const query of fs.readdirSync(path.join(kics, platform.name), { withFileTypes: true })) {
      const dir = path.join(kics, platform.name, query.name);
      if (query.isDirectory()) out.push({ dir, files: files(dir) });
    }
  }
  return out;
}

function engineFor(dir: string): Engine {
  const settingsFile = path.join(dir, 'settings.json');
  const settings = fs.existsSync(settingsFile) ? (JSON.parse(fs.readFileSync(settingsFile, 'utf8')) as Partial<Config> & { today?: string }) : {};
  const { today, ...rest } = settings;
  const config = { ...defaultConfig(), ...rest };
  config.rules = Object.fromEntries(allRules.map((r) => [r.id, 'on']));
  return new Engine(allRules, config, { today: () => today ?? FIXTURE_DAY, loadData: loadShippedData });
}

const key = (f: Finding) => `${f.ruleId} ${f.messageId}`;

function counts(findings: Finding[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const f of findings) if (!f.suppression) out.set(key(f), (out.get(key(f)) ?? 0) + 1);
  return out;
}

function ruleTotal(counts: Map<string, number>, ruleId: string): number {
  let total = 0;
  for (const [k, n] of counts) if (k.startsWith(`${ruleId} `)) total += n;
  return total;
}

/** Every byte outside the edits is where it was, shifted by what the edits before it added. */
function outsideUnchanged(before: string, after: string, edits: Edit[]): string | undefined {
  const sorted = [...edits].sort((a, b) => a.span.start - b.span.start);
  let cursor = 0;
  let shift = 0;
  for (const edit of sorted) {
    if (before.slice(cursor, edit.span.start) !== after.slice(cursor + shift, edit.span.start + shift)) return `text before offset ${edit.span.start} changed`;
    if (after.slice(edit.span.start + shift, edit.span.start + shift + edit.newText.length) !== edit.newText) return `the edit at ${edit.span.start} did not land as given`;
    shift += edit.newText.length - (edit.span.end - edit.span.start);
    cursor = edit.span.end;
  }
  if (before.slice(cursor) !== after.slice(cursor + shift)) return 'text after the last edit changed';
  if (after.length !== before.length + shift) return 'length is off';
  return undefined;
}

for (const { dir, files: fixtureFiles } of fixtureFolders()) {
  const engine = engineFor(dir);
  for (const file of fixtureFiles) {
    const text = fs.readFileSync(file, 'utf8');
    if (looksBinary(text)) continue;
    const relPath = path.relative(dir, file).split(path.sep).join('/');
    const name = path.relative(root, file);
    const check = (source: string) => new Workspace(dir, engine).check({ path: relPath, text: source }, { fixes: true });
    const before = check(text);
    const safe = before.findings.filter((f) => f.fix && !f.suppression && f.fix.safety !== 'suggestion');
    if (safe.length === 0) continue;
    test(`every safe fix in ${name} keeps the rest of the file, parses, removes its finding and adds none`, () => {
      assert.deepEqual(before.ruleErrors, []);
      const parseErrors = new Analysis({ path: relPath, text }).parseErrors.length;
      const beforeCounts = counts(before.findings);
      const problems: string[] = [];
      for (const finding of safe) {
        const where = `${finding.ruleId} at ${finding.span.start}`;
        const report = (problem: string) => problems.push(`${where}: ${problem}`);
        const edits = finding.fix!.edits.filter((e) => !e.path);
        for (const e of finding.fix!.edits.filter((e) => e.path)) {
          if (!new Workspace(dir, engine).resolveInside(e.path!)) report(`names a file outside the workspace: ${e.path}`);
        }
        const sorted = [...edits].sort((a, b) => a.span.start - b.span.start);
        if (sorted.some((e, i) => e.span.start < 0 || e.span.end > text.length || e.span.end < e.span.start || (i > 0 && e.span.start < sorted[i - 1].span.end))) {
          report('edits overlap or lie outside the text');
          continue;
        }
        const fixed = applyEdits(text, edits).text;
        const changed = outsideUnchanged(text, fixed, edits);
        if (changed) report(changed);
        const after = new Analysis({ path: relPath, text: fixed }).parseErrors.length;
        if (after > parseErrors) report(`${parseErrors} -> ${after} parse errors`);
        const again = check(fixed);
        if (again.ruleErrors.length) report(`a rule threw on the fixed text: ${again.ruleErrors.map((e) => e.ruleId).join(', ')}`);
        const afterCounts = counts(again.findings);
        if ((afterCounts.get(key(finding)) ?? 0) > (beforeCounts.get(key(finding)) ?? 0) - 1) report('the finding is still there');
        for (const [k, n] of afterCounts) {
          const was = beforeCounts.get(k) ?? 0;
          if (k === key(finding) || n <= was) continue;
          // The fix's own rule may describe a finding that remains anew (a fixed ENTRYPOINT changes
          // what an invalid CMD does): then only the rule's total must fall.
          if (k.startsWith(`${finding.ruleId} `) && ruleTotal(afterCounts, finding.ruleId) < ruleTotal(beforeCounts, finding.ruleId)) continue;
          report(`a new finding appeared: ${k} (${was} -> ${n})`);
        }
      }
      assert.deepEqual(problems, []);
    });
  }
}
