// No regular expression that runs on file text backtracks catastrophically, and no parser or rule
// takes more than linear time on long adversarial input. Two layers, each comparing time at n and
// 10n in this one process (a ratio, not a wall-clock limit: linear is ~10x, quadratic ~100x):
//   1. every regex literal (and `new RegExp('…')`) in rules/, the parsers and the engine, run on
//      inputs built from the characters it is sensitive to: each one repeated, adjacent pairs
//      repeated, its literal prefix followed by a repeated character;
//   2. every parser and every rule (the engine with all rules on) on documents of each format
//      whose lines repeat those characters in the places the formats give them meaning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { allRules } from '../../rules/index';
import { defaultConfig } from '../../server/src/engine/config';
import { Engine } from '../../server/src/engine/engine';
import { loadShippedData } from '../../server/src/workspace/data';

const root = path.resolve(__dirname, '..', '..');
const SOURCES = ['rules', 'server/src/parsers', 'server/src/engine', 'server/src/core', 'server/src/workspace'];
/** Linear is 10x; 30x leaves room for noise and GC, quadratic (100x) does not fit. */
const MAX_RATIO = 30;

interface Found {
  file: string;
  line: number;
  source: string;
  flags: string;
}

function tsFiles(dir: string, out: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'fixtures') tsFiles(full, out);
    } else if (entry.name.endsWith('.ts')) out.push(full);
  }
  return out;
}

/** Every regex literal and `new RegExp('literal', 'flags')` in our sources that read file text. */
function collectRegexes(): Found[] {
  const found: Found[] = [];
  for (const dir of SOURCES) {
    for (const file of tsFiles(path.join(root, dir))) {
      const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
      const rel = path.relative(root, file).split(path.sep).join('/');
      const at = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
      const visit = (node: ts.Node): void => {
        if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
          const text = node.getText();
          const slash = text.lastIndexOf('/');
          found.push({ file: rel, line: at(node), source: text.slice(1, slash), flags: text.slice(slash + 1) });
        } else if (ts.isNewExpression(node) && node.expression.getText() === 'RegExp' && node.arguments?.[0] && ts.isStringLiteral(node.arguments[0])) {
          const flags = node.arguments[1] && ts.isStringLiteral(node.arguments[1]) ? node.arguments[1].text : '';
          found.push({ file: rel, line: at(node), source: node.arguments[0].text, flags });
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
  }
  return found;
}

const ESCAPES: Record<string, string[]> = { d: ['0'], w: ['a'], s: [' ', '\t'], S: ['x'], D: ['a'], W: ['-'], n: ['\n'], t: ['\t'], r: ['\r'], b: [], B: [] };

/** The regex as a sequence of atoms, each with a few characters it matches. Rough, but enough to pump. */
function atoms(source: string): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      const e = source[++i];
      if (e === 'u' || e === 'x') {
        i += e === 'x' ? 2 : source[i + 1] === '{' ? source.indexOf('}', i) - i : 4;
        continue;
      }
      if (e === 'p' || e === 'P') {
        i = source.indexOf('}', i);
        out.push(['a', 'é']);
        continue;
      }
      if (/[1-9k]/.test(e)) continue; // back-references
      out.push(ESCAPES[e] ?? [e]);
    } else if (c === '[') {
      let j = i + 1;
      const negated = source[j] === '^';
      if (negated) j++;
      const chars: string[] = [];
      for (let first = true; j < source.length && (source[j] !== ']' || first); first = false) {
        if (source[j] === '\\') {
          chars.push(...(ESCAPES[source[j + 1]] ?? [source[j + 1]]).slice(0, 1));
          j += 2;
        } else chars.push(source[j++]);
      }
      i = j;
      if (negated) {
        const cls = new RegExp(source.slice(source.lastIndexOf('[', i), i + 1));
        out.push(['x', 'a', '0', ' ', '/', '.', '-', '_'].filter((x) => cls.test(x)).slice(0, 2));
      } else out.push([...new Set(chars.filter((x) => x !== '-' && x !== '^'))].slice(0, 3));
    } else if (c === '{') {
      i = Math.max(i, source.indexOf('}', i));
    } else if (c === '(') {
      if (source[i + 1] === '?') {
        i++;
        if (source[i + 1] === '<' && source[i + 2] !== '=' && source[i + 2] !== '!') i = source.indexOf('>', i);
        else i++;
      }
    } else if (c === '.') out.push(['a', ' ']);
    else if (!')|?*+^$'.includes(c)) out.push([c]);
  }
  return out.filter((a) => a.length > 0);
}

