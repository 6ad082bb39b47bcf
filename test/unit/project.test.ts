// The project model: one analysis per snapshot, shared indexes, summaries across files, units,
// configuration roots shared by the editor and the CLI, and one finding per problem.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { allRules } from '../../rules/index';
import type { Index, Rule, Summary } from '../../server/src/engine/api';
import { defaultConfig, parseConfigFile } from '../../server/src/engine/config';
import { Engine } from '../../server/src/engine/engine';
import { loadShippedData } from '../../server/src/workspace/data';
import { Session } from '../../server/src/workspace/session';
import { Workspace } from '../../server/src/workspace/workspace';

function tempWorkspace(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fourfold-project-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }
  return root;
}

const base = { severity: 'low', layer: 'container', category: 'security', description: 'test', references: {} } as const;

/** The stage names a Dockerfile builds: a summary other Dockerfiles read. */
const BUILT_STAGES: Summary<'dockerfile', string[]> = {
  name: 'test.builtStages',
  model: 'dockerfile',
  compute: (source) => source.model.stages.flatMap((s) => (s.name ? [s.name] : [])),
};

/** Reports a `FROM x` whose `x` is a stage that another Dockerfile of the workspace builds. */
const fromElsewhere: Rule<'dockerfile'> = {
  ...base,
  id: 'test/from-elsewhere',
  title: 'FROM a stage built elsewhere',
  model: 'dockerfile',
  scope: 'workspace',
  summaries: [BUILT_STAGES],
  visits: ['FROM'],
  messages: { elsewhere: '{{image}} is built by {{file}}' },
  check(ctx) {
    const built = ctx.project.summaries(BUILT_STAGES);
    for (const from of ctx.nodes) {
      const image = from.args[0]?.value ?? '';
      for (const [file, stages] of built) {
        if (file !== ctx.path && stages.includes(image)) ctx.report({ messageId: 'elsewhere', data: { image, file }, span: from.args[0].span });
      }
    }
  },
};

/** Counts the module's files: a unit-scope rule. */
const moduleSize: Rule<'hcl'> = {
  ...base,
  id: 'test/module-size',
  title: 'Module size',
  layer: 'cloud',
  model: 'hcl',
  scope: 'unit',
  messages: { size: 'module of {{count}} files, {{resources}} resources' },
  check(ctx) {
    const unit = ctx.project.unit();
    const resources = unit.reduce((n, f) => n + (f.model as typeof ctx.model).body.items.filter((i) => i.kind === 'block' && i.type === 'resource').length, 0);
    ctx.report({ messageId: 'size', data: { count: unit.length, resources }, span: { start: 0, end: 0 } });
  },
};

