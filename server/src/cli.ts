// `fourfold` on the command line, for CI: the same engine, configuration, suppressions and baseline
// as the editor, over files and folders, with text, JSON or SARIF out and an exit code to gate on.
//
//   exit 0  nothing (not suppressed) at or above --fail-on
//   exit 1  a finding at or above --fail-on
//   exit 2  usage error (bad flag or value, path not found) or configuration error
//   exit 3  internal error (a bug in Fourfold)
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { version as VERSION } from '../../package.json';
import { allRules } from '../../rules/index';
import { SEVERITIES, type AnyRule as Rule, type Finding, type Severity } from './engine/api';
import { CONFIG_FILE, type Config, type RuleSetting } from './engine/config';
import { formatJson, formatText, type ReportInput } from './engine/report';
import { fileUri } from './engine/sarif';
import { LineIndex } from './core/text';
import { loadShippedData } from './workspace/data';
import { fixFiles } from './workspace/fix';
import { Session } from './workspace/session';

const HELP = `fourfold ${VERSION} — cloud-native security checks (Dockerfiles and secrets; Terraform syntax; Kubernetes and TypeScript to come)

Usage:
  fourfold scan [paths…] [options]     check files and folders (default: .)
  fourfold rules [--format text|json]  list the rules
  fourfold --help | --version

Scan options:
  --format text|json|sarif     output format (default: text)
  --output FILE                write the report to FILE instead of standard output
  --fail-on SEVERITY           exit 1 when a finding is at or above it:
                               critical, high, medium, low, info or none (default: high)
  --config FILE                read this configuration instead of <root>/${CONFIG_FILE}
  --no-config                  read no configuration file
  --baseline FILE              hide the findings accepted in this baseline file
                               (default: the config's baseline, .fourfold-baseline.json)
  --write-baseline[=FILE]      accept the current findings: write them to the baseline file and exit 0
  --exclude GLOB               skip files matching GLOB (relative to the root; repeatable)
  --rule ID=off|on|SEVERITY    turn a rule off or on, or change its severity (repeatable)
  --show-suppressed            list suppressed findings too (text format)
  --quiet                      print findings only: no summary, no notes
  --fix                        apply every safe fix in place (those that fit together), then report
                               what is left

The root (for ${CONFIG_FILE}, the baseline, excludes and reported paths) is the nearest folder
at or above the first path that holds ${CONFIG_FILE} or .git, else the current folder.
Folders are walked honouring .gitignore; node_modules, .git, .terraform, binary and oversized
files are skipped.

Exit codes: 0 no finding at or above --fail-on, 1 some, 2 usage or configuration error.
`;

const FAIL_ON = [...SEVERITIES, 'none'] as const;
type FailOn = (typeof FAIL_ON)[number];
const FORMATS = ['text', 'json', 'sarif'] as const;
type Format = (typeof FORMATS)[number];
const RANK: Record<Severity, number> = { critical: 5, high: 4, medium: 3, low: 2, info: 1 };

export interface CliIo {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown };
  cwd: string;
  env: NodeJS.ProcessEnv;
}

class UsageError extends Error {}

const processIo = (): CliIo => ({ stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env });

