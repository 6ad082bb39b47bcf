// The evaluator on hand-written modules with known answers (test/unit/fixtures/hcl/*).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  Reference, Unknown, decodeJson, isUnknown, loadModule, parseHcl, type Attribute, type SourceFile, type Value,
} from '../../server/src/parsers/hcl/index';
import { repoRoot } from './hcl-helpers';

const fixtures = path.join(repoRoot, 'test/unit/fixtures/hcl');

/** The files of one fixture folder (not its sub-folders), with forward-slash paths. */
function folder(rel: string): SourceFile[] {
  const dir = path.join(fixtures, rel);
  return fs.readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => ({ path: `${rel}/${e.name}`, text: fs.readFileSync(path.join(dir, e.name), 'utf8') }));
}

/** Known values as plain JSON; unknowns as { unknown } / { reference }. */
function plain(value: Value): unknown {
  return JSON.parse(JSON.stringify(value));
}

test('variables: defaults, overridden by terraform.tfvars(.json) then *.auto.tfvars in lexical order', () => {
  const m = loadModule(folder('basic'));
  assert.equal(m.variable('env'), 'auto-b');
  assert.equal(m.variable('from_json'), 'tfvars-json');
  assert.equal(m.variable('region'), 'eu-west-1');
  assert.ok(isUnknown(m.variable('no_default')));
  assert.deepEqual(m.variable('ports'), [22, 443, 80]);
});

test('locals, templates, operators, conditionals, for-expressions and functions', () => {
  const m = loadModule(folder('basic'));
  const expected: Record<string, unknown> = {
    name: 'app-auto-b',
    upper_name: 'APP-AUTO-B',
    full: 'APP-AUTO-B/eu-west-1',
    is_prod: false,
    replicas: 3,
    subnets: ['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24'],
    port_map: { '22': false, '443': true, '80': false },
    big_ports: [443],
    joined: '22,443,80',
    merged: { a: 1, b: 3 },
    looked_up: 'none',
    tried: 'fallback',
    could: false,
    coalesced: 'x',
    formatted: 'auto-b-007',
    decoded: { a: [1, 2] },
    encoded: '{"a":[true],"b":1}',
    splitted: ['a', 'b', 'c'],
    grouped: { a: ['aa', 'ab'], b: ['b'] },
    heredoc: 'hello auto-b\n  indented\n',
    directive: '22;443;80;',
    nulls: null,
    falsy: false,
    legacy: 443,
    splat: [1, 2],
    length: 3,
    flattened: [1, 2, 3],
    distincted: [1, 2],
    sets: ['a', 'b'],
    ctx: true,
    keys: ['y', 'z'],
    zip: { a: 1, b: 2 },
    element: 'b',
    startswith: true,
    replaced: 'a_b_c',
    minmax: [1, 443],
    strip: 'abc',
    escaped: '${not} %{not}',
  };
  for (const [name, value] of Object.entries(expected)) assert.deepEqual(plain(m.local(name)), value, `local.${name}`);
  assert.equal(m.output('full'), 'APP-AUTO-B/eu-west-1');
});

test('unknown is explicit and distinct from null and false', () => {
  const m = loadModule(folder('basic'));
  assert.ok(m.local('missing') instanceof Unknown);
  assert.ok(m.local('unknown_sum') instanceof Unknown);
  assert.equal(m.local('nulls'), null);
  assert.equal(m.local('falsy'), false);
});

test('local cycles are detected: unknown plus a diagnostic', () => {
  const m = loadModule(folder('basic'));
  assert.ok(isUnknown(m.local('cycle_a')));
  assert.ok(isUnknown(m.local('cycle_b')));
  assert.ok(m.diagnostics.some((d) => /cycle/.test(d.message) && d.path.endsWith('main.tf')));
});

test('resource references resolve to the referenced block', () => {
  const m = loadModule(folder('s3'));
  const bucket = m.resource('aws_s3_bucket.logs')!;
  const pab = m.resource('aws_s3_bucket_public_access_block.logs')!;
  const ref = m.attribute(pab, 'bucket');
  assert.ok(ref instanceof Reference);
  assert.equal(ref.target, bucket);
  assert.equal(ref.attribute, 'id');
  assert.equal(m.attribute(pab, 'block_public_acls'), true);
  assert.equal(m.attribute(pab, 'block_public_policy'), false);
  assert.ok(isUnknown(m.attribute(pab, 'restrict_public_buckets')!), 'depends on a data source');
  assert.equal(m.attribute(pab, 'missing'), undefined);
  // The configured value behind a reference, when the configuration sets it.
  const policy = m.resource('aws_s3_bucket_policy.logs')!;
  assert.equal(m.resolve(m.attribute(policy, 'bucket') as Reference), 'logs-prod');
  assert.deepEqual(m.referrers(bucket).map((r) => r.resource.address).sort(), [
    'aws_iam_policy.heredoc', 'aws_s3_bucket_policy.logs', 'aws_s3_bucket_public_access_block.logs',
  ]);
  assert.deepEqual(m.referrers(bucket, 'aws_s3_bucket_public_access_block').map((r) => r.attribute), ['bucket']);
});