describe('Workspace', () => {
  test('a rule reads summaries of the other files, and an edit elsewhere changes its finding', () => {
    const root = tempWorkspace({ 'base/Dockerfile': 'FROM alpine:3.22 AS toolbox\n', 'app/Dockerfile': 'FROM toolbox\n' });
    const workspace = new Workspace(root, new Engine([fromElsewhere]));
    const app = { path: 'app/Dockerfile', text: 'FROM toolbox\n' };
    assert.deepEqual(workspace.check(app).findings.map((f) => f.message), [], 'the index is empty until built or fed');
    workspace.updateIndex('base/Dockerfile', 'FROM alpine:3.22 AS toolbox\n');
    assert.deepEqual(workspace.check(app).findings.map((f) => f.message), ['toolbox is built by base/Dockerfile']);
    const generation = workspace.generation;
    assert.equal(workspace.updateIndex('base/Dockerfile', 'FROM alpine:3.22 AS toolbox\n# same stages\n'), false, 'same summary: no dependent needs a check');
    assert.equal(workspace.updateIndex('base/Dockerfile', 'FROM alpine:3.22 AS tools\n'), true);
    assert.equal(workspace.generation, generation + 1);
    assert.deepEqual(workspace.check(app).findings, []);
  });

  test('buildIndex reads only the kinds that summaries are about', async () => {
    const root = tempWorkspace({ 'a/Dockerfile': 'FROM alpine AS one\n', 'b/Containerfile': 'FROM one\n', 'notes.txt': 'FROM one\n' });
    const workspace = new Workspace(root, new Engine([fromElsewhere]));
    await workspace.buildIndex();
    assert.equal(workspace.indexed, true);
    const findings = workspace.check({ path: 'b/Containerfile', text: 'FROM one\n' }).findings;
    assert.deepEqual(findings.map((f) => [f.ruleId, f.message, f.span]), [['test/from-elsewhere', 'one is built by a/Dockerfile', { start: 5, end: 8 }]]);
  });

  test('a unit is the module folder, with open texts winning over the disk', () => {
    const root = tempWorkspace({ 'infra/main.tf': 'resource "a" "b" {}\n', 'infra/vars.tf': 'variable "x" {}\n', 'infra/sub/other.tf': 'resource "c" "d" {}\n' });
    const workspace = new Workspace(root, new Engine([moduleSize]));
    const main = { path: 'infra/main.tf', text: 'resource "a" "b" {}\n' };
    assert.equal(workspace.check(main).findings[0].message, 'module of 2 files, 1 resources');
    workspace.setOpen('infra/vars.tf', 'resource "e" "f" {}\nresource "g" "h" {}\n');
    assert.equal(workspace.check(main).findings[0].message, 'module of 2 files, 3 resources');
    assert.deepEqual(workspace.unitMembers('infra/vars.tf'), ['infra/main.tf', 'infra/vars.tf']);
  });

  test('each summary\'s files are gathered once per generation, not once per check (a scan of n files reads them n times)', () => {
    const root = tempWorkspace({});
    const workspace = new Workspace(root, new Engine([fromElsewhere]));
    for (let i = 0; i < 50; i++) workspace.updateIndex(`s${i}/Dockerfile`, `FROM alpine:3.22 AS stage${i}\n`);
    const first = workspace.view('a/Dockerfile').summaries(BUILT_STAGES);
    assert.equal(first.size, 50);
    assert.equal(workspace.view('b/Dockerfile').summaries(BUILT_STAGES), first, 'the same map while nothing changed');
    workspace.updateIndex('s0/Dockerfile', 'FROM alpine:3.22 AS renamed\n');
    const after = workspace.view('a/Dockerfile').summaries(BUILT_STAGES);
    assert.notEqual(after, first);
    assert.deepEqual(after.get('s0/Dockerfile'), ['renamed'], 'a change is seen at once');
  });

  test('a scan lists each Terraform folder once, not once per file in it', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 30; i++) files[`infra/f${i}.tf`] = `resource "a" "r${i}" {}\n`;
    const root = tempWorkspace(files);
    const session = new Session({ rules: [moduleSize] });
    session.setFolders([root]);
    const readdir = fs.readdirSync;
    const listed: string[] = [];
    (fs as { readdirSync: unknown }).readdirSync = (folder: fs.PathLike, ...rest: unknown[]) => {
      listed.push(String(folder));
      return (readdir as (...args: unknown[]) => unknown)(folder, ...rest);
    };
    let result;
    try {
      result = await session.scan({ paths: [root] });
    } finally {
      fs.readdirSync = readdir;
    }
    assert.equal(result.files.length, 30);
    assert.deepEqual([...new Set(result.files.map((f) => f.result.findings.map((x) => x.message).join()))], ['module of 30 files, 30 resources']);
    // Once by the walk and once by the checks; it was once more for each of the 30 files.
    const times = listed.filter((folder) => folder === path.join(root, 'infra')).length;
    assert.ok(times <= 2, `the unit folder was listed ${times} times`);
  });

  test('shared indexes are computed once per analysis, whatever the number of rules asking', () => {
    let computed = 0;
    const RUNS: Index<'dockerfile', number> = { name: 'test.runs', compute: (s) => (computed++, s.model.instructions.filter((i) => i.keyword === 'RUN').length) };
    const asking = (n: number): Rule<'dockerfile'> => ({
      ...base,
      id: `test/ask-${n}`,
      title: 'asks',
      model: 'dockerfile',
      messages: { runs: '{{n}} runs' },
      check: (ctx) => ctx.report({ messageId: 'runs', data: { n: ctx.index(RUNS) }, span: { start: 0, end: 4 } }),
    });
    const engine = new Engine(Array.from({ length: 20 }, (_, i) => asking(i)));
    const result = engine.check({ path: 'Dockerfile', text: 'FROM a\nRUN x\nRUN y\n' });
    assert.equal(result.findings.length, 20);
    assert.equal(result.findings[0].message, '2 runs');
    assert.equal(computed, 1);
  });

  test('a rule that visits instructions absent from the file is not run at all', () => {
    let runs = 0;
    const onlyExpose: Rule<'dockerfile'> = { ...base, id: 'test/expose', title: 't', model: 'dockerfile', visits: ['EXPOSE'], messages: {}, check: () => void runs++ };
    const engine = new Engine([onlyExpose]);
    engine.check({ path: 'Dockerfile', text: 'FROM a\nRUN x\n' });
    assert.equal(runs, 0);
    engine.check({ path: 'Dockerfile', text: 'FROM a\nEXPOSE 80\n' });
    assert.equal(runs, 1);
  });

  test('fixes are built only when asked for', () => {
    let built = 0;
    const fixable: Rule<'dockerfile'> = {
      ...base,
      id: 'test/fixable',
      title: 't',
      model: 'dockerfile',
      messages: { m: 'm' },
      check: (ctx) => ctx.report({ messageId: 'm', span: { start: 0, end: 4 }, fix: () => (built++, { title: 'Lower', edits: [{ span: { start: 0, end: 4 }, newText: 'from' }] }) }),
    };
    const engine = new Engine([fixable]);
    const plain = engine.check({ path: 'Dockerfile', text: 'FROM a\n' });
    assert.equal(built, 0);
    assert.deepEqual([plain.findings[0].fixable, plain.findings[0].fix], [true, undefined]);
    const withFixes = engine.check({ path: 'Dockerfile', text: 'FROM a\n' }, { fixes: true });
    assert.equal(built, 1);
    assert.deepEqual(withFixes.findings[0].fix, { title: 'Lower', edits: [{ span: { start: 0, end: 4 }, newText: 'from' }] });
  });
});

