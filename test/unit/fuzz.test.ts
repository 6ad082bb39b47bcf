// A short run of `npm run fuzz` (scripts/fuzz.ts): seeded mutations of every format's samples
// through the parser, every rule and every fix. Parsers must never throw nor fail internally;
// rules must never throw; fixes must keep their edits apart and the text parsing. Any crash fails
// the test, and names the seed and index that replay it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkInput, FORMATS, fuzzEngine, loadSamples, mutate, runFuzz, type Crash } from '../../scripts/fuzz';

const SEED = 20260101;
const PER_FORMAT = 500;

function describeCrash(crash: Crash): string {
  return `${crash.kind} ${crash.format}: ${crash.detail.split('\n')[0]}\n  replay: npm run fuzz -- --seed ${crash.seed} --format ${crash.format} --replay ${crash.index}`;
}

test(`fuzz: ${PER_FORMAT} mutated inputs per format through parsers, rules and fixes`, () => {
  const samples = loadSamples();
  for (const format of FORMATS) assert.ok(samples[format].length > 0, `samples for ${format}`);
  const report = runFuzz({ count: PER_FORMAT, seed: SEED, samples });
  for (const format of FORMATS) assert.equal(report.inputs[format], PER_FORMAT);
  assert.deepEqual(report.crashes.map(describeCrash), []);
});

test('fuzz: inputs that once crashed a parser stay fixed', () => {
  const samples = loadSamples();
  const engine = fuzzEngine();
  // HCL: a heredoc opener `<<` at the very end of the text read past it (Invalid code point NaN).
  const regressions: [typeof FORMATS[number], number, number][] = [['hcl', 7, 9665]];
  for (const [format, seed, index] of regressions) {
    const input = mutate(samples, format, seed, index);
    assert.deepEqual(checkInput(engine, format, input.text).filter((p) => p.kind.startsWith('parser')), [], `${format} seed ${seed} index ${index}`);
  }
  for (const text of ['a = <<', 'a = <<-', 'x = 1\nb = <', '<<']) {
    assert.deepEqual(checkInput(engine, 'hcl', text).filter((p) => p.kind.startsWith('parser')), [], JSON.stringify(text));
  }
});

test('fuzz: the same seed and index give the same input', () => {
  const samples = loadSamples();
  for (const format of FORMATS) {
    assert.equal(mutate(samples, format, 3, 41).text, mutate(samples, format, 3, 41).text);
  }
  assert.notEqual(mutate(samples, 'dockerfile', 3, 41).text, mutate(samples, 'dockerfile', 3, 42).text);
});
