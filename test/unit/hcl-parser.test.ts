import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  annotatingComments, getAttribute, parseHcl, staticString, traversalPath, type Attribute, type Block, type Expression,
  type TemplateExpr,
} from '../../server/src/parsers/hcl/index';

function attr(text: string, name = 'a'): Attribute {
  const { model, errors } = parseHcl(text);
  assert.deepEqual(errors, [], 'no parse errors');
  const found = model.body.items.find((i): i is Attribute => i.kind === 'attribute' && i.name === name);
  assert.ok(found, `attribute ${name}`);
  return found;
}

function slice(text: string, span: { start: number; end: number }): string {
  return text.slice(span.start, span.end);
}

test('blocks with quoted and bare labels, one-line blocks, nested blocks', () => {
  const text = 'resource "aws_s3_bucket" logs {\n  bucket = "x"\n  versioning { enabled = true }\n}\nlocals {}\n';
  const { model, errors } = parseHcl(text);
  assert.deepEqual(errors, []);
  const [block, locals] = model.body.items as Block[];
  assert.equal(block.type, 'resource');
  assert.deepEqual(block.labels.map((l) => [l.value, l.quoted]), [['aws_s3_bucket', true], ['logs', false]]);
  assert.equal(slice(text, block.labels[0].span), '"aws_s3_bucket"');
  assert.equal(slice(text, block.span), text.slice(0, text.indexOf('}\nlocals') + 1));
  const inner = block.body.items[1] as Block;
  assert.equal(inner.type, 'versioning');
  assert.equal(slice(text, inner.span), 'versioning { enabled = true }');
  assert.equal((inner.body.items[0] as Attribute).name, 'enabled');
  assert.equal(locals.type, 'locals');
  assert.equal(locals.body.items.length, 0);
});

test('attributes keep name and value ranges apart', () => {
  const text = 'ingress {\n  cidr_blocks = ["0.0.0.0/0"]\n}\n';
  const { model } = parseHcl(text);
  const a = (model.body.items[0] as Block).body.items[0] as Attribute;
  assert.equal(slice(text, a.nameSpan), 'cidr_blocks');
  assert.equal(slice(text, a.valueSpan), '["0.0.0.0/0"]');
  assert.equal(slice(text, a.span), 'cidr_blocks = ["0.0.0.0/0"]');
  const item = (a.expr as Extract<Expression, { kind: 'tuple' }>).items[0];
  assert.equal(slice(text, item.span), '"0.0.0.0/0"');
});

test('UTF-16 offsets after non-ASCII text', () => {
  const text = '# 🚀 über\nname = "ü🚀" # 注释\nb = 1\n';
  const { model, errors } = parseHcl(text);
  assert.deepEqual(errors, []);
  const b = model.body.items[1] as Attribute;
  assert.equal(slice(text, b.span), 'b = 1');
  assert.equal(model.comments.length, 2);
  assert.equal(slice(text, model.comments[1].span), '# 注释');
});

test('numbers, bools, null, operators with HCL precedence', () => {
  const e = attr('a = !x || -1 + 2 * 3 >= 4 && y == null\n').expr;
  assert.equal(e.kind, 'binary');
  if (e.kind !== 'binary') return;
  assert.equal(e.op, '||');
  assert.equal(e.left.kind, 'unary');
  assert.equal(e.right.kind === 'binary' && e.right.op, '&&');
  const num = attr('a = 1.5e3\n').expr;
  assert.deepEqual(num.kind === 'literal' && num.value, 1500);
});

test('conditionals, parentheses and multi-line expressions inside brackets', () => {
  const e = attr('a = (\n  var.x\n  ? "y"\n  : "z"\n)\n').expr;
  assert.equal(e.kind, 'parens');
  assert.equal(e.kind === 'parens' && e.expr.kind, 'conditional');
});

test('templates: interpolation, directives, strip markers, escapes', () => {
  const t = attr('a = "x ${b} \\"q\\" \\u00e9 $${lit} %{ if c ~} yes %{~ else } no %{ endif }"\n').expr as TemplateExpr;
  assert.equal(t.kind, 'template');
  assert.equal(t.parts[0].kind === 'literal' && t.parts[0].value, 'x ');
  assert.equal(t.parts[1].kind, 'interpolation');
  assert.equal(t.parts[2].kind === 'literal' && t.parts[2].value, ' "q" é ${lit} ');
  const ifPart = t.parts[3];
  assert.equal(ifPart.kind, 'if');
  if (ifPart.kind !== 'if') return;
  assert.deepEqual(ifPart.then.map((p) => p.kind === 'literal' && p.value), ['yes']);
  assert.deepEqual(ifPart.else?.map((p) => p.kind === 'literal' && p.value), [' no ']);
  const f = attr('a = "%{ for k, v in m }${k}=${v},%{ endfor }"\n').expr as TemplateExpr;
  assert.equal(f.parts[0].kind, 'for');
  assert.equal(f.parts[0].kind === 'for' && f.parts[0].keyVar, 'k');
});

