// Safe on a hostile repository: no workspace file is ever executed or required, and nothing a
// repository says can make Fourfold write outside it (fix edit paths, files reached through
// symbolic links, the baseline path).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { allRules } from '../../rules/index';
import { main } from '../../server/src/cli';
import { Engine } from '../../server/src/engine/engine';
import { loadShippedData } from '../../server/src/workspace/data';
import { fixFiles } from '../../server/src/workspace/fix';
import { loadProject } from '../../server/src/workspace/project';
import { Session } from '../../server/src/workspace/session';
import { Workspace } from '../../server/src/workspace/workspace';

const repo = path.resolve(__dirname, '..', '..');

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'fourfold-hostile-'));
}

function write(root: string, name: string, text: string): string {
  const file = path.join(root, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

function sources(dir: string, out: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'fixtures' && entry.name !== 'node_modules') sources(full, out);
    } else if (entry.name.endsWith('.ts')) out.push(full);
  }
  return out;
}

test('no code of ours can load or run code: no require, import(), eval, Function, vm, child processes or workers', () => {
  const forbidden: [string, RegExp][] = [
    ['require()', /(?<![.\w])require\s*\(/],
    ['dynamic import()', /(?<![.\w])import\s*\(/],
    ['eval', /(?<!\.|\w|private |protected |public )eval\s*\(/],
    ['new Function', /\bnew\s+Function\s*\(/],
    ['vm', /from\s+'(?:node:)?vm'/],
    ['child_process', /(?:node:)?child_process/],
    ['worker_threads', /(?:node:)?worker_threads/],
  ];
  const offenders: string[] = [];
  for (const dir of ['server/src', 'rules', 'client/src']) {
    for (const file of sources(path.join(repo, dir))) {
      const text = fs.readFileSync(file, 'utf8').replace(/^\s*\/\/.*$/gm, '');
      for (const [name, pattern] of forbidden) if (pattern.test(text)) offenders.push(`${path.relative(repo, file)}: ${name}`);
    }
  }
  assert.deepEqual(offenders, []);
});

test('a repository full of traps: scanning it (CLI and session) runs none of them', async () => {
  const root = tempDir();
  const marker = path.join(root, 'PWNED');
  const trap = `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\nmodule.exports = { rules: {} };\n`;
  fs.mkdirSync(path.join(root, '.git'));
  for (const name of ['.fourfold.js', '.fourfold.cjs', '.fourfold.mjs', 'fourfold.config.js', '.fourfoldrc.js', 'node_modules/fourfold-plugin/index.js', 'rules/custom/rule.js', 'rules/index.ts']) write(root, name, trap);
  write(root, 'package.json', JSON.stringify({ name: 'x', scripts: { preinstall: `node -e "${trap.replace(/"/g, '\\"')}"`, postinstall: 'touch PWNED' }, fourfold: { plugins: ['./.fourfold.js'] } }));
  write(
    root,
    '.fourfold.yaml',
    [
      'rules:',
      '  docker/user-root: !!js/function "function () { require(\'fs\').writeFileSync(\'PWNED\', \'ran\') }"',
      'plugins: [./.fourfold.js]',
      'extends: ./fourfold.config.js',
      'a: &a [x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
      '',
    ].join('\n'),
  );
  write(root, 'Dockerfile', 'FROM alpine:3.20\nRUN touch /PWNED\nUSER 10001\n');
  write(root, 'main.tf', 'locals { x = file("${path.module}/../../etc/passwd") }\ndata "external" "x" { program = ["sh", "-c", "touch PWNED"] }\n');
  const out: string[] = [];
  const io = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => out.push(s) }, cwd: root, env: {} };
  // The configuration is refused (its problems named), then the files are scanned without it.
  assert.equal(await main(['scan', root, '--format', 'json', '--fail-on', 'none'], io), 2, out.join(''));
  assert.match(out.join(''), /\.fourfold\.yaml:2:35: `docker\/user-root` must be one of/);
  assert.equal(await main(['scan', root, '--no-config', '--format', 'json', '--fail-on', 'none', '--fix'], io), 0, out.join(''));
  const session = new Session({ rules: allRules, loadData: loadShippedData });
  session.setFolders([root]);
  await session.scan({ paths: [root], fixes: true });
  assert.equal(fs.existsSync(marker), false, 'a repository file was run');
  assert.equal(fs.existsSync(path.join(repo, 'PWNED')), false);
});

test('fix edit paths: nothing outside the workspace resolves', () => {
  const root = tempDir();
  const outside = tempDir();
  write(root, 'a/b.txt', 'x');
  fs.symlinkSync(outside, path.join(root, 'docs'));
  const workspace = new Workspace(root, new Engine(allRules));
  for (const bad of ['../x', 'a/../../x', '/etc/passwd', 'C:/Windows/x', 'c:x', 'a\\..\\..\\x', '..', '', 'a/\u0000b', 'docs/new.txt', 'docs']) {
    assert.equal(workspace.resolveInside(bad), undefined, JSON.stringify(bad));
  }
  assert.equal(workspace.resolveInside('a/b.txt'), path.join(root, 'a', 'b.txt'));
  assert.equal(workspace.resolveInside('new/folder/file.txt'), path.join(root, 'new', 'folder', 'file.txt'));
  assert.equal(workspace.resolveInside('a/./b.txt'), path.join(root, 'a', 'b.txt'));
  assert.equal(new Workspace('', new Engine(allRules)).resolveInside('a/b.txt'), undefined, 'a file outside every folder has no workspace to write into');
});

test('fourfold scan --fix never writes through a link that leads out of the workspace', async () => {
  const root = tempDir();
  const outside = tempDir();
  const target = write(outside, 'Dockerfile', 'FROM alpine:3.20\nADD a.txt /a\nUSER 10001\n');
  fs.symlinkSync(target, path.join(root, 'Dockerfile'));
  write(root, 'inside.dockerfile', 'FROM alpine:3.20\nADD a.txt /a\nUSER 10001\n');
  const session = new Session({ rules: allRules, loadData: loadShippedData });
  session.setFolders([root]);
  const scanned = await session.scan({ paths: [root] });
  assert.deepEqual(scanned.files.map((f) => f.relPath), ['inside.dockerfile'], 'the walk does not follow the link out');
  // Even when such a file reaches fixFiles (a link made after the scan), it is not written.
  const text = fs.readFileSync(target, 'utf8');
  const workspace = session.workspaceAt(root);
  const result = workspace.check({ path: 'Dockerfile', text });
  const summary = fixFiles([...scanned.files, { absPath: path.join(root, 'Dockerfile'), relPath: 'Dockerfile', workspace, text, result }]);
  assert.equal(fs.readFileSync(target, 'utf8'), text, 'the file outside is untouched');
  assert.deepEqual(summary.skipped, [{ relPath: 'Dockerfile', reason: 'it leads outside the workspace (a symbolic link)' }]);
  assert.equal(summary.files, 1);
  assert.match(fs.readFileSync(path.join(root, 'inside.dockerfile'), 'utf8'), /^COPY a.txt/m);
});

test('a baseline path that leaves the workspace is refused (the baseline command writes it)', () => {
  const root = tempDir();
  write(root, '.fourfold.yaml', 'baseline: ../../home/user/.bashrc\n');
  const loaded = loadProject(root, { settings: {}, trusted: true, rules: allRules });
  assert.equal(loaded.config.baseline, '.fourfold-baseline.json');
  assert.equal(loaded.baselinePath, path.join(root, '.fourfold-baseline.json'));
  assert.ok(loaded.problems.some((p) => /lies outside the workspace/.test(p.message)), JSON.stringify(loaded.problems));
  const fromSettings = loadProject(root, { settings: { baseline: '/etc/cron.d/x' }, trusted: true, rules: allRules, configPath: null });
  assert.equal(fromSettings.baselinePath, path.join(root, '.fourfold-baseline.json'));
  // A flag on the command line is the user's own choice.
  const flag = loadProject(root, { settings: {}, trusted: true, rules: allRules, configPath: null, overrides: { baseline: '/tmp/accepted.json' } });
  assert.equal(flag.baselinePath, '/tmp/accepted.json');
});
