// `npm run fuzz -- --count N [--seed S] [--format dockerfile|hcl|yaml|text] [--start I] [--max-size CHARS]
//                  [--replay I [--out FILE]] [--json FILE] [--quiet]`
//
// Seeded mutations of every format's samples (the fixtures of rules/, test/fixtures, test/unit/fixtures
// and examples/): byte flips, splices between samples, truncations, repetitions of a fragment, deep
// nesting and format-specific tokens. Each input goes through the parser, every rule and every fix
// (fixes built, compatible safe ones applied, the result parsed again). Reported as crashes:
//   - parser-threw        a parser (or the analysis around it) threw
//   - parser-internal     a parser reported an internal error instead of a parse error
//   - rule-threw          a rule threw (CheckResult.ruleErrors)
//   - fix-overlap         a fix whose own edits overlap, or lie outside the text
//   - fix-breaks-parse    applying the safe fixes left more parse errors than before
//   - fix-path            a fix editing another file names a path outside the workspace
// Input i of seed S is the same on every run: `--replay i` prints it (or writes it to --out), so any
// failure can be reproduced from the two numbers. Time per KB by input size shows whether checking
// stays linear. Exit code 1 when anything crashed.
import fs from 'node:fs';
import path from 'node:path';
import { allRules } from '../rules/index';
import type { Edit, Finding } from '../server/src/engine/api';
import { Analysis } from '../server/src/engine/analysis';
import { defaultConfig } from '../server/src/engine/config';
import { applyEdits, compatibleEdits } from '../server/src/engine/edits';
import { Engine } from '../server/src/engine/engine';
import { detectKind, languageOf } from '../server/src/engine/languages';
import { loadShippedData } from '../server/src/workspace/data';
import { prng } from './prng';

export const FORMATS = ['dockerfile', 'hcl', 'yaml', 'text'] as const;
export type Format = (typeof FORMATS)[number];

const root = path.resolve(__dirname, '..');
const SAMPLE_DIRS = ['rules', 'test/fixtures', 'test/unit/fixtures', 'examples'];
/** Samples longer than this are cut to a window of it, so one big file does not dominate. */
const MAX_SAMPLE = 12 * 1024;

/** The path each format is checked under. */
const PATHS: Record<Format, string> = { dockerfile: 'Dockerfile', hcl: 'main.tf', yaml: 'deploy.yaml', text: '.env' };

/** Tokens that matter to each format's grammar, inserted, repeated and nested. */
const TOKENS: Record<Format, string[]> = {
  dockerfile: ['\\\n', '\n', '<<EOF\n', '\nEOF\n', '<<-"X"\n', '$(', ')', '${', '}', '${A:-', '"', "'", '`', '&&', '||', '|', ';', '#', '# syntax=', '# escape=`\n',
    'RUN ', 'FROM ', ' AS ', 'COPY --from=', 'ADD ', 'ENV ', 'ARG ', 'USER ', '--mount=type=cache,target=/x ', '[', ']', '["', '", "', '\r\n', '\t', 'ONBUILD ', 'HEALTHCHECK CMD ',
    'apt-get install -y ', 'curl -fsSL http://x | sh', 'chmod 777 ', 'sudo ', 'pip install ', 'npm i ', ':latest', '@sha256:', '\u00a0', '🚀', '\uD800', '\\'],
  hcl: ['{', '}', '[', ']', '(', ')', '"', '${', '%{', '~}', '<<EOT\n', '<<-X\n', '\nEOT\n', '#', '//', '/*', '*/', '\n', '=', ':', ',', '...', '?', '.', '[*]',
    'for x in y :', '=>', '\\', '\\u12', 'resource "a" "b" {', 'variable "v" {', 'locals {', 'module "m" {', 'source = "x"', 'if', '%{ endif }', 'a = ', '🚀', '\r\n', '\uDC00'],
  yaml: ['\n', '  ', '- ', ': ', '[', ']', '{', '}', ',', '"', "'", '|', '>-', '&a ', '*a', '!!str ', '!tag ', '? ', '---\n', '...\n', '#', '%YAML 1.2\n', '\t',
    'apiVersion: v1\n', 'kind: Pod\n', 'securityContext:\n', 'privileged: true', '<<: *a', '\\', '\ufeff', '🚀', '\uD800'],
  text: ['\n', '=', ':', '"', "'", 'AKIA', 'ASIA', 'AKIAIOSFODNN7EXAMPLE', '-----BEGIN RSA PRIVATE KEY-----\n', '-----END RSA PRIVATE KEY-----\n', 'ghp_', 'xoxb-', 'glpat-',
    'sk_live_', 'token', 'password', 'secret', 'aws_secret_access_key', '/', '+', 'A', '0', ' ', '# fourfold-ignore ', '\\', '🚀', '\uDBFF'],
};

