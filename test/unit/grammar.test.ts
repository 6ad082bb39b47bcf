// The Terraform grammar, tokenized by the same TextMate engine VS Code uses (vscode-textmate + Oniguruma).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import { INITIAL, parseRawGrammar, Registry, type IGrammar } from 'vscode-textmate';

const root = path.resolve(__dirname, '..', '..');
let grammar: IGrammar;

before(async () => {
  const wasm = fs.readFileSync(path.join(root, 'node_modules/vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new Registry({
    onigLib: Promise.resolve({ createOnigScanner: (s) => new oniguruma.OnigScanner(s), createOnigString: (s) => new oniguruma.OnigString(s) }),
    loadGrammar: async (scope) => {
      if (scope !== 'source.terraform') return null;
      const file = path.join(root, 'syntaxes/terraform.tmLanguage.json');
      return parseRawGrammar(fs.readFileSync(file, 'utf8'), file);
    },
  });
  grammar = (await registry.loadGrammar('source.terraform'))!;
});

/** The scopes of each token of each line: [text, innermost scope]. */
function tokens(source: string): [string, string][][] {
  let state = INITIAL;
  return source.split('\n').map((line) => {
    const result = grammar.tokenizeLine(line, state);
    state = result.ruleStack;
    return result.tokens.map((t) => [line.slice(t.startIndex, t.endIndex), t.scopes.at(-1)!]);
  });
}

function scopeOf(source: string, text: string): string {
  for (const line of tokens(source)) for (const [t, scope] of line) if (t === text) return scope;
  throw new Error(`no token ${text}`);
}

test('block headers, labels, attributes and values', () => {
  const source = 'resource "aws_s3_bucket" "logs" {\n  bucket = "acme-logs"\n  force_destroy = true\n  count = 2\n}';
  assert.equal(scopeOf(source, 'resource'), 'entity.name.type.block.terraform');
  assert.equal(scopeOf(source, '"aws_s3_bucket"'), 'string.quoted.double.label.terraform');
  assert.equal(scopeOf(source, 'bucket'), 'variable.other.property.terraform');
  assert.equal(scopeOf(source, 'true'), 'constant.language.terraform');
  assert.equal(scopeOf(source, '2'), 'constant.numeric.terraform');
});

test('comments of all three styles, with fourfold-ignore inside them', () => {
  const source = '# fourfold-ignore terraform/x: ok\n// line\n/* block\n still */\nx = 1';
  assert.deepEqual(tokens(source).slice(0, 4), [
    [['# fourfold-ignore terraform/x: ok', 'comment.line.number-sign.terraform']],
    [['// line', 'comment.line.double-slash.terraform']],
    [
      ['/*', 'comment.block.terraform'],
      [' block', 'comment.block.terraform'],
    ],
    [
      [' still ', 'comment.block.terraform'],
      ['*/', 'comment.block.terraform'],
    ],
  ]);
  assert.equal(scopeOf(source, 'x'), 'variable.other.property.terraform');
});

test('interpolation inside strings and heredocs, functions and references', () => {
  const source = 'name = "${var.prefix}-${lower(local.env)}"\npolicy = <<-EOT\n  {"a": "${var.x}"}\n  EOT\nafter = 1';
  assert.equal(scopeOf(source, 'lower'), 'support.function.terraform');
  assert.equal(scopeOf(source, 'var'), 'variable.language.terraform');
  assert.deepEqual(tokens(source).slice(1), [
    [
      ['policy', 'variable.other.property.terraform'],
      [' ', 'source.terraform'],
      ['=', 'keyword.operator.assignment.terraform'],
      [' ', 'source.terraform'],
      ['<<-EOT', 'punctuation.definition.string.begin.terraform'],
    ],
    [
      ['  {"a": "', 'string.unquoted.heredoc.terraform'],
      ['${', 'punctuation.section.interpolation.begin.terraform'],
      ['var', 'variable.language.terraform'],
      ['.', 'meta.interpolation.terraform'],
      ['x', 'variable.other.terraform'],
      ['}', 'punctuation.section.interpolation.end.terraform'],
      ['"}', 'string.unquoted.heredoc.terraform'],
    ],
    [['  EOT', 'punctuation.definition.string.end.terraform']],
    // The heredoc has ended: an attribute again.
    [
      ['after', 'variable.other.property.terraform'],
      [' ', 'source.terraform'],
      ['=', 'keyword.operator.assignment.terraform'],
      [' ', 'source.terraform'],
      ['1', 'constant.numeric.terraform'],
    ],
  ]);
});
