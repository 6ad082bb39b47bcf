// The engine's own pieces: positions, detection, suppressions, configuration, baseline, edits.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { allRules } from '../../rules/index';
import type { AnyRule, Rule } from '../../server/src/engine/api';
import { createBaseline, fingerprint, parseBaseline } from '../../server/src/engine/baseline';
import { configFromSettings, defaultConfig, mergeConfig, parseConfigFile } from '../../server/src/engine/config';
import { detectKind } from '../../server/src/engine/languages';
import { applyEdits, compatibleEdits } from '../../server/src/engine/edits';
import { Engine, looksBinary } from '../../server/src/engine/engine';
import { findSuppressions, ignoreFileInsertion, ignoreLineInsertion, insertionText, suppressionFor } from '../../server/src/engine/suppress';
import { LineIndex } from '../../server/src/core/text';

describe('LineIndex', () => {
  test('converts offsets and positions for LF, CRLF and lone CR, in UTF-16 units', () => {
    const text = 'a\r\nbé😀c\rd\n';
    const lines = new LineIndex(text);
    assert.equal(lines.lineCount, 4);
    assert.deepEqual(lines.position(text.indexOf('c')), { line: 1, character: 4 }, 'the emoji is two UTF-16 units');
    assert.equal(lines.offset({ line: 2, character: 0 }), text.indexOf('d'));
    assert.equal(lines.lineText(1), 'bé😀c');
    assert.equal(lines.eol, '\r\n');
    assert.deepEqual(lines.position(999), { line: 3, character: 0 });
    assert.equal(lines.offset({ line: 0, character: 99 }), 1, 'clamped to the line end');
  });
});

describe('detectKind', () => {
  const cases: [string, string][] = [
    ['Dockerfile', 'dockerfile'],
    ['dockerfile', 'dockerfile'],
    ['DOCKERFILE.prod', 'dockerfile'],
    ['api.Dockerfile', 'dockerfile'],
    ['x/positive2.dockerfile', 'dockerfile'],
    ['Containerfile', 'dockerfile'],
    ['Dockerfile.md', 'text'],
    ['Dockerfile-dev', 'dockerfile'],
    ['test/unit/dockerfile-parser.test.ts', 'text'],
    ['Dockerfile.go', 'text'],
    ['Dockerfile-linux.template', 'text'],
    ['Dockerfile.j2', 'text'],
    ['prod.DOCKERFILE', 'dockerfile'],
    ['.dockerignore', 'text'],
    ['main.tf', 'terraform'],
    ['prod.tfvars', 'terraform'],
    ['main.tf.json', 'terraform-json'],
    ['notes.txt', 'text'],
    ['deploy.yaml', 'yaml'],
    ['.env', 'text'],
  ];
  for (const [name, kind] of cases) test(`${name} -> ${kind}`, () => assert.equal(detectKind(name), kind));
  test('an untitled buffer in dockerfile mode is a Dockerfile', () => assert.equal(detectKind('Untitled-1', 'dockerfile'), 'dockerfile'));
  test('YAML is a Kubernetes manifest by its content', () => {
    assert.equal(detectKind('deploy.yaml', undefined, 'apiVersion: apps/v1\nkind: Deployment\n'), 'kubernetes');
    assert.equal(detectKind('compose.yml', undefined, 'services:\n  web:\n    image: nginx\n'), 'yaml');
  });
  test('a Helm template is YAML only once rendered: not a manifest, and its parse errors are not reported', () => {
    const template = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ include "grid.fullname" . }}\n  labels:\n    {{- toYaml .Values.labels | nindent 4 }}\n';
    assert.equal(detectKind('charts/grid/templates/service.yaml', undefined, template), 'yaml');
    const engine = new Engine(allRules, defaultConfig());
    assert.deepEqual(engine.check({ path: 'charts/grid/templates/service.yaml', text: template }).findings, []);
    // Template syntax inside a value of a real manifest (an alerting rule's text) keeps it a manifest.
    const alert = 'apiVersion: v1\nkind: ConfigMap\ndata:\n  rule: "{{ $labels.instance }} is down"\n';
    assert.equal(detectKind('alerts.yaml', undefined, alert), 'kubernetes');
  });
  test('the editor language id wins over a Dockerfile-like name', () => {
    assert.equal(detectKind('Dockerfile.prod', 'jinja'), 'text');
    assert.equal(detectKind('Dockerfile.prod', 'plaintext'), 'dockerfile');
    assert.equal(detectKind('Dockerfile.template', 'dockerfile'), 'dockerfile', 'a template the user set to Dockerfile mode');
  });
});