/** Openings to nest deeply, by format. */
const NESTING: Record<Format, string[]> = {
  dockerfile: ['$(', '${A:-', '"$(', '\\\n', '(', '[', 'RUN <<EOF\n'],
  hcl: ['[', '{', '(', '"${', 'a {\n', 'f(', '[for x in y : ', '%{ if x }', '-!', 'x ? y : '],
  yaml: ['[', '{', '- ', '{a: ', '[{', 'k:\n  ', '? '],
  text: ['(', '[', '{', '"', '=', 'AKIA'],
};

export interface Sample {
  file: string;
  text: string;
}

function listFiles(dir: string, out: string[] = []): string[] {
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') listFiles(full, out);
    } else if (entry.isFile()) out.push(full);
  }
  return out;
}

/** The format a sample file feeds; every readable file also feeds `text`. */
function formatOf(file: string): Format | undefined {
  const kind = detectKind(path.basename(file));
  if (kind === 'dockerfile') return 'dockerfile';
  if (kind === 'terraform' || kind === 'terraform-json') return 'hcl';
  if (kind === 'kubernetes' || kind === 'yaml' || file.endsWith('.json')) return 'yaml';
  return undefined;
}

/** Every format's samples, in a stable order. */
export function loadSamples(): Record<Format, Sample[]> {
  const samples: Record<Format, Sample[]> = { dockerfile: [], hcl: [], yaml: [], text: [] };
  for (const dir of SAMPLE_DIRS) {
    for (const file of listFiles(path.join(root, dir))) {
      const inFixtures = dir !== 'rules' || file.split(path.sep).includes('fixtures');
      if (!inFixtures) continue;
      const bytes = fs.readFileSync(file);
      if (bytes.includes(0)) continue;
      const text = bytes.toString('utf8');
      const rel = path.relative(root, file);
      const format = formatOf(file);
      if (format) samples[format].push({ file: rel, text });
      samples.text.push({ file: rel, text });
    }
  }
  return samples;
}

/** 32-bit mix of two numbers: the seed of input `index` of run `seed`. */
function inputSeed(seed: number, index: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h | 0;
}

export interface Mutated {
  text: string;
  /** What was done, for the report. */
  steps: string[];
  base: string;
}

