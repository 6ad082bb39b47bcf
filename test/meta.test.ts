// Meta-tests that police the rule set and the architecture, so reviews need not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { allRules } from '../rules/index';
import { SEVERITIES } from '../server/src/engine/api';

const root = path.resolve(__dirname, '..');
const LAYERS = ['cloud', 'cluster', 'container', 'code', 'supply-chain', 'secrets', 'general'];
const MODELS = ['dockerfile', 'hcl', 'yaml', 'typescript', 'packagejson', 'text'];

function filesUnder(dir: string, ext: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'fixtures') out.push(...filesUnder(full, ext));
    else if (entry.isFile() && entry.name.endsWith(ext)) out.push(full);
  }
  return out;
}

test('every rule folder is in the generated index, and ids are unique', () => {
  const ids = allRules.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length, 'duplicate rule ids');
  for (const rule of allRules) assert.ok(fs.existsSync(path.join(root, 'rules', rule.id, 'rule.ts')), `rules/${rule.id}/rule.ts: id must equal the folder`);
});

for (const [script, what] of [
  ['scripts/gen-rules.ts', 'rule index, rule pages, README rule table'],
  ['scripts/gen-settings.ts', "README's .fourfold.yaml example and settings table"],
]) {
  test(`generated files (${what}) are current`, () => {
    try {
      execFileSync(process.execPath, ['--import', 'tsx', script, '--check'], { cwd: root, stdio: 'pipe' });
    } catch (error) {
      assert.fail(`run npm run gen:\n${(error as { stderr?: Buffer }).stderr?.toString()}`);
    }
  });
}

for (const rule of allRules) {
  test(`${rule.id}: metadata is complete`, () => {
    assert.match(rule.id, /^[a-z0-9]+\/[a-z0-9-]+$/);
    assert.ok(rule.title.length > 5 && !rule.title.endsWith('.'), 'title: a short phrase');
    assert.ok(SEVERITIES.includes(rule.severity), `severity ${rule.severity}`);
    assert.ok(LAYERS.includes(rule.layer), `layer ${rule.layer}`);
    assert.ok(MODELS.includes(rule.model), `model ${rule.model}`);
    assert.ok(rule.description.length > 20, 'description');
    assert.ok(Object.keys(rule.messages).length > 0, 'messages');
    if (rule.id !== 'fourfold/parse-error') {
      const refs = rule.references;
      const peers = [refs.cwe, refs.hadolint, refs.trivy, refs.checkov, refs.kics, refs.kubeLinter, refs.cis].filter((r) => r?.length);
      assert.ok(peers.length > 0, 'at least one reference: CWE, CIS or a peer tool id');
      for (const cwe of refs.cwe ?? []) assert.match(cwe, /^CWE-\d+$/);
      for (const kics of refs.kics ?? []) assert.match(kics, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    }
  });

  test(`${rule.id}: documentation has the fixed headings`, () => {
    const readme = fs.readFileSync(path.join(root, 'rules', rule.id, 'README.md'), 'utf8');
    assert.match(readme, /^# .+/);
    assert.match(readme, /^## Why it matters$/m);
    assert.match(readme, /^## How to fix$/m);
    const page = fs.readFileSync(path.join(root, 'docs', 'rules', `${rule.id}.md`), 'utf8');
    assert.match(page, /^## References$/m);
  });

  if (rule.fixable) {
    test(`${rule.id}: a fixable rule has a .fixed fixture`, () => {
      const dir = path.join(root, 'rules', rule.id, 'fixtures');
      const all = fs.readdirSync(dir, { recursive: true }).map(String);
      assert.ok(all.some((f) => /\.fixed(\.|$)/.test(f)), 'no *.fixed.* file');
    });
  }
}

test('neither rules nor the engine nor the parsers import an editor API or do I/O', () => {
  const offenders: string[] = [];
  const dirs = ['rules', 'server/src/engine', 'server/src/parsers'];
  for (const dir of dirs) {
    for (const file of filesUnder(path.join(root, dir), '.ts')) {
      const source = fs.readFileSync(file, 'utf8');
      const imports = [...source.matchAll(/from\s+'([^']+)'|require\('([^']+)'\)|import\('([^']+)'\)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
      for (const spec of imports) {
        if (/^vscode($|-languageserver|-languageclient)/.test(spec)) offenders.push(`${path.relative(root, file)} imports ${spec}`);
        if (dir === 'rules' && /^(node:)?(fs|net|http|https|child_process|dns)$/.test(spec)) offenders.push(`${path.relative(root, file)} imports ${spec}`);
      }
    }
  }
  assert.deepEqual(offenders, []);
});

test('rules import only rules/_api.ts, rules/_helpers and their own folder; _api.ts is the one door into the server', () => {
  const offenders: string[] = [];
  for (const file of filesUnder(path.join(root, 'rules'), '.ts')) {
    const rel = path.relative(root, file).split(path.sep).join('/');
    if (rel === 'rules/_api.ts' || rel === 'rules/index.ts') continue;
    const source = fs.readFileSync(file, 'utf8');
    const specs = [...source.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+'([^']+)'/gm), ...source.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)];
    for (const m of specs) {
      const spec = m[1];
      const target = spec.startsWith('.') ? path.relative(root, path.resolve(path.dirname(file), spec)).split(path.sep).join('/') : spec;
      const allowed = target === 'rules/_api' || target.startsWith('rules/_helpers/') || (spec.startsWith('./') && !spec.includes('..'));
      if (!allowed) offenders.push(`${rel} imports ${spec}`);
    }
  }
  assert.deepEqual(offenders, []);
});

test('parsers and the shared kernel never import the engine', () => {
  const offenders: string[] = [];
  for (const dir of ['server/src/core', 'server/src/parsers']) {
    for (const file of filesUnder(path.join(root, dir), '.ts')) {
      const source = fs.readFileSync(file, 'utf8');
      for (const m of source.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+'([^']+)'/gm)) {
        const target = path.relative(root, path.resolve(path.dirname(file), m[1])).split(path.sep).join('/');
        if (m[1].startsWith('.') && (target.startsWith('server/src/engine') || (dir === 'server/src/core' && !target.startsWith('server/src/core')))) {
          offenders.push(`${path.relative(root, file)} imports ${m[1]}`);
        }
      }
    }
  }
  assert.deepEqual(offenders, []);
});