describe('suppressions', () => {
  const text = [
    'FROM alpine',
    '# fourfold-ignore docker/sudo, docker/curl-pipe-shell: vendor script',
    '# a second comment between is fine',
    'RUN sudo apk add curl && \\',
    '    curl x | sh',
    'RUN sudo true',
    '# fourfold-ignore docker/sudo until 2020-01-01: expired',
    'RUN sudo false',
    '# fourfold-ignore-file docker/healthcheck-missing',
    '',
  ].join('\n');
  const units = [3, 5, 7].map((line) => {
    const l = new LineIndex(text);
    const start = l.lineStart(line);
    return { start, end: line === 3 ? l.lineEnd(4) : l.lineEnd(line) };
  });
  const comments = findSuppressions(new LineIndex(text), '#', units);
  const at = (needle: string) => ({ start: text.indexOf(needle), end: text.indexOf(needle) + needle.length });

  test('parses rule lists, reasons and expiry dates', () => {
    assert.equal(comments.length, 3);
    assert.deepEqual(comments[0].ruleIds, ['docker/sudo', 'docker/curl-pipe-shell']);
    assert.equal(comments[0].reason, 'vendor script');
    assert.equal(comments[1].until, '2020-01-01');
    assert.equal(comments[2].fileWide, true);
  });
  test('a comment covers the whole next statement, continuations included, and nothing after it', () => {
    assert.equal(suppressionFor(comments, 'docker/curl-pipe-shell', at('curl x'), '2026-01-01'), comments[0]);
    assert.equal(suppressionFor(comments, 'docker/sudo', at('sudo apk'), '2026-01-01'), comments[0]);
    assert.equal(suppressionFor(comments, 'docker/sudo', at('sudo true'), '2026-01-01'), undefined);
    assert.equal(suppressionFor(comments, 'docker/user-root', at('sudo apk'), '2026-01-01'), undefined);
  });
  test('an expired comment no longer suppresses', () => {
    assert.equal(suppressionFor(comments, 'docker/sudo', at('sudo false'), '2026-01-01'), undefined);
    assert.equal(suppressionFor(comments, 'docker/sudo', at('sudo false'), '2019-12-31'), comments[1]);
  });
  test('a file-wide comment covers every line', () => {
    assert.equal(suppressionFor(comments, 'docker/healthcheck-missing', at('FROM'), '2026-01-01'), comments[2]);
  });
  test('insertions keep indentation and line endings, and go below headers', () => {
    const crlf = 'FROM a\r\n  RUN x\r\n';
    const line = ignoreLineInsertion(new LineIndex(crlf), '#', 'docker/sudo', { start: 12, end: 13 }, []);
    assert.equal(insertionText(line), '  # fourfold-ignore docker/sudo: reason\r\n');
    assert.equal(line.offset, 8);
    const file = ignoreFileInsertion(new LineIndex('# syntax=x'), '#', 'docker/sudo', 10);
    assert.equal(insertionText(file), '\n# fourfold-ignore-file docker/sudo: reason\n');
  });
});

describe('configuration', () => {
  const known = new Map(['docker/sudo', 'docker/user-root'].map((id) => [id, { id } as AnyRule]));
  test('a valid file', () => {
    const { config, problems } = parseConfigFile('rules:\n  docker/sudo: off\n  docker/user-root: {severity: critical}\nexclude: [a/**]\ntrustedRegistries: ghcr.io\n', known);
    assert.deepEqual(problems, []);
    assert.deepEqual(config.rules, { 'docker/sudo': 'off', 'docker/user-root': 'critical' });
    assert.deepEqual(config.exclude, ['a/**']);
    assert.deepEqual(config.trustedRegistries, ['ghcr.io']);
  });
  test('each problem points at the bad key or value, and the rest still applies', () => {
    const text = 'rules:\n  docker/sudo: loud\n  docker/user-root: off\nexlude: []\nmaxFileSizeKb: -1\n';
    const { config, problems } = parseConfigFile(text, known);
    assert.deepEqual(
      problems.map((p) => text.slice(p.span.start, p.span.end)),
      ['loud', 'exlude', '-1'],
    );
    assert.deepEqual(config.rules, { 'docker/user-root': 'off' });
  });
  test('invalid YAML and a non-mapping are reported, never thrown', () => {
    assert.deepEqual(parseConfigFile('rules: [unclosed', known).problems, [
      { message: '.fourfold.yaml is not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]', span: { start: 16, end: 17 } },
      { message: '`rules` must map rule ids to off, on or a severity', span: { start: 7, end: 16 } },
    ]);
    const notAMapping = { message: '.fourfold.yaml must be a mapping with keys rules, categories, exclude, trustedRegistries, baseline, maxFileSizeKb, maxParseErrorsPerFile, maxFindingsPerFile', span: { start: 0, end: 8 } };
    assert.deepEqual(parseConfigFile('- a\n- b\n', known).problems, [notAMapping]);
    assert.deepEqual(parseConfigFile('', known).problems, []);
    assert.deepEqual(parseConfigFile('\u0000\u0001binary', known).problems, [notAMapping]);
  });
  test('untrusted workspaces: the repository file can only tighten', () => {
    const file = { rules: { 'docker/sudo': 'off' as const, 'docker/user-root': 'critical' as const, 'docker/x': 'low' as const }, exclude: ['**'], trustedRegistries: ['evil.io'], baseline: 'b.json' };
    const severity = (id: string) => (id === 'docker/x' ? ('high' as const) : ('medium' as const));
    const merged = mergeConfig(configFromSettings({ exclude: ['mine/**'] }), file, false, severity);
    assert.deepEqual(merged.rules, { 'docker/user-root': 'critical' });
    assert.deepEqual(merged.exclude, ['mine/**']);
    assert.deepEqual(merged.trustedRegistries, []);
    assert.equal(merged.baseline, defaultConfig().baseline);
    const trusted = mergeConfig({}, file, true, severity);
    assert.equal(trusted.rules['docker/sudo'], 'off');
    assert.deepEqual(trusted.exclude, ['**']);
  });
});