/** Input `index` of run `seed` for a format: a sample mutated 1-4 times, cut to `maxSize`. Deterministic. */
export function mutate(samples: Record<Format, Sample[]>, format: Format, seed: number, index: number, maxSize = Infinity): Mutated {
  const random = prng(inputSeed(seed, index));
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(list: readonly T[]) => list[int(list.length)];
  const pool = samples[format];
  const base = pick(pool);
  let text = base.text;
  if (text.length > MAX_SAMPLE) {
    const from = int(text.length - MAX_SAMPLE);
    text = text.slice(from, from + MAX_SAMPLE);
  }
  const steps: string[] = [];
  const mutations = 1 + int(4);
  for (let m = 0; m < mutations; m++) {
    const at = int(text.length + 1);
    const kind = int(9);
    if (kind === 0) {
      // byte flips: a few characters replaced by random code units (any of 0-0xFFFF, or ASCII)
      const flips = 1 + int(8);
      const chars = text.split('');
      for (let f = 0; f < flips && chars.length; f++) {
        const i = int(chars.length);
        chars[i] = String.fromCharCode(random() < 0.7 ? 32 + int(95) : int(0x10000));
      }
      text = chars.join('');
      steps.push(`flip ${flips}`);
    } else if (kind === 1) {
      const other = pick(pool).text;
      const from = int(other.length);
      const piece = other.slice(from, from + 1 + int(400));
      text = text.slice(0, at) + piece + text.slice(at);
      steps.push(`splice ${piece.length}@${at}`);
    } else if (kind === 2) {
      text = random() < 0.5 ? text.slice(0, at) : text.slice(at);
      steps.push(`truncate@${at}`);
    } else if (kind === 3) {
      const from = int(text.length);
      const fragment = text.slice(from, from + 1 + int(40)) || pick(TOKENS[format]);
      const times = 2 + int(random() < 0.2 ? 2000 : 50);
      text = text.slice(0, at) + fragment.repeat(times) + text.slice(at);
      steps.push(`repeat ${JSON.stringify(fragment.slice(0, 20))}x${times}`);
    } else if (kind === 4) {
      const open = pick(NESTING[format]);
      const depth = 10 + int(random() < 0.2 ? 5000 : 300);
      text = text.slice(0, at) + open.repeat(depth) + text.slice(at);
      steps.push(`nest ${JSON.stringify(open)}x${depth}`);
    } else if (kind === 5) {
      const start = int(text.length);
      text = text.slice(0, start) + text.slice(start + 1 + int(60));
      steps.push(`delete@${start}`);
    } else {
      const token = pick(TOKENS[format]);
      const times = random() < 0.1 ? 2 + int(20) : 1;
      text = text.slice(0, at) + token.repeat(times) + text.slice(at);
      steps.push(`insert ${JSON.stringify(token)}${times > 1 ? `x${times}` : ''}`);
    }
  }
  if (text.length > maxSize) {
    text = text.slice(0, maxSize);
    steps.push(`cut to ${maxSize}`);
  }
  return { text, steps, base: base.file };
}

export interface Crash {
  format: Format;
  seed: number;
  index: number;
  kind: 'parser-threw' | 'parser-internal' | 'rule-threw' | 'fix-overlap' | 'fix-breaks-parse' | 'fix-path';
  detail: string;
  base: string;
  steps: string[];
}

export interface FuzzOptions {
  count: number;
  seed?: number;
  formats?: readonly Format[];
  /** First input index (to split a long run across processes). */
  start?: number;
  /** Inputs longer than this are cut (to keep a run's inputs short). */
  maxSize?: number;
  samples?: Record<Format, Sample[]>;
  onProgress?(done: number): void;
}

export interface FuzzReport {
  inputs: Record<Format, number>;
  crashes: Crash[];
  /** Per format and input size bucket: inputs, total KB and total milliseconds (parse + rules + fixes). */
  timing: Record<Format, Record<string, { inputs: number; kb: number; ms: number; worstMsPerKb: number; worst?: number }>>;
}

const BUCKETS: [string, number][] = [
  ['<1 KB', 1024],
  ['1-4 KB', 4096],
  ['4-16 KB', 16384],
  ['16-64 KB', 65536],
  ['>64 KB', Infinity],
];

function firstLine(text: string): string {
  return text.split('\n')[0].slice(0, 300);
}

/** The engine every input is checked with: all rules on, every category, a fixed day. */
export function fuzzEngine(): Engine {
  const config = defaultConfig();
  config.rules = Object.fromEntries(allRules.map((r) => [r.id, 'on']));
  return new Engine(allRules, config, { loadData: loadShippedData, today: () => '2026-11-26' });
}

