// Running the real `fourfold` command in tests: the esbuild bundle (dist/cli.js), rebuilt first when
// it is older than the sources (test/bundle.ts), else, when it cannot be built, the TypeScript entry
// point through tsx. FOURFOLD_CLI=tsx or FOURFOLD_CLI=bundle forces one.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { ensureFreshBundles, repoRoot } from '../bundle';

export { repoRoot };
export const fixtures = path.join(repoRoot, 'test/fixtures');
const bundle = path.join(repoRoot, 'dist/cli.js');

let prefix: string[] | undefined;

/**
 * A private copy of the bundle for this test process, so a rebuild of dist/ while tests run cannot
 * swap the program under them. `docs` beside it, as in the package, for the rules' help text.
 */
function privateBundle(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fourfold-cli-'));
  fs.mkdirSync(path.join(dir, 'dist'));
  fs.copyFileSync(bundle, path.join(dir, 'dist/cli.js'));
  fs.symlinkSync(path.join(repoRoot, 'docs'), path.join(dir, 'docs'));
  fs.symlinkSync(path.join(repoRoot, 'data'), path.join(dir, 'data'));
  return path.join(dir, 'dist/cli.js');
}

/** The node arguments that start the CLI. */
export function cliPrefix(): string[] {
  if (prefix) return prefix;
  const mode = process.env.FOURFOLD_CLI;
  if (mode !== 'tsx' && (mode === 'bundle' || ensureFreshBundles() === undefined)) prefix = [privateBundle()];
  else prefix = ['--import', pathToFileURL(path.join(repoRoot, 'node_modules/tsx/dist/loader.mjs')).href, path.join(repoRoot, 'server/src/cli.ts')];
  return prefix;
}

export function usingBundle(): boolean {
  return cliPrefix()[0].endsWith('cli.js');
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], options: { cwd: string; env?: Record<string, string | undefined> }): CliRun {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', ...options.env };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  const run = spawnSync(process.execPath, [...cliPrefix(), ...args], { cwd: options.cwd, env: env as NodeJS.ProcessEnv, encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A copy of test/fixtures/<name> in a fresh temporary folder (`_gitignore` becomes `.gitignore`). */
export function copyFixture(name: string): string {
  const target = fs.mkdtempSync(path.join(os.tmpdir(), `fourfold-${name}-`));
  const copy = (from: string, to: string) => {
    fs.mkdirSync(to, { recursive: true });
    for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
      const dest = path.join(to, entry.name === '_gitignore' ? '.gitignore' : entry.name);
      if (entry.isDirectory()) copy(path.join(from, entry.name), dest);
      else fs.copyFileSync(path.join(from, entry.name), dest);
    }
  };
  copy(path.join(fixtures, name), target);
  return target;
}

export function emptyWorkspace(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'fourfold-ws-'));
}

export function write(root: string, relPath: string, content: string | Buffer): string {
  const file = path.join(root, relPath);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

export interface JsonFinding {
  ruleId: string;
  severity: string;
  message: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  suppressed?: { kind: string; reason?: string };
}

export interface JsonReport {
  version: number;
  files: { path: string; findings: JsonFinding[] }[];
  skipped: { path: string; reason: string }[];
  summary: {
    files: number;
    findings: number;
    suppressed: number;
    bySeverity: Record<string, number>;
    byLayer: Record<string, number>;
    parseErrors: number;
    skipped: number;
    ruleErrors: number;
  };
}

/** Scans with --format json and returns the parsed report with the exit code. */
export function scanJson(cwd: string, args: string[] = []): { code: number | null; report: JsonReport; stderr: string } {
  const run = runCli(['scan', ...args, '--format', 'json', '--fail-on', 'none'], { cwd });
  if (run.code !== 0) throw new Error(`fourfold exited ${run.code}: ${run.stderr}`);
  return { code: run.code, report: JSON.parse(run.stdout) as JsonReport, stderr: run.stderr };
}

let ruleIdsCache: string[] | undefined;

/** Every rule id the CLI knows. */
export function allRuleIds(): string[] {
  if (!ruleIdsCache) {
    const run = runCli(['rules', '--format', 'json'], { cwd: repoRoot });
    ruleIdsCache = (JSON.parse(run.stdout) as { id: string }[]).map((r) => r.id);
  }
  return ruleIdsCache;
}

/** A `.fourfold.yaml` that turns off every rule but these (so tests do not depend on rules added later). */
export function onlyRulesConfig(keep: string[], extra = ''): string {
  const lines = ['rules:'];
  for (const id of allRuleIds()) lines.push(`  ${id}: ${keep.includes(id) ? 'on' : 'off'}`);
  return lines.join('\n') + '\n' + extra;
}