test('heredocs, plain and indented', () => {
  const text = 'a = <<EOT\n{\n  "x": "${y}"\n}\nEOT\nb = <<-EOF\n    one\n      two\n    EOF\nc = 1\n';
  const a = attr(text, 'a');
  const t = a.expr as TemplateExpr;
  assert.deepEqual(t.heredoc, { marker: 'EOT', indented: false });
  assert.equal(slice(text, a.valueSpan), '<<EOT\n{\n  "x": "${y}"\n}\nEOT');
  const b = attr(text, 'b').expr as TemplateExpr;
  assert.equal(b.parts.map((p) => (p.kind === 'literal' ? p.value : '')).join(''), 'one\n  two\n');
  assert.equal(attr(text, 'c').expr.kind, 'literal');
});

test('tuples, objects with = and :, parenthesised keys, newlines as separators', () => {
  const o = attr('a = {\n  x = 1, "y": 2\n  (z) = 3\n\n  w = [1,\n   2,]\n}\n').expr;
  assert.equal(o.kind, 'object');
  if (o.kind !== 'object') return;
  assert.deepEqual(o.items.map((i) => i.separator), ['=', ':', '=', '=']);
  assert.equal(o.items[2].key.kind, 'parens');
});

test('function calls with expansion and provider namespaces', () => {
  const c = attr('a = concat(x, [1]...)\n').expr;
  assert.equal(c.kind === 'call' && c.expandFinal, true);
  const p = attr('a = provider::aws::arn_parse(x)\n').expr;
  assert.equal(p.kind, 'call');
  if (p.kind !== 'call') return;
  assert.deepEqual(p.namespace, ['provider', 'aws']);
  assert.equal(p.name, 'arn_parse');
});

test('for expressions over tuples and objects, with if and grouping', () => {
  const t = attr('a = [for s in var.list : upper(s) if s != ""]\n').expr;
  assert.equal(t.kind === 'for' && t.condition?.kind, 'binary');
  const o = attr('a = {for k, v in var.map : v => k...}\n').expr;
  assert.equal(o.kind, 'for');
  if (o.kind !== 'for') return;
  assert.equal(o.keyVar, 'k');
  assert.equal(o.grouping, true);
  assert.ok(o.keyExpr);
});

test('index, legacy index, attribute access and splats', () => {
  const text = 'a = aws_instance.web[0].tags["Name"]\nb = x.0.y\nc = x.*.id\nd = x[*].a.b[1]\n';
  assert.equal(attr(text, 'a').expr.kind, 'index');
  const b = attr(text, 'b').expr;
  assert.equal(b.kind === 'getattr' && b.object.kind === 'index' && b.object.legacy, true);
  const c = attr(text, 'c').expr;
  assert.equal(c.kind === 'splat' && !c.full && c.each?.kind, 'getattr');
  const d = attr(text, 'd').expr;
  assert.equal(d.kind === 'splat' && d.full && d.each?.kind, 'index');
});

test('comments of all three styles are kept with their ranges', () => {
  const text = '# fourfold-ignore terraform/x: reason\n// two\n/* three\n */\na = 1 # trailing\n';
  const { model } = parseHcl(text);
  assert.deepEqual(model.comments.map((c) => c.style), ['#', '//', '/*', '#']);
  assert.equal(model.comments[0].text, ' fourfold-ignore terraform/x: reason');
  assert.equal(slice(text, model.comments[2].span), '/* three\n */');
});

test('errors: unterminated string keeps the rest of the file', () => {
  const text = 'a = "oops\nb = 2\nresource "x" "y" {\n  c = 3\n}\n';
  const { model, errors } = parseHcl(text);
  assert.equal(errors.length, 1);
  assert.match(errors[0].message, /Unterminated string/);
  assert.deepEqual(model.body.items.map((i) => (i.kind === 'attribute' ? i.name : i.type)), ['a', 'b', 'resource']);
});