test('jsonencode({...}) and heredoc JSON policies decode into readable values', () => {
  const m = loadModule(folder('s3'));
  const encoded = m.attribute(m.resource('aws_s3_bucket_policy.logs')!, 'policy')!;
  assert.ok(isUnknown(encoded), 'contains an ARN known only at apply time');
  const doc = decodeJson(encoded) as Record<string, Value>;
  const statement = (doc.Statement as Record<string, Value>[])[0];
  assert.equal(statement.Effect, 'Allow');
  assert.equal(statement.Principal, '*');
  assert.deepEqual(statement.Action, ['s3:GetObject']);
  assert.ok(statement.Resource instanceof Unknown);
  assert.equal((statement.Resource as Unknown).refs[0].target.address, 'aws_s3_bucket.logs');

  const heredoc = decodeJson(m.attribute(m.resource('aws_iam_policy.heredoc')!, 'policy')!) as Record<string, Value>;
  const s2 = (heredoc.Statement as Record<string, Value>[])[0];
  assert.equal(s2.Action, '*');
  assert.ok(s2.Resource instanceof Reference);
  assert.equal((s2.Resource as Reference).attribute, 'arn');
});

test('dynamic blocks become the blocks they generate; count and for_each with an unknown index', () => {
  const m = loadModule(folder('s3'));
  const sg = m.resource('aws_security_group.web')!;
  assert.equal(sg.repetition, 'count');
  const body = m.body(sg);
  const ingress = body.blocks.filter((b) => b.type === 'ingress');
  assert.deepEqual(ingress.map((b) => b.body.attributes.get('from_port')?.value), [22, 443]);
  assert.deepEqual(ingress[0].body.attributes.get('cidr_blocks')?.value, ['0.0.0.0/0']);
  assert.equal(ingress[0].dynamic?.type, 'dynamic');
  const egress = body.blocks.filter((b) => b.type === 'egress');
  assert.equal(egress.length, 1, 'unknown for_each: one block with an unknown iterator');
  assert.ok(isUnknown(egress[0].body.attributes.get('from_port')!.value));
  assert.equal(egress[0].body.attributes.get('to_port')?.value, 0);
  assert.ok(isUnknown(body.attributes.get('name')!.value), 'count.index is unknown');
  const instance = m.resource('aws_instance.web')!;
  const ids = m.attribute(instance, 'vpc_security_group_ids') as Value[];
  assert.ok(ids[0] instanceof Reference && ids[0].target === sg && ids[0].attribute === 'id');
  const splat = m.attribute(instance, 'subnet');
  assert.ok(splat instanceof Reference && splat.target === sg);
});

test('local modules are parsed as their own modules with the caller\'s arguments', () => {
  const root = folder('nested');
  const m = loadModule(root, { dir: 'nested', folders: { 'nested/modules/bucket': folder('nested/modules/bucket') } });
  const call = m.moduleCalls.find((c) => c.name === 'bucket')!;
  assert.equal(call.local, true);
  const child = m.module(call)!;
  assert.ok(child);
  const bucket = child.resource('aws_s3_bucket.this')!;
  assert.equal(child.attribute(bucket, 'bucket'), 'from-root-bucket');
  assert.equal(child.attribute(bucket, 'acl'), 'public-read');
  const name = m.local('bucket_name');
  assert.ok(name instanceof Reference, 'the output is the child bucket\'s name attribute');
  assert.equal(name.target, bucket);
  assert.equal(m.resolve(name), 'from-root-bucket', 'resolved in the child module, with the caller\'s arguments');
  assert.ok(isUnknown(m.local('remote_id')), 'remote module outputs are unknown');
  const remote = m.moduleCalls.find((c) => c.name === 'remote')!;
  assert.equal(m.module(remote), undefined);
  // Loaded alone, the child module uses its defaults.
  const alone = loadModule(folder('nested/modules/bucket'));
  assert.equal(alone.attribute(alone.resource('aws_s3_bucket.this')!, 'acl'), 'private');
});

test('a module calling itself stops at the depth limit', () => {
  const files = [{ path: 'loop/main.tf', text: 'module "self" {\n  source = "./"\n}\nlocals {\n  x = module.self.y\n}\noutput "y" {\n  value = local.x\n}\n' }];
  const m = loadModule(files, { loadFolder: () => files });
  assert.ok(isUnknown(m.local('x')));
});

