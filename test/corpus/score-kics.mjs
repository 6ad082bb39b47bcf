#!/usr/bin/env node
// Scores a scanner's SARIF 2.1.0 output against the KICS corpus in ../corpus/kics.
//
//   node score-kics.mjs RESULTS.sarif [--corpus DIR] [--map MAP.json] [--misses N] [--json OUT.json]
//     --misses N: list at most N missed lines per query (default 5; 0 hides the per-query list)
//   node score-kics.mjs --self-test [--corpus DIR]
//
// A scanner rule is mapped to KICS queries by `properties.kics` on its reportingDescriptor
// (run.tool.driver.rules[] or run.tool.extensions[].rules[]): an array of KICS query ids.
// --map adds or overrides mappings: a JSON object {"<ruleId>": ["<kics id>", ...]}.
// See ../corpus/kics/README.md for the corpus layout and what the figures mean.
// Node 20, no dependencies.
//
// Written for Fourfold by the project's lead and kept here beside the corpus it scores
// (test/corpus/kics, whose README names KICS as the source of the samples); Fourfold's MIT licence.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SAMPLE = /^(positive|negative)\d*\./;

function fail(msg) {
  process.stderr.write(`score-kics: ${msg}\n`);
  process.exit(2);
}

function readJson(file, what) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    fail(`cannot read ${what} ${file}: ${e.code || e.message}`);
  }
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    fail(`${what} ${file} is not valid JSON: ${e.message}`);
  }
}

// ---------- corpus ----------

export function loadCorpus(root) {
  const index = readJson(path.join(root, 'index.json'), 'corpus index');
  const queries = [];
  const files = new Map(); // "platform/query/file" -> { query, kind }
  for (const q of index.queries) {
    const dir = path.join(root, q.dir);
    const expected = readJson(path.join(dir, 'expected.json'), 'expected results');
    const pairs = new Map(); // "file:line" -> { file, line, resource }
    for (const e of expected) {
      const key = `${e.file}:${e.line}`;
      if (!pairs.has(key)) pairs.set(key, { file: e.file, line: e.line, resource: e.resource || [e.line, e.line] });
    }
    const entry = { ...q, id: String(q.id).toLowerCase(), pairs: [...pairs.values()], negatives: [] };
    for (const name of fs.readdirSync(dir)) {
      const m = SAMPLE.exec(name);
      if (!m) continue;
      files.set(`${q.dir}/${name}`, { query: entry, kind: m[1] });
      if (m[1] === 'negative') entry.negatives.push(name);
    }
    queries.push(entry);
  }
  return { root: path.resolve(root), index, queries, files, byId: new Map(queries.map((q) => [q.id, q])) };
}

// ---------- SARIF ----------

function uriToPath(uri, baseIds, seen = new Set()) {
  if (!uri || typeof uri.uri !== 'string') return null;
  let u = uri.uri;
  if (/^file:/i.test(u)) {
    try {
      return fileURLToPath(u);
    } catch {
      return null;
    }
  }
  try {
    u = decodeURIComponent(u);
  } catch {
    /* keep as is */
  }
  u = u.replace(/\\/g, '/');
  if (uri.uriBaseId && baseIds && baseIds[uri.uriBaseId] && !seen.has(uri.uriBaseId)) {
    seen.add(uri.uriBaseId);
    const base = uriToPath(baseIds[uri.uriBaseId], baseIds, seen);
    if (base) return path.join(base, u);
  }
  return u;
}

function toCorpusPath(p, corpus) {
  if (!p) return null;
  let rel = path.isAbsolute(p) ? path.relative(corpus.root, p) : p;
  rel = rel.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
  if (corpus.files.has(rel)) return rel;
  // paths relative to some other folder (e.g. the repository root): match on the tail
  const segs = rel.split('/').filter(Boolean);
  for (const k of [4, 3]) {
    const tail = segs.slice(-k).join('/');
    if (segs.length >= k && corpus.files.has(tail)) return tail;
  }
  return null;
}

function kicsIds(rule) {
  const v = rule && rule.properties && rule.properties.kics;
  if (v == null) return [];
  return (Array.isArray(v) ? v : [v]).filter((x) => typeof x === 'string').map((x) => x.trim().toLowerCase());
}

