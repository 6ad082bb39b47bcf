// The workspace scan survives a changing and hostile disk: files deleted, rewritten or replaced by
// folders while it runs, folders that vanish or cannot be read, names that are not UTF-8,
// FIFOs, symbolic-link loops and links out of the workspace, 100,000 files. Every file it does not
// check is listed with why, and it never stops early without saying so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { allRules } from '../../rules/index';
import { loadShippedData } from '../../server/src/workspace/data';
import { Session, type ScanResult } from '../../server/src/workspace/session';
import { walkWorkspace } from '../../server/src/workspace/walk';

const repo = path.resolve(__dirname, '..', '..');

function workspace(files: Record<string, string> = {}): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fourfold-disk-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }
  return root;
}

async function scan(root: string, onProgress?: (done: number, absPath: string) => void): Promise<ScanResult> {
  const session = new Session({ rules: allRules, loadData: loadShippedData });
  session.setFolders([root]);
  return session.scan({ paths: [root], onProgress });
}

function skippedOf(root: string, result: ScanResult): Record<string, string> {
  return Object.fromEntries(result.skipped.map((s) => [path.relative(root, s.absPath).split(path.sep).join('/'), s.reason]));
}

const rel = (root: string, result: ScanResult) => result.files.map((f) => f.relPath).sort();

const DOCKERFILE = 'FROM alpine:3.20\nUSER 10001\n';