describe('engine', () => {
  const shout: Rule<'text'> = {
    id: 'test/shout',
    title: 'Shouting',
    severity: 'low',
    layer: 'general',
    category: 'security',
    model: 'text',
    description: 'Finds the word SHOUT in any checked file.',
    references: { cwe: ['CWE-1'] },
    messages: { found: 'Found {{word}}' },
    check(ctx) {
      for (const m of ctx.model.matchAll(/SHOUT/g)) ctx.report({ messageId: 'found', data: { word: m[0] }, span: { start: m.index!, end: m.index! + 5 } });
    },
  };
  const broken: Rule<'text'> = { ...shout, id: 'test/broken', check: () => { throw new Error('bug'); } };

  test('runs text rules on known kinds, formats messages, applies severity settings', () => {
    const engine = new Engine([shout, broken]);
    const result = engine.check({ path: 'Dockerfile', text: 'FROM a\nRUN SHOUT\n' });
    assert.equal(result.kind, 'dockerfile');
    const found = result.findings.filter((f) => f.ruleId === 'test/shout');
    assert.equal(found[0].message, 'Found SHOUT');
    assert.equal(result.ruleErrors[0].ruleId, 'test/broken', 'a throwing rule is isolated');
    engine.setConfig({ ...defaultConfig(), rules: { 'test/shout': 'high' } });
    assert.equal(engine.check({ path: 'Dockerfile', text: 'SHOUT' }).findings.find((f) => f.ruleId === 'test/shout')!.severity, 'high');
    assert.deepEqual(engine.check({ path: 'notes.txt', text: 'SHOUT' }).findings.map((f) => f.ruleId), ['test/shout'], 'every text file reaches the text rules');
  });
  test('binary and oversized files are skipped with a reason', () => {
    const engine = new Engine([shout]);
    assert.equal(engine.check({ path: 'Dockerfile', text: 'FROM \u0000' }).skipped, 'binary content');
    engine.setConfig({ ...defaultConfig(), maxFileSizeKb: 1 });
    assert.match(engine.check({ path: 'Dockerfile', text: 'x'.repeat(2000) }).skipped!, /larger than 1 KB/);
    assert.equal(looksBinary('plain text'), false);
  });
  test('the baseline hides accepted findings even when lines move, and only as many as were accepted', () => {
    const engine = new Engine([shout]);
    const text = 'FROM a\nRUN SHOUT\n';
    const before = engine.check({ path: 'Dockerfile', text });
    const baseline = createBaseline([{ path: 'Dockerfile', text, findings: before.findings }]);
    const roundTrip = parseBaseline(JSON.stringify(baseline));
    assert.equal(roundTrip.error, undefined);
    engine.setBaseline(roundTrip.baseline);
    const moved = engine.check({ path: 'Dockerfile', text: 'FROM a\n\n\nRUN true\nRUN SHOUT\nRUN SHOUT\n' });
    const shouts = moved.findings.filter((f) => f.ruleId === 'test/shout');
    assert.deepEqual(shouts.map((f) => f.suppression?.kind), ['baseline', undefined]);
    assert.match(parseBaseline('{nope').error ?? '', /^baseline is not valid JSON: /, 'then JSON.parse\'s own message, which differs between Node versions');
    const lines = new LineIndex(text);
    // 64-bit FNV-1a of "test/shout\0RUN SHOUT\0SHOUT": rule, folded line, flagged text.
    assert.equal(fingerprint(before.findings[0], lines), '1d80eaac0811eee2');
  });
});

describe('applyEdits', () => {
  test('applies in order, keeps other text, never applies overlapping edits', () => {
    const result = applyEdits('abcdef', [
      { span: { start: 4, end: 5 }, newText: 'E' },
      { span: { start: 0, end: 1 }, newText: 'A' },
      { span: { start: 0, end: 2 }, newText: 'XX' },
      { span: { start: 6, end: 6 }, newText: '!' },
    ]);
    assert.equal(result.text, 'Abcd' + 'Ef!');
    assert.equal(result.applied, 3);
  });
});

describe('compatibleEdits', () => {
  test('keeps whole fixes that fit together and drops a fix that overlaps one already taken', () => {
    const a = [{ span: { start: 0, end: 3 }, newText: 'COPY' }];
    const b = [{ span: { start: 10, end: 10 }, newText: 'x' }, { span: { start: 2, end: 4 }, newText: 'y' }];
    const c = [{ span: { start: 8, end: 9 }, newText: 'z' }, { span: { start: 3, end: 3 }, newText: '!' }];
    const { edits, fixes } = compatibleEdits([a, b, c]);
    assert.deepEqual(edits.map((e) => e.newText), ['COPY', '!', 'z']);
    assert.equal(fixes, 2);
  });
});