test('JSON syntax modules evaluate like native ones', () => {
  const m = loadModule([
    { path: 'j/main.tf.json', text: '{"variable": {"n": {"default": "x"}}, "resource": {"aws_s3_bucket": {"b": {"bucket": "${var.n}-y", "versioning": {"enabled": true}}}}}' },
  ]);
  const b = m.resource('aws_s3_bucket.b')!;
  assert.equal(m.attribute(b, 'bucket'), 'x-y');
  assert.equal(m.attribute(b, 'versioning.enabled'), true);
});

test('expression evaluation never throws, whatever the input', () => {
  const texts = [
    'a = 1 / 0', 'a = [1][5]', 'a = {}.x', 'a = nope', 'a = var.undeclared', 'a = upper(1, 2, 3)', 'a = "x${null}"',
    'a = [for x in 1 : x]', 'a = { for x in [1, 1] : x => x }', 'a = range(1e9)', 'a = jsondecode("{")', 'a = cidrsubnet("x", 1, 1)',
    'a = ' + '1 + '.repeat(50_000) + '1', 'a = x' + '[0]'.repeat(50_000), 'a = timestamp()', 'a = provider::aws::f(1)', 'a = -"x"',
    'a = local', 'a = aws_s3_bucket', 'a = data.x', 'a = element([], 0)', 'a = format("%d")',
  ];
  for (const text of texts) {
    const m = loadModule([{ path: 'f/main.tf', text: `locals {\n${text}\n}\n` }]);
    const value = m.local('a');
    assert.ok(isUnknown(value), `${text.slice(0, 40)} -> ${JSON.stringify(value)}`);
  }
  const sum = loadModule([{ path: 'f/main.tf', text: 'locals {\n a = ' + '1 + '.repeat(1000) + '1\n}\n' }]);
  assert.equal(sum.local('a'), 1001);
});

test('the model attribute still points at the source text of a value', () => {
  const text = 'resource "aws_security_group_rule" "r" {\n  cidr_blocks = ["0.0.0.0/0"]\n}\n';
  const m = loadModule([{ path: 'r/main.tf', text }]);
  const attr = m.body(m.resources[0]).attributes.get('cidr_blocks')!;
  const a: Attribute = attr.attribute;
  assert.equal(text.slice(a.valueSpan.start, a.valueSpan.end), '["0.0.0.0/0"]');
  assert.deepEqual(parseHcl(text).errors, []);
});

test('variable type constraints convert values and fill optional attributes', () => {
  const m = loadModule(folder('types'), { dir: 'types', folders: { 'types/child': folder('types/child') } });
  assert.equal(m.local('first_size'), 3);
  assert.equal(m.local('second_size'), 5);
  assert.equal(m.local('public'), null);
  assert.deepEqual(plain(m.local('labels')), {});
  assert.equal(m.local('port_plus'), 8081);
  assert.deepEqual(plain(m.local('whole')), { out: 'from-child' });
  assert.equal(m.local('one_instance'), 'from-child');
});

test('meta-arguments are not evaluated; count = 0 means not created', () => {
  const m = loadModule(folder('types'), { dir: 'types' });
  const db = m.resource('aws_db_instance.db')!;
  assert.equal(m.enabled(db), false);
  assert.equal(m.enabled(m.resource('aws_instance.each')!), true);
  const body = m.body(db);
  assert.equal(body.attributes.get('publicly_accessible')?.value, true);
  assert.ok(isUnknown(body.attributes.get('provider')!.value));
  assert.ok(isUnknown(body.blocks[0].body.attributes.get('ignore_changes')!.value));
  assert.ok(isUnknown(m.attribute(m.resource('aws_instance.each')!, 'ami')!));
  assert.deepEqual(m.diagnostics, []);
});

test('more functions: regex, sets, sensitive, chunklist, indent; heredoc directives with strip markers', () => {
  const text = [
    'locals {',
    '  a = regex("^(\\\\d+)-(\\\\w+)$", "12-ab")',
    '  b = regex("(?P<k>\\\\w+)=(?P<v>\\\\w+)", "x=y")',
    '  c = setunion(["a"], ["b", "a"])',
    '  d = sensitive("pw")',
    '  e = chunklist([1, 2, 3], 2)',
    '  f = can(regex("^z", "abc"))',
    '  g = <<-EOT',
    '    %{~ for p in [1, 2] ~}',
    '    port ${p}',
    '    %{~ endfor ~}',
    '  EOT',
    '  h = file("x.json")',
    '}',
  ].join('\n');
  const m = loadModule([{ path: 'x/main.tf', text }]);
  assert.deepEqual(plain(m.local('a')), ['12', 'ab']);
  assert.deepEqual(plain(m.local('b')), { k: 'x', v: 'y' });
  assert.deepEqual(m.local('c'), ['a', 'b']);
  assert.equal(m.local('d'), 'pw');
  assert.deepEqual(m.local('e'), [[1, 2], [3]]);
  assert.equal(m.local('f'), false);
  assert.equal(m.local('g'), 'port 1port 2');
  assert.ok(isUnknown(m.local('h')), 'file() reads the disk: not evaluated');
});
