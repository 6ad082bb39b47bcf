// The documentation tells the truth about the repository: the file names the README says are
// checked are the ones server/src/engine/languages.ts detects, every relative link in a Markdown file
// resolves, and every repository path the README names exists. (The README's generated sections
// have their own check in meta.test.ts.)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import picomatch from 'picomatch';
import { allRules } from '../rules/index';
import { detectKind } from '../server/src/engine/languages';

const root = path.resolve(__dirname, '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');

/** The `files` cell of the README's layer table row for `layer`, split into patterns and named exceptions. */
function layerRow(layer: string): { patterns: string[]; exceptions: string[]; anyCase: boolean } {
  const row = readme.split('\n').find((line) => line.startsWith(`| ${layer} |`));
  assert.ok(row, `README.md has a "| ${layer} |" row in the layer table`);
  const cell = row.split('|')[2];
  const [listed, note = ''] = cell.split('(');
  const ticks = (text: string) => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
  return { patterns: ticks(listed), exceptions: ticks(note), anyCase: note.includes('any case') };
}

/** Names a pattern stands for: each `*` replaced by a few realistic parts, in each case where the README says any case. */
function examples(pattern: string, anyCase: boolean): string[] {
  const names = ['prod', 'api', 'dev.arm64'].map((part) => pattern.replace('*', part));
  return anyCase ? names.flatMap((n) => [n, n.toLowerCase(), n.toUpperCase()]) : names;
}

/** File names to try against detectKind: the stems it knows, with every prefix and suffix a repository has. */
function candidates(): string[] {
  const stems = ['Dockerfile', 'dockerfile', 'DOCKERFILE', 'Containerfile', 'containerfile', 'main', 'prod', 'Makefile', 'docker-compose'];
  const prefixes = ['', 'api.', 'x-'];
  const suffixes = ['', '.prod', '-dev', '.dev.arm64', '.dockerfile', '.Dockerfile', '.containerfile', '.tf', '.tfvars', '.tf.json', '.tfvars.json', '.json', '.yaml', '.md', '.j2', '.template', '.sh'];
  return prefixes.flatMap((p) => stems.flatMap((s) => suffixes.map((x) => `${p}${s}${x}`)));
}

describe('README: the files each layer checks', () => {
  const rows = [
    { layer: 'Container', kinds: ['dockerfile'] },
    { layer: 'Cloud', kinds: ['terraform', 'terraform-json'] },
  ];

  for (const { layer, kinds } of rows) {
    test(`${layer}: every listed pattern is detected, every named exception is not`, () => {
      const { patterns, exceptions, anyCase } = layerRow(layer);
      const missed = patterns.flatMap((p) => examples(p, anyCase)).filter((name) => !kinds.includes(detectKind(name) ?? ''));
      assert.deepEqual(missed, [], `names the README lists for ${layer} that languages.ts does not take`);
      assert.deepEqual(
        exceptions.map((name) => [name, detectKind(name)]),
        exceptions.map((name) => [name, 'text']),
      );
    });
  }

  test('every name detectKind gives a layer\'s kind is covered by a pattern of its layer', () => {
    const matchers = rows.map(({ layer, kinds }) => {
      const { patterns, anyCase } = layerRow(layer);
      return { kinds, match: picomatch(patterns, { nocase: anyCase, dot: true }) };
    });
    const uncovered = candidates().filter((name) => {
      const kind = detectKind(name);
      return rows.some((r) => r.kinds.includes(kind)) && !matchers.some((m) => m.kinds.includes(kind) && m.match(name));
    });
    assert.deepEqual(uncovered, [], 'detected, but the README does not list a pattern for them');
  });
});

/** Markdown files in the repository (tracked or new), outside node_modules. */
function markdownFiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.md'], { cwd: root, encoding: 'utf8' });
  return listed
    .split('\n')
    .filter(Boolean)
    .filter((f) => fs.existsSync(path.join(root, f)))
    .sort();
}

describe('links and paths', () => {
  test('every relative link in a Markdown file resolves to a file or folder in the repository', () => {
    const files = markdownFiles();
    assert.deepEqual(
      files.filter((f) => !f.startsWith('docs/rules/') && !f.startsWith('rules/')),
      [
        'CONTRIBUTING.md',
        'README.md',
        'data/README.md',
        'examples/README.md',
        'test/corpus/kics/README.md',
        'test/e2e/README.md',
        'test/e2e/REAL-VSCODE.md',
        'test/fixtures/README.md',
        'test/fixtures/workspace-basic/README.md',
      ],
      'the Markdown files outside the rule folders and pages',
    );
    const broken: string[] = [];
    for (const file of files) {
      const text = fs.readFileSync(path.join(root, file), 'utf8');
      for (const m of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
        const target = m[1];
        if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue;
        const resolved = path.resolve(path.dirname(path.join(root, file)), decodeURIComponent(target.split('#')[0]));
        if (!resolved.startsWith(root + path.sep) || !fs.existsSync(resolved)) broken.push(`${file}: ${target}`);
      }
    }
    assert.deepEqual(broken, []);
    // Among them: the rule table links each rule's page.
    assert.equal(readme.match(/\]\(docs\/rules\/[a-z]+\/[a-z0-9-]+\.md\)/g)?.length, allRules.length);
  });

  test('every repository path the README names exists', () => {
    // dist/ is what `npm run build` writes (the README says so), not a repository path.
    const topLevel = new Set(fs.readdirSync(root).filter((n) => n !== 'node_modules' && n !== 'dist' && n !== 'out'));
    const missing: string[] = [];
    for (const [, raw] of readme.matchAll(/`([^`\s]+)`/g)) {
      const first = raw.split('/')[0];
      // A path into the repository starts with one of its top-level entries; bare NAME.md names (README.md, DESIGN.md) are files at the top.
      const named = (raw.includes('/') && topLevel.has(first)) || /^[A-Z][A-Z0-9_-]*\.md$/.test(raw);
      if (!named) continue;
      for (const expanded of expandBraces(raw)) {
        // Up to the first placeholder (<group>, *): that much must exist.
        const fixed = expanded.split('/').filter(Boolean);
        const cut = fixed.findIndex((seg) => /[<*]/.test(seg));
        const checked = (cut < 0 ? fixed : fixed.slice(0, cut)).join('/');
        if (!fs.existsSync(path.join(root, checked))) missing.push(raw);
      }
    }
    assert.deepEqual([...new Set(missing)], []);
  });
});

/** `dist/{client,server}.js` -> `dist/client.js`, `dist/server.js` (one level is all the README uses). */
function expandBraces(text: string): string[] {
  const m = /\{([^}]*)\}/.exec(text);
  if (!m) return [text];
  return m[1].split(',').map((part) => text.slice(0, m.index) + part + text.slice(m.index + m[0].length));
}