/** Runs the CLI; resolves to the exit code. Never throws for user input. */
export async function main(argv: string[] = process.argv.slice(2), io: CliIo = processIo()): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command === undefined) throw new UsageError('missing command: use `fourfold scan [paths…]` or `fourfold rules`');
    if (command === '--help' || command === '-h' || command === 'help') {
      io.stdout.write(HELP);
      return 0;
    }
    if (command === '--version' || command === '-v' || command === '-V') {
      io.stdout.write(`${VERSION}\n`);
      return 0;
    }
    if (command === 'scan') return await scan(rest, io);
    if (command === 'rules') return rules(rest, io);
    if (command.startsWith('-')) throw new UsageError(`unknown option '${command}'`);
    throw new UsageError(`unknown command '${command}'`);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`fourfold: ${error.message} (see fourfold --help)\n`);
      return 2;
    }
    io.stderr.write(`fourfold: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 3;
  }
}

type ParsedOptions = Record<string, string | boolean | string[] | undefined>;

/** node:util parseArgs, with its errors turned into one-line usage errors. */
function parse(args: string[], options: NonNullable<Parameters<typeof parseArgs>[0]>['options']): { values: ParsedOptions; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values: values as ParsedOptions, positionals };
  } catch (error) {
    const e = error as Error & { code?: string };
    let message = e.message.split('\n')[0];
    const unknown = /Unknown option '([^']+)'/.exec(message);
    if (unknown) message = `unknown option '${unknown[1]}'`;
    const missing = /Option '(?:-\w, )?(--?[\w-]+)[^']*' argument missing/.exec(message);
    if (missing) message = `option '${missing[1]}' needs a value`;
    const ambiguous = /Option '(?:-\w, )?(--?[\w-]+)[^']*' argument is ambiguous/.exec(message);
    if (ambiguous) message = `option '${ambiguous[1]}' needs a value (got an option instead)`;
    throw new UsageError(message.replace(/\. To specify a positional argument.*$/, ''));
  }
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], flag: string, fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value.toLowerCase())) return value.toLowerCase() as T;
  throw new UsageError(`bad value '${String(value)}' for ${flag}: expected one of ${allowed.join(', ')}`);
}

function rules(args: string[], io: CliIo): number {
  const { values, positionals } = parse(args, { format: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}' for \`fourfold rules\``);
  const format = oneOf(values.format, ['text', 'json'] as const, '--format', 'text');
  const list = [...allRules].sort((a, b) => (a.id < b.id ? -1 : 1));
  if (format === 'json') {
    const out = list.map((r) => ({
      id: r.id,
      title: r.title,
      severity: r.severity,
      layer: r.layer,
      fixable: Boolean(r.fixable),
      description: r.description,
      references: r.references,
    }));
    io.stdout.write(JSON.stringify(out, null, 2) + '\n');
    return 0;
  }
  const width = (pick: (r: Rule) => string) => Math.max(...list.map((r) => pick(r).length));
  const w = [width((r) => r.id), width((r) => r.severity), width((r) => r.layer)];
  const header = `${'RULE'.padEnd(w[0])}  ${'SEVERITY'.padEnd(Math.max(8, w[1]))}  ${'LAYER'.padEnd(w[2])}  FIX  TITLE`;
  const rows = list.map(
    (r) => `${r.id.padEnd(w[0])}  ${r.severity.padEnd(Math.max(8, w[1]))}  ${r.layer.padEnd(w[2])}  ${(r.fixable ? 'fix' : '').padEnd(3)}  ${r.title}`,
  );
  io.stdout.write([header, ...rows, '', `${list.length} rules`].join('\n') + '\n');
  return 0;
}

/** `--write-baseline` takes an optional value: `--write-baseline=FILE`, or `--write-baseline FILE.json`. */
function normalizeOptionalValue(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--write-baseline') {
      const next = args[i + 1];
      if (next !== undefined && !next.startsWith('-') && next.toLowerCase().endsWith('.json')) {
        out.push(`--write-baseline=${next}`);
        i++;
      } else out.push('--write-baseline=');
    } else out.push(args[i]);
  }
  return out;
}

function parseRuleFlags(specs: string[]): Record<string, RuleSetting> {
  const known = new Set(allRules.map((r) => r.id));
  const settings: Record<string, RuleSetting> = {};
  const allowed = ['off', 'on', ...SEVERITIES];
  for (const spec of specs) {
    const eq = spec.lastIndexOf('=');
    if (eq <= 0) throw new UsageError(`bad --rule '${spec}': expected ID=off|on|${SEVERITIES.join('|')}`);
    const id = spec.slice(0, eq).trim();
    const value = spec.slice(eq + 1).trim().toLowerCase();
    if (!known.has(id)) throw new UsageError(`unknown rule '${id}' in --rule (fourfold rules lists them)`);
    if (!allowed.includes(value)) throw new UsageError(`bad --rule value '${value}' for ${id}: expected off, on or ${SEVERITIES.join(', ')}`);
    settings[id] = value as RuleSetting;
  }
  return settings;
}

/** The nearest folder at or above `start` holding `.fourfold.yaml` or `.git`. */
export function findProjectRoot(start: string, cwd: string): string {
  let dir = start;
  try {
    if (!fs.statSync(dir).isDirectory()) dir = path.dirname(dir);
  } catch {
    dir = path.dirname(dir);
  }
  for (let d = dir; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, CONFIG_FILE)) || fs.existsSync(path.join(d, '.git'))) return d;
    if (path.dirname(d) === d) break;
  }
  // No marker: the current folder when it contains the path, else the path's own folder.
  const rel = path.relative(cwd, dir);
  return rel.startsWith('..') || path.isAbsolute(rel) ? dir : cwd;
}

