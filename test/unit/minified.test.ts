// looksMinified: a file is skipped as minified by the length of its lines, whatever its size.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { looksMinified } from '../../server/src/engine/engine';

test('a long file of short lines is not minified, however long', () => {
  const text = 'RUN echo hello world\n'.repeat(50_000); // about 1 MB
  assert.equal(looksMinified('Dockerfile', text), false);
});

test('a file of a few enormous lines is minified', () => {
  const line = `var x = ${'1+'.repeat(5_000)}1;`;
  assert.equal(looksMinified('bundle.js', `${line}\n${line}\n${line}\n${line}\n${line}\n`), true);
  assert.equal(looksMinified('Dockerfile', `RUN ${'a && '.repeat(30_000)}true\n`), true);
});

test('names that say so are minified, small ones are not', () => {
  assert.equal(looksMinified('app.min.js', 'x'), true);
  assert.equal(looksMinified('Dockerfile', 'FROM alpine\n'), false);
});