describe('one problem, one finding', () => {
  test('an ENV holding a token is reported by the secret rule, with the ENV rule as related information', () => {
    const engine = new Engine(allRules, defaultConfig(), { loadData: loadShippedData });
    const text = 'FROM alpine:3.22\nENV GITHUB_TOKEN=ghp_w29ACsGQfAD1bhF5NIqDFQltbnGP0ZEYuIDw\n';
    const value = { start: text.indexOf('ghp_'), end: text.indexOf('\n', text.indexOf('ghp_')) };
    const findings = engine.check({ path: 'Dockerfile', text }).findings.filter((f) => f.span.start >= value.start && f.span.start < value.end);
    assert.deepEqual(findings.map((f) => f.ruleId), ['secrets/token']);
    assert.deepEqual(findings[0].related?.map((r) => [r.span, r.message.split(':')[0]]), [[value, 'docker/secret-in-env-arg']]);
  });
});

describe('Session', () => {
  test('the nearest .fourfold.yaml below the folder is the configuration root, in the editor and in the CLI alike', async () => {
    const root = tempWorkspace({
      '.fourfold.yaml': 'rules:\n  docker/image-tag-latest: low\n',
      'Dockerfile': 'FROM node:latest\n',
      'services/a/.fourfold.yaml': 'rules:\n  docker/image-tag-latest: off\n',
      'services/a/Dockerfile': 'FROM node:latest\n',
      'services/b/Dockerfile': 'FROM node:latest\n',
    });
    const session = new Session({ rules: allRules, loadData: loadShippedData });
    session.setFolders([root]);
    const latest = (absPath: string) => {
      const { workspace, relPath } = session.locate(absPath);
      return workspace.check({ path: relPath, text: 'FROM node:latest\n' }).findings.filter((f) => f.ruleId === 'docker/image-tag-latest').map((f) => f.severity);
    };
    assert.deepEqual(latest(path.join(root, 'Dockerfile')), ['low']);
    assert.deepEqual(latest(path.join(root, 'services/a/Dockerfile')), [], 'the sub-folder configuration turns it off');
    assert.deepEqual(latest(path.join(root, 'services/b/Dockerfile')), ['low']);
    assert.equal(session.locate(path.join(root, 'services/a/Dockerfile')).relPath, 'Dockerfile', 'paths are relative to their configuration root');

    const scan = await session.scan({ paths: [root] });
    const bySeverity = scan.files
      .filter((f) => f.absPath.endsWith('Dockerfile'))
      .map((f) => [path.relative(root, f.absPath), f.result.findings.filter((x) => x.ruleId === 'docker/image-tag-latest').map((x) => x.severity)]);
    assert.deepEqual(bySeverity, [['Dockerfile', ['low']], ['services/a/Dockerfile', []], ['services/b/Dockerfile', ['low']]]);
  });

  test('a folder with nothing to check is named in the result', async () => {
    const root = tempWorkspace({ 'empty/.gitkeep': '' });
    fs.rmSync(path.join(root, 'empty/.gitkeep'));
    const session = new Session({ rules: allRules, loadData: loadShippedData });
    session.setFolders([root]);
    const result = await session.scan({ paths: [root] });
    assert.deepEqual([result.files.length, result.empty], [0, [root]]);
  });
});