function docsFor(rule: Rule): string | undefined {
  for (const dir of [path.resolve(__dirname, '../docs/rules'), path.resolve(__dirname, '../../docs/rules')]) {
    try {
      return fs.readFileSync(path.join(dir, `${rule.id}.md`), 'utf8');
    } catch {
      /* try the next place */
    }
  }
  return undefined;
}

const toSlashes = (p: string) => p.split(path.sep).join('/');

async function scan(rawArgs: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(normalizeOptionalValue(rawArgs), {
    format: { type: 'string', short: 'f' },
    output: { type: 'string', short: 'o' },
    'fail-on': { type: 'string' },
    config: { type: 'string', short: 'c' },
    'no-config': { type: 'boolean' },
    baseline: { type: 'string' },
    'write-baseline': { type: 'string' },
    exclude: { type: 'string', multiple: true },
    rule: { type: 'string', multiple: true },
    'show-suppressed': { type: 'boolean' },
    quiet: { type: 'boolean', short: 'q' },
    fix: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  const format: Format = oneOf(values.format, FORMATS, '--format', 'text');
  const failOn: FailOn = oneOf(values['fail-on'], FAIL_ON, '--fail-on', 'high');
  if (values.config !== undefined && values['no-config']) throw new UsageError('--config and --no-config cannot be used together');
  for (const flag of ['output', 'config', 'baseline'] as const) {
    if (values[flag] === '') throw new UsageError(`option '--${flag}' needs a value`);
  }
  const ruleFlags = parseRuleFlags((values.rule as string[] | undefined) ?? []);
  const excludeFlags = ((values.exclude as string[] | undefined) ?? []).filter((g) => g.trim());

  const paths = (positionals.length ? positionals : ['.']).map((p) => path.resolve(io.cwd, p));
  for (const [i, p] of paths.entries()) {
    if (!fs.existsSync(p)) throw new UsageError(`path not found: ${positionals[i] ?? p}`);
  }
  const root = findProjectRoot(paths[0], io.cwd);

  let configPath: string | null | undefined;
  if (values['no-config']) configPath = null;
  else if (typeof values.config === 'string') {
    configPath = path.resolve(io.cwd, values.config);
    if (!fs.existsSync(configPath)) throw new UsageError(`config file not found: ${values.config}`);
  }
  let baselineFlag: string | undefined;
  if (typeof values.baseline === 'string') {
    baselineFlag = path.resolve(io.cwd, values.baseline);
    if (!fs.existsSync(baselineFlag)) throw new UsageError(`baseline file not found: ${values.baseline}`);
  }
  const writeBaseline = values['write-baseline'] as string | undefined;
  if (values.fix && writeBaseline !== undefined) throw new UsageError('--fix and --write-baseline cannot be used together');

  const session = new Session({
    rules: allRules,
    trusted: true,
    configPath,
    loadData: loadShippedData,
    useBaseline: writeBaseline === undefined,
    overrides: { rules: ruleFlags, exclude: excludeFlags, ...(baselineFlag ? { baseline: baselineFlag } : {}) } satisfies Partial<Config>,
  });
  session.setFolders([root]);
  const problems = configurationProblems(session, io, root, writeBaseline !== undefined);
  if (problems) return problems;

  const result = await session.scan({ paths, fixes: format === 'sarif' });
  // Configuration roots below the scan root (a sub-folder's own .fourfold.yaml) are read as files are met.
  const late = configurationProblems(session, io, root, writeBaseline !== undefined);
  if (late) return late;
  const shown = (absPath: string) => toSlashes(path.relative(root, absPath));

  if (writeBaseline !== undefined) {
    for (const { path: target, baseline } of session.baselines(result.files)) {
      const file = writeBaseline ? path.resolve(io.cwd, writeBaseline) : target;
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify(baseline, null, 2) + '\n');
      if (!values.quiet) io.stdout.write(`Wrote ${baseline.findings.length} accepted finding${baseline.findings.length === 1 ? '' : 's'} to ${toSlashes(path.relative(io.cwd, file)) || file}\n`);
      if (writeBaseline) break;
    }
    return 0;
  }

  if (values.fix) {
    const fixed = fixFiles(result.files);
    for (const skipped of fixed.skipped) io.stderr.write(`fourfold: ${skipped.relPath}: fixes not written: ${skipped.reason}\n`);
    if (!values.quiet) {
      io.stderr.write(`fourfold: applied ${fixed.fixes} fix${fixed.fixes === 1 ? '' : 'es'} in ${fixed.files} file${fixed.files === 1 ? '' : 's'}; the report shows what is left\n`);
    }
  }

  const ruleErrors = result.files.flatMap((f) => f.result.ruleErrors.map((e) => ({ path: shown(f.absPath), ...e })));
  const skipped = [
    ...result.skipped.map((s) => ({ path: shown(s.absPath), reason: s.reason })),
    ...result.empty.map((folder) => ({ path: shown(folder) || '.', reason: 'no file to check in this folder' })),
  ];
  const input: ReportInput = {
    files: result.files.map((f) => ({ path: shown(f.absPath), text: f.text, findings: f.result.findings })),
    skipped,
    rules: allRules,
    ruleErrors,
    toolVersion: VERSION,
  };

  let report: string;
  if (format === 'json') report = formatJson(input);
  else if (format === 'sarif') {
    const log = session.sarif(result.files, root, {
      toolVersion: VERSION,
      baseUri: fileUri(root) + '/',
      helpMarkdown: docsFor,
      notifications: [
        ...skipped.map((s) => ({ level: 'note' as const, message: `skipped: ${s.reason}`, relPath: s.path })),
        ...ruleErrors.map((e) => ({ level: 'error' as const, message: `rule ${e.ruleId} failed: ${e.error.split('\n')[0]}`, relPath: e.path })),
      ],
    });
    report = JSON.stringify(log, null, 2) + '\n';
  } else {
    const color = !values.output && Boolean(io.stdout.isTTY) && !(io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '');
    report = formatText(input, { color, showSuppressed: Boolean(values['show-suppressed']), quiet: Boolean(values.quiet) });
  }

  if (typeof values.output === 'string') {
    const target = path.resolve(io.cwd, values.output);
    try {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, report);
    } catch (error) {
      throw new UsageError(`cannot write ${values.output}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  } else io.stdout.write(report);

  const failing = failOn === 'none' ? [] : unsuppressedAtOrAbove(result.files.flatMap((f) => f.result.findings), failOn);
  if (typeof values.output === 'string' && !values.quiet) {
    const gate = failOn === 'none' ? '' : `; ${failing.length} finding${failing.length === 1 ? '' : 's'} at or above ${failOn}`;
    io.stderr.write(`fourfold: wrote ${format} report to ${values.output}${gate}\n`);
  }
  return failing.length > 0 ? 1 : 0;
}

/** Prints the configuration problems of every root read so far; exit code 2 when there are any. */
function configurationProblems(session: Session, io: CliIo, root: string, ignoreBaseline: boolean): number | undefined {
  let bad: string | undefined;
  for (const info of session.all()) {
    const baselineError = ignoreBaseline ? undefined : info.baselineError;
    if (info.problems.length === 0 && !baselineError) continue;
    const shown = toSlashes(path.relative(io.cwd, info.configPath ?? path.join(info.workspace.root || root, CONFIG_FILE))) || CONFIG_FILE;
    const lines = new LineIndex(info.configText ?? '');
    for (const problem of info.problems) {
      const at = lines.position(problem.span.start);
      io.stderr.write(`${shown}:${at.line + 1}:${at.character + 1}: ${problem.message}\n`);
    }
    if (info.problems.length) bad ??= `invalid configuration in ${shown}`;
    else if (baselineError) bad ??= baselineError;
  }
  if (!bad) return undefined;
  io.stderr.write(`fourfold: ${bad} (see fourfold --help)\n`);
  return 2;
}

function unsuppressedAtOrAbove(findings: readonly Finding[], threshold: Severity): Finding[] {
  return findings.filter((f) => !f.suppression && RANK[f.severity] >= RANK[threshold]);
}

if (require.main === module) {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  void main().then((code) => {
    process.exitCode = code;
  });
}