/** Inputs of about `n` characters that pump what the regex is sensitive to, ending in a character it does not expect. */
function adversarial(source: string, n: number): Map<string, string> {
  const a = atoms(source);
  const chars = [...new Set(a.flat())].slice(0, 16);
  const out = new Map<string, string>();
  const end = '\u0001';
  for (const c of chars) out.set(`${JSON.stringify(c)}×n`, c.repeat(n) + end);
  for (let k = 0; k + 1 < a.length && out.size < 40; k++) {
    const [x] = a[k];
    for (const y of a[k + 1].slice(0, 2)) if (x !== y) out.set(`${JSON.stringify(x + y)}×n/2`, (x + y).repeat(n / 2) + end);
  }
  const prefix = a.slice(0, 6).map((x) => x[0]).join('');
  for (const c of chars.slice(0, 8)) out.set(`${JSON.stringify(prefix)}+${JSON.stringify(c)}×n`, prefix + c.repeat(n) + end);
  return out;
}

/** The fastest of `runs` timings, in milliseconds: the least disturbed by GC and other processes. */
function fastest(runs: number, work: () => void): number {
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const start = process.hrtime.bigint();
    work();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6);
  }
  return best;
}

function run(re: RegExp, text: string): void {
  re.lastIndex = 0;
  if (re.global || re.sticky) text.replace(re, '');
  else re.test(text);
}

/** Whether time grows more than linearly from `small` to `large` (10x the input). */
function superlinear(small: number, large: number, floorMs: number): boolean {
  return large > floorMs && large > MAX_RATIO * Math.max(small, floorMs / MAX_RATIO);
}

test('every regex that reads file text is linear on adversarial input (n = 2,000 vs 20,000)', () => {
  const found = collectRegexes();
  assert.ok(found.length > 100, `${found.length} regexes found`);
  const failures: string[] = [];
  for (const regex of found) {
    const name = `${regex.file} /${regex.source}/`;
    const re = new RegExp(regex.source, regex.flags);
    const small = adversarial(regex.source, 2000);
    const large = adversarial(regex.source, 20000);
    for (const [what, text] of small) {
      const a = fastest(2, () => run(re, text));
      if (a > 200) {
        // Already slow at n: do not wait for 10n.
        failures.push(`${name} (line ${regex.line}) on ${what}: ${a.toFixed(0)} ms at n = 2,000`);
        break;
      }
      const b = fastest(2, () => run(re, large.get(what)!));
      if (superlinear(a, b, 4) && superlinear(a, fastest(3, () => run(re, large.get(what)!)), 4)) {
        failures.push(`${name} (line ${regex.line}) on ${what}: ${a.toFixed(2)} ms -> ${b.toFixed(2)} ms`);
        break;
      }
    }
  }
  assert.deepEqual(failures, []);
});