test('errors: missing closing brace is noticed at the next top-level block', () => {
  const text = 'resource "a" "b" {\n  x = 1\n\nresource "c" "d" {\n  y = 2\n}\n';
  const { model, errors } = parseHcl(text);
  assert.equal(errors.length, 1);
  assert.equal(slice(text, errors[0].span), '{');
  assert.deepEqual(model.body.items.map((i) => (i as Block).labels.map((l) => l.value).join('.')), ['a.b', 'c.d']);
  assert.equal(((model.body.items[0] as Block).body.items[0] as Attribute).name, 'x');
});

test('errors: stray tokens and unclosed brackets recover at the next line', () => {
  const text = 'a {\n  ] stray\n  x = [1, 2\n  y = foo(\n  z = 3\n}\nb = 1\n';
  const { model, errors } = parseHcl(text);
  assert.deepEqual(
    errors.map((e) => [e.message, slice(text, e.span)]),
    [
      ['Expected an attribute or a block', ']'],
      ['The list is not closed: `]` is missing', '['],
      ['The call to foo is not closed: `)` is missing', '('],
    ],
  );
  const a = model.body.items[0] as Block;
  assert.deepEqual(a.body.items.map((i) => (i as Attribute).name), ['x', 'y', 'z']);
  assert.equal((model.body.items[1] as Attribute).name, 'b');
  for (const e of errors) assert.ok(e.span.start >= 0 && e.span.end <= text.length && e.span.start <= e.span.end);
});

test('JSON syntax maps onto the same model with JSON positions', () => {
  const text = '{"resource": {"aws_s3_bucket": {"b": {"acl": "public-read", "tags": {"k": "v"}, "versioning": {"enabled": true}, "bucket": "${var.n}"}}}}';
  const { model, errors } = parseHcl(text, { json: true });
  assert.deepEqual(errors, []);
  const block = model.body.items[0] as Block;
  assert.deepEqual([block.type, ...block.labels.map((l) => l.value)], ['resource', 'aws_s3_bucket', 'b']);
  const names = block.body.items.map((i) => `${i.kind}:${i.kind === 'attribute' ? i.name : i.type}`);
  assert.deepEqual(names, ['attribute:acl', 'attribute:tags', 'block:versioning', 'attribute:bucket']);
  const acl = block.body.items[0] as Attribute;
  assert.equal(slice(text, acl.valueSpan), '"public-read"');
  const bucket = block.body.items[3] as Attribute;
  const part = (bucket.expr as TemplateExpr).parts[0];
  assert.equal(part.kind === 'interpolation' && slice(text, part.expr.span), 'var.n');
  const bad = parseHcl('{"a": [1, 2', { json: true });
  assert.deepEqual(bad.errors.map((e) => [e.message, e.span]), [
    ['Expected `,` or `]` in the JSON array', { start: 11, end: 11 }],
    ['Expected `,` or `}` in the JSON object', { start: 11, end: 11 }],
  ]);
});

test('comments annotating a block or an attribute are found next to it', () => {
  const text = [
    '# unrelated',
    '',
    '# fourfold-ignore terraform/aws-s3-public-acl: public website',
    '// second line of the note',
    'resource "aws_s3_bucket" "site" {',
    '  acl = "public-read" # fourfold-ignore terraform/x: inline',
    '  # above tags',
    '  tags = {}',
    '}',
  ].join('\n');
  const { model } = parseHcl(text);
  const block = model.body.items[0] as Block;
  assert.deepEqual(annotatingComments(model, text, block).map((c) => c.text.trim()), [
    'fourfold-ignore terraform/aws-s3-public-acl: public website', 'second line of the note',
  ]);
  const [acl, tags] = block.body.items;
  assert.deepEqual(annotatingComments(model, text, acl).map((c) => c.text.trim()), ['fourfold-ignore terraform/x: inline']);
  assert.deepEqual(annotatingComments(model, text, tags).map((c) => c.text.trim()), ['above tags']);
});

test('query helpers: static strings and traversals', () => {
  const text = 'a = "x"\nb = "x${y}"\nc = aws_s3_bucket.logs[0].id\nd = f(x)\n';
  const { model } = parseHcl(text);
  const [a, b, c, d] = model.body.items as Attribute[];
  assert.equal(staticString(a.expr), 'x');
  assert.equal(staticString(b.expr), undefined);
  assert.deepEqual(traversalPath(c.expr), ['aws_s3_bucket', 'logs', 0, 'id']);
  assert.equal(traversalPath(d.expr), undefined);
  assert.equal(getAttribute(model.body, 'c'), c);
});