// -> { findings: [{ ruleId, kics: [ids], file, start, end }], mapping: Map(ruleId -> ids), stats }
export function readSarif(sarif, corpus, extraMap = {}) {
  if (!sarif || !Array.isArray(sarif.runs)) throw new Error('not a SARIF log: no "runs" array');
  const mapping = new Map();
  const stats = { results: 0, outsideCorpus: 0, noRegion: 0, unmappedResults: 0 };
  const findings = [];
  for (const run of sarif.runs) {
    const rules = [];
    const drivers = [run.tool && run.tool.driver, ...((run.tool && run.tool.extensions) || [])];
    for (const comp of drivers) for (const r of (comp && comp.rules) || []) rules.push(r);
    const driverRules = (run.tool && run.tool.driver && run.tool.driver.rules) || [];
    const idsOf = new Map();
    for (const r of rules) {
      if (!r || !r.id) continue;
      const ids = kicsIds(r);
      if (ids.length) idsOf.set(r.id, [...new Set([...(idsOf.get(r.id) || []), ...ids])]);
    }
    for (const [id, ids] of Object.entries(extraMap)) idsOf.set(id, (Array.isArray(ids) ? ids : [ids]).map((x) => String(x).toLowerCase()));
    for (const [id, ids] of idsOf) mapping.set(id, [...new Set([...(mapping.get(id) || []), ...ids])]);
    for (const res of run.results || []) {
      stats.results++;
      const idx = res.ruleIndex ?? (res.rule && res.rule.index);
      const ruleId = res.ruleId ?? (res.rule && res.rule.id) ?? (idx != null && driverRules[idx] ? driverRules[idx].id : undefined);
      const ids = idsOf.get(ruleId) || [];
      if (!ids.length) {
        stats.unmappedResults++;
        continue;
      }
      for (const loc of res.locations || []) {
        const phys = loc.physicalLocation;
        const file = toCorpusPath(uriToPath(phys && phys.artifactLocation, run.originalUriBaseIds), corpus);
        if (!file) {
          stats.outsideCorpus++;
          continue;
        }
        const region = phys.region;
        if (!region || !Number.isInteger(region.startLine)) {
          stats.noRegion++;
          continue;
        }
        const end = Number.isInteger(region.endLine) && region.endLine >= region.startLine ? region.endLine : region.startLine;
        findings.push({ ruleId, kics: ids, file, start: region.startLine, end });
      }
    }
  }
  return { findings, mapping, stats };
}

// ---------- scoring ----------

export function score(corpus, { findings, mapping, stats }) {
  const mappedIds = new Set([...mapping.values()].flat());
  const unknownIds = [...mappedIds].filter((id) => !corpus.byId.has(id));
  const byQuery = new Map(); // query id -> findings
  for (const f of findings) for (const id of f.kics) {
    if (!byQuery.has(id)) byQuery.set(id, []);
    byQuery.get(id).push(f);
  }
  const perQuery = [];
  for (const q of corpus.queries) {
    const mapped = mappedIds.has(q.id);
    const row = { platform: q.platform, dir: q.dir, id: q.id, queryName: q.queryName, mapped, expected: q.pairs.length,
      strict: 0, lenient: 0, missedStrict: [], missedLenient: [], fpFiles: [], fpResults: 0, negativeFiles: q.negatives.length,
      unexpectedInPositives: 0 };
    if (mapped) {
      const fs_ = byQuery.get(q.id) || [];
      const inFile = (name) => fs_.filter((f) => f.file === `${q.dir}/${name}`);
      for (const p of q.pairs) {
        const here = inFile(p.file);
        const strict = here.some((f) => f.start <= p.line && p.line <= f.end);
        const [a, b] = p.resource;
        const lenient = strict || here.some((f) => f.start <= b && f.end >= a);
        if (strict) row.strict++; else row.missedStrict.push(`${p.file}:${p.line}`);
        if (lenient) row.lenient++; else row.missedLenient.push(`${p.file}:${p.line}`);
      }
      for (const name of q.negatives) {
        const n = inFile(name).length;
        if (n) {
          row.fpFiles.push(name);
          row.fpResults += n;
        }
      }
      for (const f of fs_) {
        const name = f.file.slice(q.dir.length + 1);
        if (!f.file.startsWith(q.dir + '/') || !name.startsWith('positive')) continue;
        const hit = q.pairs.some((p) => p.file === name && f.start <= p.resource[1] && f.end >= p.resource[0]);
        if (!hit) row.unexpectedInPositives++;
      }
    }
    perQuery.push(row);
  }
  const platforms = [...new Set(corpus.queries.map((q) => q.platform))];
  const summarize = (rows) => {
    const m = rows.filter((r) => r.mapped);
    const sum = (k) => m.reduce((s, r) => s + (typeof r[k] === 'number' ? r[k] : r[k].length), 0);
    const expected = sum('expected');
    return { queries: rows.length, mapped: m.length, coverage: rows.length ? m.length / rows.length : 0, expected,
      strict: sum('strict'), lenient: sum('lenient'),
      recallStrict: expected ? sum('strict') / expected : null, recallLenient: expected ? sum('lenient') / expected : null,
      fpFiles: sum('fpFiles'), negativeFiles: sum('negativeFiles'), fpResults: sum('fpResults'),
      unexpectedInPositives: sum('unexpectedInPositives') };
  };
  const byPlatform = Object.fromEntries(platforms.map((p) => [p, summarize(perQuery.filter((r) => r.platform === p))]));
  return { byPlatform, total: summarize(perQuery), perQuery, unknownIds, stats, rules: mapping.size };
}

