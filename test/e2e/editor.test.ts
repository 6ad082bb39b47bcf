// Runs the editor end-to-end suite (test/e2e/suite, in a real VS Code) as part of `npm test`.
// It needs code-server 4.100.3 and Chromium (scripts/e2e-setup.sh) and a build (`npm run build`).
// Without them it fails, saying what is missing; FOURFOLD_SKIP_E2E=1 skips it instead.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(__dirname, '../..');

function missingPrerequisites(): string[] {
  const cache = process.env.FOURFOLD_CACHE || path.join(os.homedir(), '.cache', 'fourfold');
  const codeServer = process.env.FOURFOLD_CODE_SERVER || path.join(cache, 'cs-4.100.3', 'node_modules', '.bin', 'code-server');
  const chromium = process.env.FOURFOLD_CHROMIUM || '/usr/bin/chromium';
  const missing: string[] = [];
  if (!fs.existsSync(codeServer)) missing.push(`code-server 4.100.3 (${codeServer})`);
  if (!fs.existsSync(chromium)) missing.push(`chromium (${chromium})`);
  if (!fs.existsSync(path.join(root, 'node_modules', 'playwright-core'))) missing.push('playwright-core (npm ci)');
  return missing;
}

test('the editor end-to-end suite passes in a real VS Code (code-server 4.100.3)', { timeout: 300_000 }, async (t) => {
  const missing = missingPrerequisites();
  if (process.env.FOURFOLD_SKIP_E2E === '1') {
    const reason = `FOURFOLD_SKIP_E2E=1${missing.length ? `; not installed: ${missing.join(', ')}` : ''}`;
    console.log(`editor e2e skipped: ${reason}`);
    t.skip(reason);
    return;
  }
  assert.deepEqual(missing, [], `not installed: ${missing.join(', ')}. Run scripts/e2e-setup.sh, or set FOURFOLD_SKIP_E2E=1 to skip the editor tests.`);
  for (const bundle of ['dist/client.js', 'dist/server.js']) {
    assert.ok(fs.existsSync(path.join(root, bundle)), `${bundle} is missing: run \`npm run build\` first`);
  }

  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'test', 'e2e', 'run.ts')], {
    cwd: root,
    env: { ...process.env, NODE_TEST_CONTEXT: undefined, FORCE_COLOR: '0' } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  console.log(output.trimEnd());
  console.log(`editor e2e: exit code ${code} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  assert.equal(code, 0, 'the editor suite failed: see the mocha output above');
});
