// Runs the editor end-to-end suite (test/e2e/suite) inside a real VS Code with @vscode/test-electron.
// Where VS Code cannot be downloaded, `vscodeExecutablePath` is our shim (scripts/vscode-shim), which
// runs the same suite in code-server 4.100.3 = VS Code 1.100.3 through headless Chromium.
// The extension under test is the packaged one: the .vsix that `npm run package` makes, unpacked
// (no node_modules), so the run also proves the bundles are self-contained.
// Needs `npm run build` (dist/) and scripts/e2e-setup.sh. Exit code: 0 when every test passed.
//
//   node --import tsx test/e2e/run.ts        (npm run test:e2e builds first)
//   FOURFOLD_E2E_GREP=<title words>         only the matching tests
//   FOURFOLD_E2E_FROM_SOURCE=1               load the extension from the repository instead of the .vsix
//   FOURFOLD_E2E_VSCODE=<path>               another VS Code executable
//   FOURFOLD_E2E_VSCODE=download             let test-electron download VS Code 1.100.3 (needs network)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { extractZip, packageVsix } from './vsix';

const root = path.resolve(__dirname, '../..');
export const SHIM = path.join(root, 'scripts', 'vscode-shim');
const FIXTURE_WORKSPACE = path.join(root, 'test', 'e2e', 'fixtures', 'workspace');

export async function runEditorSuite(): Promise<number> {
  const started = Date.now();
  for (const bundle of ['dist/client.js', 'dist/server.js']) {
    if (!fs.existsSync(path.join(root, bundle))) {
      console.error(`e2e: ${bundle} is missing: run \`npm run build\` first.`);
      return 2;
    }
  }
  const built = spawnSync(process.execPath, [path.join(root, 'esbuild.mjs'), '--e2e'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) {
    console.error('e2e: building the suite failed');
    return 2;
  }

  // A fresh copy of the workspace, profile and extensions dir per run: the tests edit and write files.
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'fourfold-e2e-'));
  const workspace = path.join(temp, 'workspace');
  fs.cpSync(FIXTURE_WORKSPACE, workspace, { recursive: true });
  try {
    let extension = root;
    if (process.env.FOURFOLD_E2E_FROM_SOURCE !== '1') {
      const vsix = path.join(temp, 'fourfold.vsix');
      packageVsix(vsix);
      extension = path.join(temp, 'fourfold');
      extractZip(fs.readFileSync(vsix), 'extension/', extension);
      console.log(`e2e: testing the packaged extension (${(fs.statSync(vsix).size / 1024).toFixed(0)} KiB .vsix, unpacked)`);
    }
    const vscode = process.env.FOURFOLD_E2E_VSCODE || SHIM;
    await runTests({
      ...(vscode === 'download' ? { version: '1.100.3' } : { vscodeExecutablePath: vscode }),
      extensionDevelopmentPath: extension,
      extensionTestsPath: path.join(root, 'out', 'e2e', 'suite', 'index.js'),
      launchArgs: [workspace, `--user-data-dir=${path.join(temp, 'user-data')}`, `--extensions-dir=${path.join(temp, 'extensions')}`],
    });
    console.log(`e2e: passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return 0;
  } catch (error) {
    console.error(`e2e: FAILED after ${((Date.now() - started) / 1000).toFixed(1)} s: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    fs.rmSync(temp, { recursive: true, force: true, maxRetries: 3 });
  }
}

if (require.main === module) {
  runEditorSuite().then((code) => process.exit(code));
}