// ---------- report ----------

const pct = (x) => (x == null ? '—' : `${(100 * x).toFixed(1)}%`);

export function formatReport(result, { misses = 5 } = {}) {
  const out = [];
  const head = ['platform', 'queries', 'mapped', 'coverage', 'expected', 'recall strict', 'recall lenient', 'FP files', 'FP results', 'extra in positives'];
  const rows = Object.entries(result.byPlatform).map(([p, s]) => [p, s]);
  rows.push(['all', result.total]);
  const cells = rows.map(([p, s]) => [p, s.queries, s.mapped, pct(s.coverage), s.expected,
    s.expected ? `${pct(s.recallStrict)} (${s.strict})` : '—', s.expected ? `${pct(s.recallLenient)} (${s.lenient})` : '—',
    s.mapped ? `${s.fpFiles}/${s.negativeFiles}` : '—', s.fpResults, s.unexpectedInPositives].map(String));
  const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) => `| ${c.map((x, i) => (i ? x.padStart(w[i]) : x.padEnd(w[i]))).join(' | ')} |`;
  out.push(line(head), `|${w.map((n, i) => (i ? '-'.repeat(n + 1) + ':' : '-'.repeat(n + 2))).join('|')}|`, ...cells.map(line));
  const s = result.stats;
  out.push('', `rules with kics ids: ${result.rules}; results: ${s.results} (${s.unmappedResults} from unmapped rules, ` +
    `${s.outsideCorpus} locations outside the corpus, ${s.noRegion} without a region, not scored)`);
  if (result.unknownIds.length) out.push(`kics ids not in this corpus (other platforms or typos): ${result.unknownIds.join(', ')}`);
  const missed = result.perQuery.filter((r) => r.mapped && (r.missedStrict.length || r.fpFiles.length));
  if (missed.length && misses > 0) {
    out.push('', `mapped queries with misses or false positives (${missed.length}):`);
    for (const r of missed) {
      const bits = [`strict ${r.strict}/${r.expected}`, `lenient ${r.lenient}/${r.expected}`];
      if (r.fpFiles.length) bits.push(`FP in ${r.fpFiles.join(', ')}`);
      let l = `- ${r.dir} [${r.id}] ${bits.join(', ')}`;
      if (r.missedStrict.length) {
        const list = r.missedStrict.slice(0, misses).join(', ') + (r.missedStrict.length > misses ? `, +${r.missedStrict.length - misses} more` : '');
        l += `; missed: ${list}`;
      }
      out.push(l);
    }
  }
  return out.join('\n');
}

// ---------- self-test ----------

