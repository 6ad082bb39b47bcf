// Packs the extension with the `vsce package` step of package.json's "package" script, and reads
// the .vsix (a zip) without an unzip binary: what the e2e run installs and what the package test checks.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const root = path.resolve(__dirname, '../..');

/**
 * Runs the vsce step of `npm run package` (not its build step: callers have built, and rebuilding
 * dist/ would race other tests that load it), writing `out`.
 */
export function packageVsix(out: string): void {
  const script: string = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).scripts.package;
  const vsce = script.split('&&').map((s) => s.trim()).find((s) => s.startsWith('vsce package'));
  assert.ok(vsce, `the package script runs vsce package: ${script}`);
  const result = spawnSync(`${vsce} --out "${out}"`, {
    cwd: root,
    shell: true,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${path.join(root, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH}` },
  });
  assert.equal(result.status, 0, `${vsce} failed:\n${result.stdout}\n${result.stderr}`);
}

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  localHeader: number;
}

function centralDirectory(zip: Buffer): ZipEntry[] {
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  assert.ok(eocd >= 0, 'a zip end-of-central-directory record');
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    assert.equal(zip.readUInt32LE(at), 0x02014b50, 'a central directory entry');
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    entries.push({
      name: zip.toString('utf8', at + 46, at + 46 + nameLength),
      method: zip.readUInt16LE(at + 10),
      compressedSize: zip.readUInt32LE(at + 20),
      localHeader: zip.readUInt32LE(at + 42),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Names of the files in a zip, from its central directory. */
export function zipEntries(zip: Buffer): string[] {
  return centralDirectory(zip).map((e) => e.name);
}

/** Extracts the entries under `prefix` (e.g. "extension/") into `dest`, without the prefix. */
export function extractZip(zip: Buffer, prefix: string, dest: string): void {
  for (const entry of centralDirectory(zip)) {
    if (!entry.name.startsWith(prefix) || entry.name.endsWith('/')) continue;
    const relative = entry.name.slice(prefix.length);
    const target = path.resolve(dest, relative);
    assert.ok(target.startsWith(path.resolve(dest) + path.sep), `${entry.name} stays inside ${dest}`);
    const header = entry.localHeader;
    assert.equal(zip.readUInt32LE(header), 0x04034b50, 'a local file header');
    const start = header + 30 + zip.readUInt16LE(header + 26) + zip.readUInt16LE(header + 28);
    const data = zip.subarray(start, start + entry.compressedSize);
    assert.ok(entry.method === 0 || entry.method === 8, `${entry.name}: stored or deflated`);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, entry.method === 8 ? zlib.inflateRawSync(data) : data);
  }
}
