// The YAML parser wrapper (server/src/parsers/yaml): documents of a stream with their kind and
// apiVersion, capped parse errors, and a depth limit that keeps the `yaml` package away from
// Node's stack limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allRules } from '../../rules/index';
import { defaultConfig } from '../../server/src/engine/config';
import { Engine } from '../../server/src/engine/engine';
import { deepNestingAt, MAX_YAML_NESTING, parseYaml } from '../../server/src/parsers/yaml';

test('a stream of manifests: one document each, with kind, apiVersion and span', () => {
  const text = 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\n---\napiVersion: apps/v1\nkind: Deployment\n';
  const { model, errors } = parseYaml(text);
  assert.deepEqual(errors, []);
  assert.deepEqual(
    model.documents.map((d) => [d.index, d.kind, d.apiVersion, text.slice(d.span.start, d.span.end).split('\n')[0]]),
    [
      [0, 'Service', 'v1', 'apiVersion: v1'],
      [1, 'Deployment', 'apps/v1', '---'],
    ],
  );
});

test('malformed YAML gives parse errors at the fault, at most 20 per document, and never throws', () => {
  const { errors } = parseYaml('a: [1, 2\nb: "open\n');
  assert.ok(errors.length > 0);
  assert.ok(errors.every((e) => e.span.start >= 0 && e.span.end >= e.span.start));
  assert.ok(parseYaml('k: [\n'.repeat(500)).errors.length <= 20);
});

test('nesting: what manifests do is read; past the limit the text is refused with one error where it got too deep', () => {
  assert.equal(deepNestingAt('a:\n  b:\n    - c: [1, {d: "[[[["}]  # [[[\n', MAX_YAML_NESTING), -1, 'brackets in quotes and comments do not count');
  const blocks = Array.from({ length: 150 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n');
  assert.equal(parseYaml(`${blocks} v\n`).errors.length, 0, '150 block levels are read');
  const flow = '['.repeat(150) + ']'.repeat(150);
  assert.equal(parseYaml(flow).errors.length, 0, '150 flow levels are read');
  const deep = `${'{['.repeat(550)}\n  - ghcr.io/acme\n`;
  const { model, errors } = parseYaml(deep);
  assert.deepEqual(model.documents, []);
  assert.deepEqual(errors, [{ message: `YAML nested more than ${MAX_YAML_NESTING} levels deep: not read`, span: { start: 199, end: 200 } }]);
});

test('the fuzzed input that ended the process (1 KB of `{[` checked four times) is checked, and the process lives', () => {
  // Before the limit, the fourth check made V8 fail compiling a regular expression near the stack
  // limit inside the yaml package: "RegExpCompiler Allocation failed - process out of memory".
  const config = defaultConfig();
  config.rules = Object.fromEntries(allRules.map((r) => [r.id, 'on']));
  const engine = new Engine(allRules, config);
  const text = `apiVersion: v1\nkind: Pod\n${'{['.repeat(550)}\n  - ghcr.io/acme\n`;
  for (let i = 0; i < 4; i++) {
    const result = engine.check({ path: 'deploy.yaml', text });
    assert.deepEqual(result.findings.map((f) => f.message), [`YAML nested more than ${MAX_YAML_NESTING} levels deep: not read`]);
  }
});