function selfTest(corpus) {
  const assert = (c, m) => {
    if (!c) throw new Error(`self-test failed: ${m}`);
  };
  const rules = corpus.queries.map((q, i) => ({ id: `r${i}`, properties: { kics: [q.id] } }));
  const sarif = (results, extra = {}) => ({ version: '2.1.0', runs: [{ tool: { driver: { name: 't', rules } }, results, ...extra }] });
  const at = (q, i, file, start, end, uri) => ({ ruleId: `r${i}`, locations: [{ physicalLocation: {
    artifactLocation: uri || { uri: `${q.dir}/${file}` }, region: end ? { startLine: start, endLine: end } : { startLine: start } } }] });
  const run = (s) => score(corpus, readSarif(s, corpus));

  const perfect = run(sarif(corpus.queries.flatMap((q, i) => q.pairs.map((p) => at(q, i, p.file, p.line)))));
  assert(perfect.total.recallStrict === 1 && perfect.total.recallLenient === 1, 'perfect SARIF should give 100% recall');
  assert(perfect.total.coverage === 1 && perfect.total.fpFiles === 0, 'perfect SARIF: full coverage, no FP');
  const empty = run(sarif([]));
  assert(empty.total.recallStrict === 0 && empty.total.recallLenient === 0 && empty.total.coverage === 1, 'empty SARIF should give 0% recall');
  const none = score(corpus, readSarif({ version: '2.1.0', runs: [{ tool: { driver: { name: 't' } }, results: [] }] }, corpus));
  assert(none.total.mapped === 0 && none.total.recallStrict === null, 'no mapped rules: coverage 0, recall undefined');
  // resource-level findings: lenient 100%, strict below it
  const block = run(sarif(corpus.queries.flatMap((q, i) => q.pairs.map((p) => at(q, i, p.file, p.resource[0])))));
  assert(block.total.recallLenient === 1 && block.total.recallStrict < 1, 'findings at resource start: lenient 100%, strict < 100%');
  // absolute paths, file:// URIs and uriBaseId all resolve; one negative-file finding is one FP file
  const qi = corpus.queries.findIndex((q) => q.negatives.length && q.pairs.length);
  const q = corpus.queries[qi];
  const p = q.pairs[0];
  const abs = path.join(corpus.root, q.dir, p.file);
  const forms = run(sarif([
    at(q, qi, p.file, p.line, 0, { uri: abs }),
    at(q, qi, p.file, p.line, 0, { uri: 'file://' + abs.split(path.sep).map(encodeURIComponent).join('/') }),
    at(q, qi, p.file, p.line, 0, { uri: `${q.dir}/${p.file}`, uriBaseId: 'CORPUS' }),
    at(q, qi, q.negatives[0], 1, 0, { uri: `test/corpus/kics/${q.dir}/${q.negatives[0]}` }),
  ], { originalUriBaseIds: { CORPUS: { uri: 'file://' + corpus.root + '/' } } }));
  const row = forms.perQuery.find((r) => r.id === q.id);
  assert(row.strict >= 1 && forms.stats.outsideCorpus === 0, 'absolute / file:// / uriBaseId paths resolve');
  assert(row.fpFiles.length === 1 && forms.total.fpFiles === 1, 'a finding in a negative file counts as one FP file');
  return [`perfect: strict ${pct(perfect.total.recallStrict)}, lenient ${pct(perfect.total.recallLenient)}, FP files ${perfect.total.fpFiles}`,
    `empty: strict ${pct(empty.total.recallStrict)}, lenient ${pct(empty.total.recallLenient)}`,
    `resource-start: strict ${pct(block.total.recallStrict)}, lenient ${pct(block.total.recallLenient)}`,
    `path forms + 1 FP: ${row.strict}/${row.expected} strict for ${q.dir}, FP files ${row.fpFiles.length}`,
    'self-test passed'].join('\n');
}

// ---------- CLI ----------

function main(argv) {
  process.stdout.on('error', (e) => process.exit(e.code === 'EPIPE' ? 0 : 1));
  const opt = { corpus: path.join(HERE, '..', 'corpus', 'kics'), misses: 5 };
  const pos = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--corpus' || a === '--map' || a === '--json' || a === '--misses') {
      if (i + 1 >= argv.length) fail(`${a} needs a value`);
      opt[a.slice(2)] = argv[++i];
    } else if (a === '--self-test') opt.selfTest = true;
    else if (a === '-h' || a === '--help') {
      process.stdout.write('usage: score-kics.mjs RESULTS.sarif [--corpus DIR] [--map MAP.json] [--misses N] [--json OUT.json]\n       score-kics.mjs --self-test\n');
      return;
    } else pos.push(a);
  }
  if (!fs.existsSync(path.join(opt.corpus, 'index.json'))) fail(`no corpus at ${opt.corpus} (index.json missing); use --corpus DIR`);
  const corpus = loadCorpus(opt.corpus);
  if (opt.selfTest) {
    process.stdout.write(selfTest(corpus) + '\n');
    return;
  }
  if (pos.length !== 1) fail('give one SARIF file (or --self-test); --help for usage');
  const sarif = readJson(pos[0], 'SARIF file');
  const extra = opt.map ? readJson(opt.map, 'mapping file') : {};
  let result;
  try {
    result = score(corpus, readSarif(sarif, corpus, extra));
  } catch (e) {
    fail(`${pos[0]}: ${e.message}`);
  }
  const misses = Number.isInteger(Number(opt.misses)) ? Number(opt.misses) : 5;
  process.stdout.write(formatReport(result, { misses }) + '\n');
  if (opt.json) fs.writeFileSync(opt.json, JSON.stringify(result, null, 1) + '\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