/** Documents that repeat each sensitive character, once per line, where each format gives text meaning. */
function documents(chars: string[], n: number): Record<string, { path: string; text: string }> {
  const pump = (c: string) => c.repeat(n);
  // Short lines first: files whose first lines are long are skipped as minified, these are not.
  const lines = (wrap: (p: string) => string) => '# -\n'.repeat(60) + chars.map((c) => wrap(pump(c))).join('\n') + '\n';
  return {
    'Dockerfile RUN': { path: 'Dockerfile', text: 'FROM alpine:3.20\n' + lines((p) => `RUN ${p} x`) },
    'Dockerfile FROM/COPY/ENV': { path: 'Dockerfile', text: lines((p) => `FROM ${p}:${p} AS ${p}\nCOPY --from=${p} ${p} /${p}\nENV A=${p} B="${p}`) },
    'Dockerfile comments and continuations': { path: 'Dockerfile', text: 'FROM alpine\n' + lines((p) => `# fourfold-ignore ${p}\nRUN a \\\n ${p} \\\n`) },
    'Terraform strings and expressions': { path: 'main.tf', text: lines((p) => `a = "${p}"\nb = ${p}\n# ${p}\nc = <<EOT\n${p}\nEOT`) },
    'Terraform templates': { path: 'main.tf', text: lines((p) => `a = "\${${p}}%{ if ${p} }${p}%{ endif }"`) },
    'YAML values and keys': { path: 'pod.yaml', text: 'apiVersion: v1\nkind: Pod\n' + lines((p) => `${p}: ${p}\n- ${p}\n# ${p}`) },
    'YAML block scalars and flows': { path: 'pod.yaml', text: 'apiVersion: v1\nkind: Pod\n' + lines((p) => `k: |\n  ${p}\nf: [${p}, {${p}: ${p}}]`) },
    'text (secrets)': { path: '.env', text: lines((p) => `TOKEN=${p}\n${p}`) },
  };
}

/**
 * The times of `small` and `large`: one run each, and when that looks superlinear, the fastest of
 * three more of each, taken in turn. One run of a megabyte input is often slowed by a major GC or
 * another process; measured in turn, a busy machine slows both sides alike.
 */
function measured(small: () => void, large: () => void): [number, number] {
  const first: [number, number] = [fastest(2, small), fastest(1, large)];
  if (!superlinear(first[0], first[1], 50)) return first;
  let a = Infinity;
  let b = Infinity;
  for (let i = 0; i < 3; i++) {
    a = Math.min(a, fastest(1, small));
    b = Math.min(b, fastest(1, large));
  }
  return [a, b];
}

test('every parser and every rule is linear on long adversarial lines (n = 1,000 vs 10,000 per line)', (t) => {
  const chars = [...new Set(collectRegexes().flatMap((r) => atoms(r.source).flat()))].filter((c) => c !== '\n' && c !== '\r').slice(0, 48);
  const config = { ...defaultConfig(), maxFileSizeKb: 1 << 20, maxFindingsPerFile: 1 << 20, maxParseErrorsPerFile: 1 << 20 };
  config.rules = Object.fromEntries(allRules.map((r) => [r.id, 'on']));
  const engine = new Engine(allRules, config, { loadData: loadShippedData, today: () => '2026-11-26' });
  const small = documents(chars, 1000);
  const large = documents(chars, 10000);
  const failures: string[] = [];
  for (const [name, doc] of Object.entries(small)) {
    const big = large[name];
    assert.equal(engine.check(doc).skipped, undefined, name);
    // The parser alone, then the parser and every rule.
    const [parseSmall, parseLarge] = measured(() => engine.analyze(doc), () => engine.analyze(big));
    if (superlinear(parseSmall, parseLarge, 50)) failures.push(`${name}, parsing: ${parseSmall.toFixed(0)} ms -> ${parseLarge.toFixed(0)} ms for 10x the text`);
    const [a, b] = measured(() => engine.check(doc), () => engine.check(big));
    t.diagnostic(`${name}: ${(doc.text.length / 1024).toFixed(0)} KB ${a.toFixed(0)} ms (parse ${parseSmall.toFixed(0)}), ${(big.text.length / 1024).toFixed(0)} KB ${b.toFixed(0)} ms (parse ${parseLarge.toFixed(0)})`);
    if (superlinear(a, b, 50)) failures.push(`${name}, all rules: ${a.toFixed(0)} ms -> ${b.toFixed(0)} ms for 10x the text`);
  }
  assert.deepEqual(failures, []);
});
