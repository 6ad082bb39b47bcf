// Malformed input never throws and never runs away: random mutations of corpus files and
// pathological shapes (deep nesting, huge heredocs) all complete with well-formed ranges.
// No wall-clock assertions: completing is the test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { ParseError, Parsed } from '../../server/src/engine/api';
import { loadModule, parseHcl, type HclFile } from '../../server/src/parsers/hcl/index';
import { kicsTerraformFiles } from './hcl-helpers';
import { prng as random } from '../../scripts/prng';

const SNIPPETS = ['{', '}', '[', ']', '(', ')', '"', '${', '%{', '~}', '}', '<<EOT\n', '<<-X\n', '\nEOT\n', '#', '//', '/*', '*/',
  '\n', '=', ':', ',', '...', '?', '.', '.0', '[*]', 'for x in y :', '=>', '\\', '\\u12', '🚀', '\r\n', 'if', '%{ endif }', 'a = '];

function checkSpans(value: unknown, length: number, where: string): void {
  const stack: unknown[] = [value];
  while (stack.length) {
    const node = stack.pop();
    if (!node || typeof node !== 'object') continue;
    const rec = node as Record<string, unknown>;
    if (typeof rec.start === 'number' && typeof rec.end === 'number') {
      assert.ok(rec.start >= 0 && rec.start <= rec.end && rec.end <= length, `${where}: bad span ${rec.start}-${rec.end} of ${length}`);
    }
    for (const child of Object.values(rec)) if (child && typeof child === 'object') stack.push(child);
  }
}

function parsesSafely(text: string, where: string, json = false): Parsed<HclFile> {
  const result = parseHcl(text, { json });
  const internal = result.errors.filter((e: ParseError) => e.message.startsWith('Internal parser error'));
  assert.deepEqual(internal, [], where);
  checkSpans(result, text.length, where);
  return result;
}

/** Loads the text as a module and evaluates everything in it: no throw, no internal error. */
function evaluatesSafely(text: string, where: string): void {
  const module = loadModule([{ path: 'fuzz/main.tf', text }, { path: 'fuzz/terraform.tfvars', text }]);
  for (const resource of module.resources) module.body(resource);
  for (const name of module.locals.keys()) module.local(name);
  for (const name of module.outputs.keys()) module.output(name);
  for (const name of module.variables.keys()) module.variable(name);
  const internal = module.diagnostics.filter((d) => d.message.startsWith('Internal'));
  assert.deepEqual(internal, [], where);
}

test('random mutations of corpus files', () => {
  const files = kicsTerraformFiles();
  const rand = random(4);
  const picks = Array.from({ length: 400 }, () => files[Math.floor(rand() * files.length)]);
  for (const [n, file] of picks.entries()) {
    let text = fs.readFileSync(file, 'utf8');
    const mutations = 1 + Math.floor(rand() * 6);
    for (let m = 0; m < mutations; m++) {
      const at = Math.floor(rand() * (text.length + 1));
      const kind = rand();
      if (kind < 0.35) text = text.slice(0, at) + SNIPPETS[Math.floor(rand() * SNIPPETS.length)] + text.slice(at);
      else if (kind < 0.7) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(rand() * 20));
      else if (kind < 0.85) text = text.slice(0, at);
      else {
        const from = Math.floor(rand() * text.length);
        text = text.slice(0, at) + text.slice(from, from + Math.floor(rand() * 200)) + text.slice(at);
      }
    }
    parsesSafely(text, `mutation ${n} of ${file}`);
    if (n % 4 === 0) parsesSafely(text, `mutation ${n} of ${file} as JSON`, true);
    if (n % 2 === 0) evaluatesSafely(text, `mutation ${n} of ${file}`);
  }
});

test('deeply nested brackets, blocks, templates and operators complete', () => {
  const n = 100_000;
  const cases: Record<string, string> = {
    brackets: 'a = ' + '['.repeat(n),
    closedBrackets: 'a = ' + '['.repeat(n) + ']'.repeat(n) + '\nb = 1\n',
    braces: 'a = ' + '{'.repeat(n),
    parens: 'a = ' + '('.repeat(n) + '1' + ')'.repeat(n),
    blocks: 'a {\n'.repeat(n) + '}\n'.repeat(n),
    templates: 'a = ' + '"${'.repeat(n) + '1' + '}"'.repeat(n),
    directives: 'a = "' + '%{ if x }'.repeat(n) + '"',
    unary: 'a = ' + '-!'.repeat(n) + 'x\n',
    binary: 'a = ' + '1 + '.repeat(n) + '1\n',
    conditional: 'a = ' + 'x ? y : '.repeat(n) + 'z\n',
    calls: 'a = ' + 'f('.repeat(n),
    index: 'a = x' + '[0]'.repeat(n) + '\n',
    splat: 'a = x' + '[*].y'.repeat(n) + '\n',
    strays: '}]) '.repeat(n),
    comments: '/*'.repeat(n),
    quotes: '"'.repeat(n),
    json: '['.repeat(n),
  };
  for (const [name, text] of Object.entries(cases)) {
    const result = parsesSafely(text, name);
    if (name === 'closedBrackets') {
      assert.deepEqual(
        result.model.body.items.map((i) => `${i.kind} ${i.kind === 'attribute' ? i.name : i.type}`),
        ['attribute a', 'attribute b'],
        'the parser recovers after 100,000 closed brackets',
      );
    }
  }
  parsesSafely('{"a":'.repeat(n), 'json objects', true);
  parsesSafely('['.repeat(n), 'json arrays', true);
});

test('huge heredocs, closed and unterminated', () => {
  const lines = Array.from({ length: 50_000 }, (_, i) => `  line ${i} with \${var.x} and %{ if true }y%{ endif }`).join('\n');
  const closed = parsesSafely(`a = <<-EOT\n${lines}\n  EOT\nb = 2\n`, 'closed heredoc');
  assert.equal(closed.errors.length, 0);
  assert.equal(closed.model.body.items.length, 2);
  const open = parsesSafely(`a = <<EOT\n${lines}\n`, 'unterminated heredoc');
  assert.equal(open.errors.length, 1);
});
