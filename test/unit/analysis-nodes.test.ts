// Analysis.nodes: the nodes a rule visits, in file order, merged once per set of targets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Analysis } from '../../server/src/engine/analysis';

const text = 'FROM alpine:3.20\nRUN a\nONBUILD RUN b\nRUN c\nEXPOSE 80\n';

test('several targets: their nodes in file order, the same list for the same targets in any order', () => {
  const analysis = new Analysis({ path: 'Dockerfile', text });
  const merged = analysis.nodes(['RUN', 'ONBUILD'])!;
  assert.deepEqual(merged.map((n) => (n as { keyword: string }).keyword), ['RUN', 'ONBUILD', 'RUN']);
  assert.equal(analysis.nodes(['ONBUILD', 'RUN']), merged);
});

test('targets that are absent add nothing; none present gives an empty list; no targets, undefined', () => {
  const analysis = new Analysis({ path: 'Dockerfile', text });
  assert.deepEqual(analysis.nodes(['EXPOSE', 'HEALTHCHECK'])!.map((n) => (n as { keyword: string }).keyword), ['EXPOSE']);
  assert.deepEqual(analysis.nodes(['HEALTHCHECK', 'USER']), []);
  assert.equal(analysis.nodes([]), undefined);
  assert.equal(analysis.nodes(undefined), undefined);
});

test('a node listed under two targets is visited once', () => {
  const analysis = new Analysis({ path: 'main.tf', text: 'resource "aws_s3_bucket" "a" {}\nprovider "aws" {}\nresource "aws_iam_role" "r" {}\n' });
  const nodes = analysis.nodes(['resource', 'resource.aws_s3_bucket', 'provider'])!;
  assert.deepEqual(nodes.map((n) => (n as { type: string }).type), ['resource', 'provider', 'resource']);
});