/** Runs one input through parse, rules and fixes; returns what went wrong, if anything. */
export function checkInput(engine: Engine, format: Format, text: string): { kind: Crash['kind']; detail: string }[] {
  const problems: { kind: Crash['kind']; detail: string }[] = [];
  const snapshot = { path: PATHS[format], text };
  let analysis: Analysis;
  try {
    analysis = new Analysis(snapshot);
    void analysis.units;
    void analysis.headerEnd;
  } catch (error) {
    return [{ kind: 'parser-threw', detail: error instanceof Error ? (error.stack ?? error.message) : String(error) }];
  }
  // The parsers' own failures, caught and reported as a parse error (not the word in the input).
  const internal = analysis.parseErrors.find((e) => /^Internal (?:parser|evaluator) error: /.test(e.message));
  if (internal) problems.push({ kind: 'parser-internal', detail: internal.message });
  let findings: Finding[];
  try {
    const result = engine.check(snapshot, { fixes: true, analysis });
    for (const failure of result.ruleErrors) problems.push({ kind: 'rule-threw', detail: `${failure.ruleId}: ${firstLine(failure.error)}` });
    findings = result.findings;
  } catch (error) {
    return [...problems, { kind: 'rule-threw', detail: `engine: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}` }];
  }
  const safe: Finding[] = [];
  for (const finding of findings) {
    const fix = finding.fix;
    if (!fix || finding.suppression) continue;
    const own = fix.edits.filter((e) => !e.path);
    const sorted = [...own].sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
    const bad = sorted.find((e, i) => e.span.start < 0 || e.span.end < e.span.start || e.span.end > text.length || (i > 0 && e.span.start < sorted[i - 1].span.end));
    if (bad) {
      problems.push({ kind: 'fix-overlap', detail: `${finding.ruleId}: edit ${bad.span.start}-${bad.span.end} of ${text.length} overlaps or lies outside the text` });
      continue;
    }
    const away = fix.edits.find((e) => e.path !== undefined && (e.path.startsWith('/') || e.path.split('/').includes('..') || /^[A-Za-z]:|\\/.test(e.path)));
    if (away) problems.push({ kind: 'fix-path', detail: `${finding.ruleId}: ${JSON.stringify(away.path)}` });
    if (fix.safety !== 'suggestion') safe.push(finding);
  }
  if (safe.length > 0) {
    const parsesWorse = (edits: Edit[]) => {
      const after = new Analysis({ ...snapshot, text: applyEdits(text, edits).text });
      return after.parseErrors.length > analysis.parseErrors.length ? after : undefined;
    };
    try {
      const { edits } = compatibleEdits(safe.map((f) => f.fix!.edits.filter((e) => !e.path)));
      if (parsesWorse(edits)) {
        // Which fix, alone, does it? Each is reported under its rule; else the combination is.
        let blamed = false;
        for (const finding of safe) {
          const worse = parsesWorse(finding.fix!.edits.filter((e) => !e.path));
          if (!worse) continue;
          blamed = true;
          const added = worse.parseErrors.find((e) => !analysis.parseErrors.some((b) => b.message === e.message)) ?? worse.parseErrors[0];
          problems.push({ kind: 'fix-breaks-parse', detail: `${finding.ruleId}: ${analysis.parseErrors.length} -> ${worse.parseErrors.length} parse errors (${added.message})` });
        }
        if (!blamed) problems.push({ kind: 'fix-breaks-parse', detail: `the fixes of ${[...new Set(safe.map((f) => f.ruleId))].join(', ')} together` });
      }
    } catch (error) {
      problems.push({ kind: 'parser-threw', detail: `on fixed text: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
  return problems;
}

export function runFuzz(options: FuzzOptions): FuzzReport {
  const seed = options.seed ?? 1;
  const start = options.start ?? 0;
  const formats = options.formats ?? FORMATS;
  const samples = options.samples ?? loadSamples();
  const engine = fuzzEngine();
  const report: FuzzReport = { inputs: { dockerfile: 0, hcl: 0, yaml: 0, text: 0 }, crashes: [], timing: { dockerfile: {}, hcl: {}, yaml: {}, text: {} } };
  let done = 0;
  for (const format of formats) {
    if (samples[format].length === 0) continue;
    for (let index = start; index < start + options.count; index++) {
      const input = mutate(samples, format, seed, index, options.maxSize);
      const began = process.hrtime.bigint();
      const problems = checkInput(engine, format, input.text);
      const ms = Number(process.hrtime.bigint() - began) / 1e6;
      report.inputs[format]++;
      const kb = Math.max(input.text.length, 1) / 1024;
      const bucket = BUCKETS.find(([, limit]) => input.text.length < limit)![0];
      const entry = (report.timing[format][bucket] ??= { inputs: 0, kb: 0, ms: 0, worstMsPerKb: 0 });
      entry.inputs++;
      entry.kb += kb;
      entry.ms += ms;
      if (kb >= 1 && ms / kb > entry.worstMsPerKb) {
        entry.worstMsPerKb = ms / kb;
        entry.worst = index;
      }
      for (const problem of problems) report.crashes.push({ format, seed, index, ...problem, base: input.base, steps: input.steps });
      if (++done % 1000 === 0) options.onProgress?.(done);
    }
  }
  return report;
}

function parseArgs(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) continue;
    const eq = arg.indexOf('=');
    if (eq > 0) out[arg.slice(2, eq)] = arg.slice(eq + 1);
    else out[arg.slice(2)] = argv[i + 1] && !argv[i + 1].startsWith('--') ? argv[++i] : 'true';
  }
  return out;
}

function main(): number {
  const args = parseArgs(process.argv.slice(2));
  const seed = Number(args.seed ?? 1);
  const formats = (args.format ? args.format.split(',') : [...FORMATS]) as Format[];
  for (const f of formats) {
    if (!FORMATS.includes(f)) {
      console.error(`fuzz: unknown format ${f}; one of ${FORMATS.join(', ')}`);
      return 2;
    }
  }
  const samples = loadSamples();
  if (args.replay !== undefined) {
    const index = Number(args.replay);
    for (const format of formats) {
      const input = mutate(samples, format, seed, index, args['max-size'] ? Number(args['max-size']) : undefined);
      if (args.out) fs.writeFileSync(formats.length > 1 ? `${args.out}.${format}` : args.out, input.text);
      else process.stdout.write(`--- ${format} seed ${seed} index ${index}: ${input.base} ${input.steps.join(', ')} (${input.text.length} chars)\n${input.text.length > 4000 ? `${input.text.slice(0, 4000)}…\n` : `${input.text}\n`}`);
      for (const problem of checkInput(fuzzEngine(), format, input.text)) console.log(`${problem.kind}: ${problem.detail}`);
    }
    return 0;
  }
  const count = Number(args.count ?? 1000);
  const start = Number(args.start ?? 0);
  const began = Date.now();
  const report = runFuzz({
    count,
    seed,
    start,
    formats,
    samples,
    maxSize: args['max-size'] ? Number(args['max-size']) : undefined,
    onProgress: args.quiet ? undefined : (done) => process.stderr.write(`\r${done} inputs, ${Math.round((Date.now() - began) / 1000)} s`),
  });
  if (!args.quiet) process.stderr.write('\n');
  const seconds = (Date.now() - began) / 1000;
  console.log(`fuzz seed ${seed}, inputs ${start}..${start + count - 1} per format${args['max-size'] ? ` (cut to ${args['max-size']} chars)` : ''}, ${Math.round(seconds)} s; samples: ${FORMATS.map((f) => `${f} ${samples[f].length}`).join(', ')}`);
  console.log('| format | inputs | crashes | size | inputs | ms/KB (mean) | worst ms/KB (index) |');
  console.log('| --- | ---: | ---: | --- | ---: | ---: | ---: |');
  for (const format of formats) {
    const crashes = report.crashes.filter((c) => c.format === format).length;
    let first = true;
    for (const [bucket] of BUCKETS) {
      const t = report.timing[format][bucket];
      if (!t) continue;
      console.log(
        `| ${first ? format : ''} | ${first ? report.inputs[format] : ''} | ${first ? crashes : ''} | ${bucket} | ${t.inputs} | ${(t.ms / t.kb).toFixed(3)} | ${t.worst !== undefined ? `${t.worstMsPerKb.toFixed(2)} (${t.worst})` : '—'} |`,
      );
      first = false;
    }
  }
  // Distinct crashes, each with the first input that shows it.
  const distinct = new Map<string, { crash: Crash; count: number }>();
  for (const crash of report.crashes) {
    const key = `${crash.format} ${crash.kind} ${crash.detail.split('\n')[0].replace(/\d+/g, 'N')}`;
    const known = distinct.get(key);
    if (known) known.count++;
    else distinct.set(key, { crash, count: 1 });
  }
  for (const { crash, count: n } of distinct.values()) {
    console.log(`\nCRASH ${crash.kind} (${n}x) ${crash.format}: ${crash.detail.split('\n').slice(0, 6).join('\n  ')}`);
    console.log(`  replay: npm run fuzz -- --seed ${crash.seed} --format ${crash.format} --replay ${crash.index}   (${crash.base}: ${crash.steps.join(', ')})`);
  }
  if (args.json) fs.writeFileSync(args.json, JSON.stringify({ seed, start, count, seconds, inputs: report.inputs, crashes: report.crashes, timing: report.timing }, null, 1));
  return report.crashes.length > 0 ? 1 : 0;
}

if (require.main === module) process.exitCode = main();
