#!/usr/bin/env node
// Runs every test/**/*.test.ts (or those under the folders/files given) with Node's test runner,
// TypeScript loaded through tsx. Usage: node scripts/run-tests.mjs [test/unit test/cli/x.test.ts …]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const targets = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const passThrough = process.argv.slice(2).filter((a) => a.startsWith('--'));

function collect(target, out) {
  const stat = fs.statSync(target);
  if (stat.isFile()) return void out.push(target);
  for (const entry of fs.readdirSync(target, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(target, entry.name);
    if (entry.isDirectory()) {
      // test/e2e/suite runs inside VS Code's extension host, not here.
      if (entry.name !== 'node_modules' && entry.name !== 'suite' && entry.name !== 'fixtures') collect(full, out);
    } else if (entry.name.endsWith('.test.ts')) out.push(full);
  }
}

const files = [];
for (const t of targets.length ? targets : ['test']) collect(path.resolve(root, t), files);
if (files.length === 0) {
  console.error('run-tests: no test files found');
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...passThrough, ...files], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