test('files deleted, rewritten or replaced by a folder, and folders removed, while the scan runs', async () => {
  // One folder: its listing is read before the first file is checked, then the disk changes.
  const root = workspace({
    'a.dockerfile': DOCKERFILE,
    'b.dockerfile': DOCKERFILE,
    'c.dockerfile': DOCKERFILE,
    'd/Dockerfile': DOCKERFILE,
    'd/deeper/Dockerfile': DOCKERFILE,
    'e.dockerfile': DOCKERFILE,
  });
  let changed = false;
  const result = await scan(root, (_done, absPath) => {
    if (changed || path.basename(absPath) !== 'a.dockerfile') return;
    changed = true;
    fs.rmSync(path.join(root, 'b.dockerfile'));
    fs.writeFileSync(path.join(root, 'c.dockerfile'), 'FROM alpine:latest\nRUN sudo true\nUSER 10001\n');
    fs.rmSync(path.join(root, 'd'), { recursive: true });
    fs.rmSync(path.join(root, 'e.dockerfile'));
    fs.mkdirSync(path.join(root, 'e.dockerfile'));
  });
  assert.ok(changed, 'the disk changed during the scan');
  assert.equal(result.cancelled, false);
  assert.deepEqual(rel(root, result), ['a.dockerfile', 'c.dockerfile']);
  const c = result.files.find((f) => f.relPath === 'c.dockerfile')!;
  assert.ok(c.result.findings.some((f) => f.ruleId === 'docker/sudo'), 'the rewritten text was checked');
  const skipped = skippedOf(root, result);
  assert.deepEqual(Object.keys(skipped).sort(), ['b.dockerfile', 'd', 'e.dockerfile'], JSON.stringify(skipped));
  assert.match(skipped['b.dockerfile'], /cannot be read \(ENOENT/);
  assert.match(skipped['d'], /folder cannot be read \(ENOENT/);
  assert.equal(skipped['e.dockerfile'], 'not a regular file');
});

test('names that are not UTF-8, FIFOs, and a valid name with U+FFFD in it', async (t) => {
  const root = workspace({ 'Dockerfile': DOCKERFILE, 'ok-\uFFFD.env': 'A=1\n' });
  // "bad-\xff.env": a Linux file name that no UTF-8 string can name.
  fs.writeFileSync(Buffer.concat([Buffer.from(`${root}/bad-`), Buffer.from([0xff]), Buffer.from('.env')]), 'AWS_SECRET_ACCESS_KEY=x\n');
  let fifo = false;
  const made = spawnSync('mkfifo', [path.join(root, 'pipe.env')]);
  fifo = made.status === 0;
  if (!fifo) t.diagnostic('mkfifo is not available: the FIFO case is not exercised');
  const result = await scan(root);
  assert.deepEqual(rel(root, result), ['Dockerfile', 'ok-\uFFFD.env']);
  const skipped = skippedOf(root, result);
  assert.equal(skipped['bad-\uFFFD.env'], 'the name is not valid UTF-8');
  if (fifo) assert.equal(skipped['pipe.env'], 'not a regular file (a FIFO, socket or device)');
});

test('symbolic links: followed once inside the workspace, never out of it, loops named; a folder of links is never 0 files in silence', async () => {
  const outside = workspace({ 'secret.env': 'AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n' });
  const root = workspace({ 'real/Dockerfile': DOCKERFILE });
  fs.mkdirSync(path.join(root, 'links'));
  fs.symlinkSync(path.join(root, 'real', 'Dockerfile'), path.join(root, 'links', 'Dockerfile'));
  fs.symlinkSync(path.join(outside, 'secret.env'), path.join(root, 'links', 'secret.env'));
  fs.symlinkSync(root, path.join(root, 'links', 'loop'));
  fs.symlinkSync(path.join(root, 'links', 'a'), path.join(root, 'links', 'b'));
  fs.symlinkSync(path.join(root, 'links', 'b'), path.join(root, 'links', 'a'));
  const result = await scan(root);
  assert.deepEqual(rel(root, result), ['real/Dockerfile']);
  const skipped = skippedOf(root, result);
  assert.deepEqual(skipped, {
    'links/Dockerfile': 'symbolic link to real/Dockerfile, scanned already',
    'links/a': 'symbolic link loop',
    'links/b': 'symbolic link loop',
    'links/loop': 'symbolic link loop (to ., which holds it)',
    'links/secret.env': 'symbolic link to outside the workspace',
  });
  assert.ok(!result.files.some((f) => f.result.findings.some((x) => x.ruleId.startsWith('secrets/'))), 'nothing outside the workspace was read');

  // Only links, all leading out: no file checked, and the scan says why.
  const onlyLinks = workspace();
  fs.symlinkSync(path.join(outside, 'secret.env'), path.join(onlyLinks, 'secret.env'));
  const empty = await scan(onlyLinks);
  assert.deepEqual(empty.files, []);
  assert.deepEqual(skippedOf(onlyLinks, empty), { 'secret.env': 'symbolic link to outside the workspace' });
  assert.deepEqual(empty.empty, [onlyLinks]);
});

test('unreadable files and folders are listed, and the rest is scanned', async () => {
  const root = workspace({ 'Dockerfile': DOCKERFILE, 'locked/Dockerfile': DOCKERFILE, 'open/Dockerfile': DOCKERFILE, 'secret.dockerfile': DOCKERFILE });
  fs.chmodSync(path.join(root, 'locked'), 0o000);
  fs.chmodSync(path.join(root, 'secret.dockerfile'), 0o000);
  try {
    let result: { files: string[]; skipped: Record<string, string> };
    if (process.getuid?.() === 0) {
      // root reads through chmod 000: scan as an unprivileged user instead.
      fs.chmodSync(root, 0o755);
      const script = `
        const { Session } = require('./server/src/workspace/session');
        const { allRules } = require('./rules/index');
        const path = require('node:path');
        const root = ${JSON.stringify(root)};
        const session = new Session({ rules: allRules });
        session.setFolders([root]);
        session.scan({ paths: [root] }).then((r) => console.log(JSON.stringify({
          files: r.files.map((f) => f.relPath).sort(),
          skipped: Object.fromEntries(r.skipped.map((s) => [path.relative(root, s.absPath), s.reason])),
        })));`;
      const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: repo, uid: 65534, gid: 65534, encoding: 'utf8', env: { ...process.env, HOME: os.tmpdir() } });
      // chmod 000 does not stop root, so the case is made by an unprivileged child: it must run.
      assert.equal(child.status, 0, `a scan as uid 65534 could not run: ${child.stderr.split('\n')[0]}`);
      result = JSON.parse(child.stdout.trim().split('\n').at(-1)!);
    } else {
      let readable = true;
      try {
        fs.readFileSync(path.join(root, 'secret.dockerfile'));
      } catch {
        readable = false;
      }
      assert.equal(readable, false, 'chmod 000 must stop this user from reading, or the case cannot be made');
      const r = await scan(root);
      result = { files: rel(root, r), skipped: skippedOf(root, r) };
    }
    assert.deepEqual(result.files, ['Dockerfile', 'open/Dockerfile']);
    assert.match(result.skipped['locked'], /folder cannot be read \(EACCES: permission denied\)/);
    assert.match(result.skipped['secret.dockerfile'], /cannot be read \(EACCES: permission denied\)/);
  } finally {
    fs.chmodSync(path.join(root, 'locked'), 0o755);
  }
});

test('10,000 files are all walked (100,000, walked and scanned, are measured by npm run bench:scan)', async () => {
  const root = workspace();
  try {
    for (let d = 0; d < 10; d++) {
      const folder = path.join(root, `d${String(d).padStart(3, '0')}`);
      fs.mkdirSync(folder);
      for (let i = 0; i < 1000; i++) fs.closeSync(fs.openSync(path.join(folder, `f${i}.env`), 'w'));
    }
    let count = 0;
    const skipped: string[] = [];
    for await (const file of walkWorkspace(root, { exclude: [], onSkip: (p, reason) => skipped.push(`${p}: ${reason}`) })) {
      if (file.relPath.endsWith('.env')) count++;
    }
    assert.equal(count, 10_000);
    assert.deepEqual(skipped, []);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
