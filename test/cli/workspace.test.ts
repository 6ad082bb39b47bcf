// The workspace layer the CLI and the language server share: walk, read, load config, scan.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { allRules } from '../../rules/index';
import { loadShippedData } from '../../server/src/workspace/data';
import { loadProject, readSourceFile } from '../../server/src/workspace/project';
import { Session } from '../../server/src/workspace/session';
import { isExcluded, walkWorkspace } from '../../server/src/workspace/walk';
import { copyFixture, emptyWorkspace, write } from './helpers';

async function walk(root: string, exclude: string[] = [], base?: string): Promise<string[]> {
  const out: string[] = [];
  for await (const file of walkWorkspace(root, { exclude, base })) out.push(file.relPath);
  return out;
}

describe('walkWorkspace', () => {
  it('yields every file, sorted, honouring .gitignore at every level', async () => {
    const ws = copyFixture('workspace-gitignore');
    write(ws, 'notes.txt', 'x');
    write(ws, 'Dockerfile.md', 'x');
    write(ws, 'infra/main.tf', 'x');
    write(ws, '.terraform/modules/x/main.tf', 'x');
    write(ws, '.venv/lib/Dockerfile', 'x');
    write(ws, 'test/dockerfile-parser.test.ts', 'x');
    write(ws, 'Dockerfile.go', 'x');
    write(ws, 'Dockerfile.prod', 'x');
    write(ws, 'ci/base.Containerfile', 'x');
    assert.deepEqual(await walk(ws), [
      '.gitignore', 'Dockerfile', 'Dockerfile.go', 'Dockerfile.md', 'Dockerfile.prod', 'ci/base.Containerfile', 'infra/main.tf', 'notes.txt',
      'sub/.gitignore', 'sub/Dockerfile', 'sub/keep.generated.dockerfile', 'test/dockerfile-parser.test.ts',
    ]);
  });

  it('prunes excluded folders and applies the .gitignore files above a root that lies below the base', async () => {
    const ws = copyFixture('workspace-gitignore');
    write(ws, 'vendor/lib/Dockerfile', 'x');
    write(ws, 'sub/deep/x.generated.dockerfile', 'x');
    // sub/deep/x.generated.dockerfile stays ignored by the root .gitignore; sub/.gitignore re-includes only keep.*
    assert.deepEqual(await walk(ws, ['vendor', 'sub/Dockerfile']), ['.gitignore', 'Dockerfile', 'sub/.gitignore', 'sub/keep.generated.dockerfile']);
    assert.deepEqual(await walk(path.join(ws, 'sub'), [], ws), ['sub/.gitignore', 'sub/Dockerfile', 'sub/keep.generated.dockerfile']);
    assert.ok(isExcluded('vendor/lib/Dockerfile', ['vendor']));
    assert.ok(isExcluded('a/testdata/Dockerfile', ['**/testdata/**']));
    assert.ok(!isExcluded('src/Dockerfile', ['vendor/**']));
  });

  it('follows symbolic links inside the workspace once, and says why it did not follow the others', async () => {
    const ws = emptyWorkspace();
    const outside = emptyWorkspace();
    write(ws, 'real/Dockerfile', 'FROM alpine:3.20\n');
    write(ws, 'node_modules/pkg/Dockerfile', 'FROM alpine:3.20\n');
    write(outside, 'secret.env', 'TOKEN=x\n');
    fs.symlinkSync(path.join(ws, 'real'), path.join(ws, 'again'));
    fs.symlinkSync(ws, path.join(ws, 'real/up'));
    fs.symlinkSync(path.join(ws, 'real/Dockerfile'), path.join(ws, 'linked.dockerfile'));
    fs.symlinkSync(path.join(ws, 'missing'), path.join(ws, 'dangling.dockerfile'));
    fs.symlinkSync(path.join(ws, 'node_modules/pkg'), path.join(ws, 'vendored'));
    fs.symlinkSync(outside, path.join(ws, 'elsewhere'));
    fs.symlinkSync(path.join(outside, 'secret.env'), path.join(ws, 'stolen.env'));
    fs.symlinkSync(path.join(ws, 'self'), path.join(ws, 'self'));
    const skipped: string[] = [];
    const files: string[] = [];
    for await (const file of walkWorkspace(ws, { exclude: [], onSkip: (p, reason) => skipped.push(`${path.relative(ws, p)}: ${reason}`) })) files.push(file.relPath);
    // The real tree first, then what links add: a folder the walk prunes (node_modules) reached by a link.
    assert.deepEqual(files, ['real/Dockerfile', 'vendored/Dockerfile']);
    assert.deepEqual(skipped.sort(), [
      'again: symbolic link to real, scanned already',
      'dangling.dockerfile: symbolic link to nothing (broken)',
      'elsewhere: symbolic link to outside the workspace',
      'linked.dockerfile: symbolic link to real/Dockerfile, scanned already',
      'real/up: symbolic link loop (to ., which holds it)',
      'self: symbolic link loop',
      'stolen.env: symbolic link to outside the workspace',
    ]);
  });

  it('stops when the signal aborts', async () => {
    const ws = emptyWorkspace();
    for (let i = 0; i < 20; i++) write(ws, `d${String(i).padStart(2, '0')}/Dockerfile`, 'FROM alpine\n');
    const controller = new AbortController();
    const seen: string[] = [];
    for await (const file of walkWorkspace(ws, { exclude: [], signal: controller.signal })) {
      seen.push(file.relPath);
      if (seen.length === 3) controller.abort();
    }
    assert.equal(seen.length, 3);
  });
});

