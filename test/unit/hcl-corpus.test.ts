// The KICS Terraform corpus (test/corpus/kics/terraform) parses without errors, and every block's
// and attribute's range holds text that parses back to the same node. Each test fails when the
// corpus is missing or incomplete.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadModule, parseHcl, type Body, type BodyItem } from '../../server/src/parsers/hcl/index';
import { kicsTerraform, kicsTerraformFiles, withoutSpans } from './hcl-helpers';

const files = () => kicsTerraformFiles(true);
/** Blocks and attributes, at any depth, in the corpus files: what the round-trip test re-parses. */
const CHECKED_NODES = 26_587;

test('the KICS Terraform corpus is present: 1,612 .tf samples and one terraform.tfvars', () => {
  assert.equal(files().length, 1613);
  assert.deepEqual(
    files().filter((f) => f.endsWith('.tfvars')).map((f) => path.relative(kicsTerraform, f).split(path.sep).join('/')),
    ['aws/ec2_instance_using_api_keys/terraform.tfvars'],
  );
});

test('every corpus file parses without errors', () => {
  const failures: string[] = [];
  for (const file of files()) {
    const text = fs.readFileSync(file, 'utf8');
    const { errors } = parseHcl(text);
    if (errors.length) failures.push(`${path.relative(kicsTerraform, file)}: ${errors[0].message}`);
  }
  assert.deepEqual(failures, []);
});

function* items(body: Body): Generator<BodyItem> {
  for (const item of body.items) {
    yield item;
    if (item.kind === 'block') yield* items(item.body);
  }
}

test('round trip: the text under each block and attribute re-parses to the same node', () => {
  let checked = 0;
  const failures: string[] = [];
  for (const file of files()) {
    const text = fs.readFileSync(file, 'utf8');
    const { model } = parseHcl(text);
    for (const item of items(model.body)) {
      const again = parseHcl(text.slice(item.span.start, item.span.end));
      checked++;
      const same =
        again.errors.length === 0 &&
        again.model.body.items.length === 1 &&
        JSON.stringify(withoutSpans(again.model.body.items[0])) === JSON.stringify(withoutSpans(item));
      if (!same && failures.length < 10) failures.push(`${path.relative(kicsTerraform, file)} @${item.span.start}`);
    }
  }
  assert.deepEqual(failures, []);
  assert.equal(checked, CHECKED_NODES, 'blocks and attributes in the corpus');
});

test('round trip keeps absolute ranges: a node re-parsed at its offset has the same spans', () => {
  for (const file of files().slice(0, 200)) {
    const text = fs.readFileSync(file, 'utf8');
    const { model } = parseHcl(text);
    for (const item of model.body.items) {
      const padded = ' '.repeat(item.span.start) + text.slice(item.span.start, item.span.end);
      const again = parseHcl(padded).model.body.items[0];
      assert.deepEqual(again, item, `${file} @${item.span.start}`);
    }
  }
});

test('every corpus file evaluates as a module without internal errors', () => {
  const internal: string[] = [];
  for (const file of files()) {
    const module = loadModule([{ path: 'sample/main.tf', text: fs.readFileSync(file, 'utf8') }]);
    for (const resource of module.resources) module.body(resource);
    for (const name of module.locals.keys()) module.local(name);
    for (const name of module.outputs.keys()) module.output(name);
    for (const d of module.diagnostics) if (d.message.startsWith('Internal')) internal.push(`${file}: ${d.message}`);
  }
  assert.deepEqual(internal, []);
});
