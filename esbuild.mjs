// Bundles what ships and what the editor end-to-end suite loads. Usage:
//   node esbuild.mjs            dist/client.js, dist/server.js, dist/cli.js (no source maps: the release build)
//   node esbuild.mjs --dev      the same with inline source maps
//   node esbuild.mjs --minify   the same, minified
//   node esbuild.mjs --watch    rebuild dist/ on change (implies --dev)
//   node esbuild.mjs --e2e      out/e2e/suite/*.js from test/e2e/suite/*.ts (run inside VS Code's extension host)
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';

const root = import.meta.dirname;
const flags = new Set(process.argv.slice(2));
const watch = flags.has('--watch');
const dev = watch || flags.has('--dev');

/** Options every bundle shares: Node 20, CommonJS (what VS Code's extension host and `node` load). */
const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // The extension host provides `vscode`; it is never bundled.
  external: ['vscode'],
  sourcemap: dev ? 'inline' : false,
  minify: flags.has('--minify'),
  logLevel: 'warning',
};

const shipped = {
  ...common,
  entryPoints: {
    client: 'client/src/extension.ts',
    server: 'server/src/server.ts',
    cli: 'server/src/cli.ts',
  },
  outdir: 'dist',
};

function e2eSuite() {
  const dir = path.join(root, 'test/e2e/suite');
  const entryPoints = fs
    .readdirSync(dir)
    .filter((f) => f === 'index.ts' || f.endsWith('.test.ts'))
    .map((f) => `test/e2e/suite/${f}`);
  // mocha stays external: the runner (index.js) and every test file must share one mocha instance,
  // required from the repository's node_modules.
  return { ...common, entryPoints, outdir: 'out/e2e/suite', external: ['vscode', 'mocha'], sourcemap: 'inline' };
}

const options = flags.has('--e2e') ? e2eSuite() : shipped;
const entries = Array.isArray(options.entryPoints) ? options.entryPoints : Object.values(options.entryPoints);
const missing = entries.filter((entry) => !fs.existsSync(path.join(root, entry)));
if (missing.length > 0) {
  console.error(`esbuild: missing entry point${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);
  process.exit(1);
}
if (watch) {
  const context = await esbuild.context(options);
  await context.watch();
  console.log('esbuild: watching for changes…');
} else {
  const started = Date.now();
  const result = await esbuild.build({ ...options, metafile: true });
  const outputs = Object.entries(result.metafile.outputs).map(
    ([file, { bytes }]) => `${file} ${(bytes / 1024).toFixed(0)} KiB`,
  );
  console.log(`esbuild: ${outputs.join(', ')} in ${Date.now() - started} ms`);
}