describe('readSourceFile', () => {
  const ws = emptyWorkspace();
  it('decodes UTF-8 and UTF-16, dropping the byte-order mark as editors do', () => {
    assert.deepEqual(readSourceFile(write(ws, 'a', 'FROM é\n')), { text: 'FROM é\n' });
    assert.deepEqual(readSourceFile(write(ws, 'b', '\ufeffFROM x\n')), { text: 'FROM x\n' });
    assert.deepEqual(readSourceFile(write(ws, 'c', Buffer.from('\ufeffFROM 🐳\n', 'utf16le'))), { text: 'FROM 🐳\n' });
    assert.deepEqual(readSourceFile(write(ws, 'd', Buffer.from('\ufeffFROM x\n', 'utf16le').swap16())), { text: 'FROM x\n' });
  });
  it('skips binary, oversized, undecodable and missing files without throwing', () => {
    assert.deepEqual(readSourceFile(write(ws, 'e', Buffer.from('FROM x\n', 'utf16le'))), { skipped: 'binary content' });
    assert.deepEqual(readSourceFile(write(ws, 'f', 'x'.repeat(3000)), 2), { skipped: 'larger than 2 KB (maxFileSizeKb)' });
    assert.deepEqual(readSourceFile(write(ws, 'g', Buffer.from([0x46, 0xc3, 0x28, 0x0a]))), { skipped: 'not valid UTF-8 text' });
    assert.match(readSourceFile(path.join(ws, 'nope')).skipped ?? '', /cannot be read \(ENOENT/);
    assert.deepEqual(readSourceFile(ws), { skipped: 'not a regular file' });
  });
});

describe('loadProject and the project view', () => {
  it('merges settings, the file and overrides; problems keep the file text for positions', () => {
    const ws = copyFixture('workspace-bad-config');
    const loaded = loadProject(ws, { settings: { exclude: ['x/**'] }, trusted: true, rules: allRules });
    assert.equal(loaded.configPath, path.join(ws, '.fourfold.yaml'));
    assert.equal(loaded.configText, fs.readFileSync(path.join(ws, '.fourfold.yaml'), 'utf8'));
    assert.deepEqual(
      loaded.problems.map((p) => loaded.configText!.slice(p.span.start, p.span.end)),
      ['sometimes', 'docker/no-such-rule', 'exlude'],
    );
    assert.deepEqual(loaded.config.exclude, ['x/**']);
    assert.equal(loaded.config.rules['docker/user-root'], undefined, 'the bad value is dropped, defaults apply');
  });

  it('an untrusted repository cannot turn rules off; CLI overrides win', () => {
    const ws = emptyWorkspace();
    write(ws, '.fourfold.yaml', 'rules:\n  docker/user-root: off\n  docker/image-tag-latest: critical\nexclude: ["**"]\n');
    const untrusted = loadProject(ws, { settings: {}, trusted: false, rules: allRules });
    assert.equal(untrusted.config.rules['docker/user-root'], undefined);
    assert.equal(untrusted.config.rules['docker/image-tag-latest'], 'critical');
    assert.deepEqual(untrusted.config.exclude, []);
    const cli = loadProject(ws, { settings: {}, trusted: true, rules: allRules, overrides: { rules: { 'docker/user-root': 'low' } } });
    assert.equal(cli.config.rules['docker/user-root'], 'low');
    assert.equal(loadProject(ws, { settings: {}, trusted: true, rules: allRules, configPath: null }).configText, undefined);
  });

  it('loads the baseline, and reports a broken one without throwing', () => {
    const ws = emptyWorkspace();
    write(ws, '.fourfold-baseline.json', JSON.stringify({ findings: [{ path: 'Dockerfile', ruleId: 'docker/user-root', fingerprint: '0123456789abcdef' }] }));
    const loaded = loadProject(ws, { settings: {}, trusted: true, rules: allRules });
    assert.equal(loaded.baseline.findings.length, 1);
    assert.equal(loaded.baselineError, undefined);
    write(ws, 'other.json', '[]');
    const broken = loadProject(ws, { settings: { baseline: 'other.json' }, trusted: true, rules: allRules });
    assert.match(broken.baselineError ?? '', /no "findings" array/);
  });

  it('the project view answers "does this file exist?" from the disk, once per check', () => {
    const ws = emptyWorkspace();
    write(ws, 'app/Dockerfile', 'FROM x\n');
    const workspace = session(ws).workspaceAt(ws);
    const view = workspace.view('app/Dockerfile');
    assert.equal(view.exists('app/.dockerignore'), false);
    write(ws, 'app/.dockerignore', '.git\n');
    assert.equal(view.exists('app/.dockerignore'), false, 'remembered for the rest of the check');
    assert.equal(workspace.view('app/Dockerfile').exists('app/.dockerignore'), true, 'a new check sees it');
  });
});

function session(root: string): Session {
  const s = new Session({ rules: allRules, loadData: loadShippedData });
  s.setFolders([root]);
  return s;
}

describe('Session.scan', () => {
  it('checks files, reports progress, and notes skipped ones', async () => {
    const ws = copyFixture('workspace-basic');
    write(ws, 'bin/x.dockerfile', Buffer.from([0, 1, 2]));
    write(ws, 'infra/main.tf', 'resource "x" "y" {}\n');
    const progress: [number, string][] = [];
    const result = await session(ws).scan({ paths: [ws], onProgress: (n, p) => progress.push([n, p]) });
    assert.equal(result.cancelled, false);
    // Every text file is checked; a file's text is kept only when it has findings (reports need its lines).
    assert.deepEqual(
      result.files.map((f) => [f.relPath, f.result.kind, f.text.length > 0]),
      [
        ['.dockerignore', 'text', false],
        ['Dockerfile', 'dockerfile', true],
        ['README.md', 'text', false],
        ['infra/main.tf', 'terraform', false],
        ['services/api/Dockerfile', 'dockerfile', true],
        ['tools/Dockerfile', 'dockerfile', true],
      ],
    );
    assert.deepEqual(result.skipped.map((s) => [path.relative(ws, s.absPath), s.reason]), [['bin/x.dockerfile', 'binary content']]);
    assert.deepEqual(progress.map(([n]) => n), [1, 2, 3, 4, 5, 6, 7]);
    const root = result.files.find((f) => f.relPath === 'Dockerfile')!;
    assert.deepEqual(root.result.findings.map((f) => f.ruleId), [
      'docker/healthcheck-missing',
      'docker/image-not-pinned-digest',
      'docker/user-root',
      'docker/eol-base-image',
    ]);
  });

  it('stops when cancelled and says so', async () => {
    const ws = emptyWorkspace();
    for (let i = 0; i < 60; i++) write(ws, `svc${i}/Dockerfile`, 'FROM alpine:3.20\n');
    const controller = new AbortController();
    const result = await session(ws).scan({ paths: [ws], signal: controller.signal, onProgress: (n) => n === 10 && controller.abort() });
    assert.equal(result.cancelled, true);
    assert.equal(result.files.length, 10);
  });

  it('reports paths relative to the base across several roots, once each', async () => {
    const ws = copyFixture('workspace-basic');
    const result = await session(ws).scan({ paths: [path.join(ws, 'services'), path.join(ws, 'services/api/Dockerfile'), path.join(ws, 'tools')] });
    assert.deepEqual(result.files.map((f) => f.relPath), ['services/api/Dockerfile', 'tools/Dockerfile']);
  });
});