describe('rule options and categories', () => {
  const limit: Rule<'dockerfile', { maxRuns: number; allow: string[] }> = {
    ...base,
    id: 'docker/too-many-runs',
    title: 'Too many RUN steps',
    category: 'hygiene',
    model: 'dockerfile',
    visits: ['RUN'],
    options: {
      schema: {
        maxRuns: { type: 'number', description: 'RUN steps allowed per file', minimum: 1 },
        allow: { type: 'string[]', description: 'commands never counted' },
      },
      defaults: { maxRuns: 2, allow: [] },
    },
    messages: { many: '{{count}} RUN steps, more than {{max}}' },
    check(ctx) {
      const counted = ctx.nodes.filter((n) => !ctx.options.allow.includes(n.args[0]?.value ?? ''));
      if (counted.length > ctx.options.maxRuns) ctx.report({ messageId: 'many', data: { count: counted.length, max: ctx.options.maxRuns }, span: counted[0].keywordSpan });
    },
  };
  const rules = new Map([[limit.id, limit as Rule]]);
  const text = 'FROM a\nRUN x\nRUN y\nRUN z\n';

  test('options come from .fourfold.yaml, checked against the schema, each problem at its value', () => {
    const yaml = 'rules:\n  docker/too-many-runs:\n    severity: medium\n    options: { maxRuns: 0, allow: [x], colour: red }\n';
    const { config, problems } = parseConfigFile(yaml, rules);
    assert.deepEqual(problems.map((p) => [p.message, yaml.slice(p.span.start, p.span.end)]), [
      ['option `maxRuns` of `docker/too-many-runs` must be at least 1', '0'],
      ['`docker/too-many-runs` has no option `colour`; its options: maxRuns, allow', 'colour'],
    ]);
    assert.deepEqual(config.options, { 'docker/too-many-runs': { allow: ['x'] } });
    const engine = new Engine([limit], { ...defaultConfig(), rules: config.rules!, options: config.options! });
    assert.deepEqual(engine.check({ path: 'Dockerfile', text }).findings, [], 'x is allowed: two RUN steps counted, the default limit');
    const strict = new Engine([limit], { ...defaultConfig(), options: { 'docker/too-many-runs': { maxRuns: 1, allow: ['x'] } } });
    assert.deepEqual(strict.check({ path: 'Dockerfile', text }).findings.map((f) => f.message), ['2 RUN steps, more than 1']);
    assert.deepEqual(new Engine([limit]).check({ path: 'Dockerfile', text }).findings.map((f) => f.message), ['3 RUN steps, more than 2'], 'the defaults');
  });

  test('a category can be turned off as a whole; a rule named on its own still runs', () => {
    const off = new Engine([limit], { ...defaultConfig(), categories: { hygiene: 'off' } });
    assert.deepEqual(off.check({ path: 'Dockerfile', text }).findings, []);
    const named = new Engine([limit], { ...defaultConfig(), categories: { hygiene: 'off' }, rules: { 'docker/too-many-runs': 'low' } });
    assert.equal(named.check({ path: 'Dockerfile', text }).findings.length, 1);
    const { config, problems } = parseConfigFile('categories:\n  hygiene: off\n  style: on\n', rules);
    assert.deepEqual(config.categories, { hygiene: 'off' });
    assert.deepEqual(problems.map((p) => p.message), ['Unknown category `style`; expected one of security, hygiene']);
  });

  test('caps: at most maxFindingsPerFile findings and maxParseErrorsPerFile parse errors, then one that counts the rest', () => {
    const engine = new Engine(allRules, { ...defaultConfig(), maxParseErrorsPerFile: 3, maxFindingsPerFile: 5 }, { loadData: loadShippedData });
    const broken = engine.check({ path: 'main.tf', text: 'x = "${\n'.repeat(50) });
    const parse = broken.findings.filter((f) => f.ruleId === 'fourfold/parse-error');
    assert.equal(parse.length, 4);
    assert.match(parse[3].message, /^… and \d+ more parse errors in this file, not shown/);
    const many = engine.check({ path: 'Dockerfile', text: 'FROM node:latest\n' + 'RUN sudo apt-get install curl\n'.repeat(20) });
    const shown = many.findings.filter((f) => !f.suppression);
    assert.equal(shown.length, 6);
    assert.equal(shown[5].ruleId, 'fourfold/too-many-findings');
    assert.match(shown[5].message, /^… and \d+ more findings in this file, not shown \(at most 5 per file/);
  });
});
