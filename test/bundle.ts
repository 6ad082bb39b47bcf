// The esbuild bundles (dist/client.js, dist/server.js, dist/cli.js) as tests use them: a test that
// runs a bundle first makes sure it is at least as new as every source it is built from, and
// rebuilds it with the project's esbuild.mjs when it is not, one test process at a time. So
// `node --test test/lsp/server.test.ts` after an edit tests the edit, never an old dist/.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..');
export const BUNDLES = ['dist/client.js', 'dist/server.js', 'dist/cli.js'] as const;

/** The newest modification time of the sources the bundles are built from. */
function newestSource(): number {
  let newest = 0;
  const visit = (p: string) => {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(p);
    } catch {
      return;
    }
    if (stat.isDirectory()) {
      for (const name of fs.readdirSync(p)) if (name !== 'node_modules' && name !== 'fixtures') visit(path.join(p, name));
    } else if (/\.(ts|json|mjs)$/.test(p)) newest = Math.max(newest, stat.mtimeMs);
  };
  for (const entry of ['server/src', 'client/src', 'rules', 'data', 'package.json', 'esbuild.mjs']) visit(path.join(repoRoot, entry));
  return newest;
}

/** Why the bundles cannot be used as they are, or undefined when all three are fresh. */
export function staleBundles(): string | undefined {
  const newest = newestSource();
  const stale = BUNDLES.filter((b) => {
    const file = path.join(repoRoot, b);
    return !fs.existsSync(file) || fs.statSync(file).mtimeMs < newest;
  });
  return stale.length ? `${stale.join(', ')} missing or older than the sources` : undefined;
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Rebuilds dist/ when a bundle is missing or older than the sources. Returns undefined when the
 * bundles are fresh, else what went wrong (the build's own output included).
 */
export function ensureFreshBundles(): string | undefined {
  if (!staleBundles()) return undefined;
  const lock = path.join(repoRoot, 'dist/.test-build-lock');
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  for (let waited = 0; waited < 120_000; waited += 100) {
    try {
      fs.mkdirSync(lock);
    } catch {
      sleep(100); // another test process is building
      if (!fs.existsSync(lock)) return staleBundles();
      continue;
    }
    try {
      if (!staleBundles()) return undefined; // built by another process meanwhile
      const built = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repoRoot, encoding: 'utf8' });
      if (built.status !== 0) return `node esbuild.mjs failed (exit ${built.status}):\n${built.stdout}${built.stderr}`;
      return staleBundles();
    } finally {
      fs.rmSync(lock, { recursive: true, force: true });
    }
  }
  return `gave up waiting for ${lock} (another test process building dist/; remove it if none is)`;
}
