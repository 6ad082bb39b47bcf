// What of each stage reaches an image (rules/_helpers/docker-ship.ts, SHIPPING): the final stage and
// the stages it is built on ship whole, a stage only copied from ships the paths copied out of it,
// and the WORKDIR in force places relative destinations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Analysis } from '../../server/src/engine/analysis';
import { covers, SHIPPING, type Shipping } from '../../rules/_helpers/docker-ship';
import type { Stage } from '../../rules/_api';

function shipping(text: string): { shipping: Shipping; stages: Stage[] } {
  const analysis = new Analysis({ path: 'Dockerfile', text });
  return { shipping: analysis.index(SHIPPING), stages: (analysis.model as { stages: Stage[] }).stages };
}

function outputs(text: string) {
  const { shipping: s, stages } = shipping(text);
  return stages.map((stage) => {
    const out = s.output(stage);
    return out.whole ? 'whole' : `${out.copied.join(' ')}${out.throughChildren ? ' (children)' : ''}`;
  });
}

test('the final stage ships whole; a builder ships what is copied out of it', () => {
  assert.deepEqual(outputs('FROM golang:1.25 AS build\nRUN go build -o /out/app .\nFROM scratch\nCOPY --from=build /out/app /app\n'), ['/out/app', 'whole']);
  assert.deepEqual(outputs('FROM node:22 AS build\nFROM nginx:1.29\nCOPY --from=build ./src/dist/ /usr/share/nginx/html\nCOPY --from=0 /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\n'), [
    '/src/dist /etc/ssl/certs/ca-certificates.crt',
    'whole',
  ]);
});

test('a stage another ships is built on ships whole; one a builder is built on ships what is copied out of the builder', () => {
  assert.deepEqual(outputs('FROM debian:12 AS base\nFROM base AS build\nFROM base\nCOPY --from=build /out /out\n'), ['whole', '/out', 'whole']);
  assert.deepEqual(outputs('FROM debian:12 AS base\nFROM base AS build\nFROM scratch\nCOPY --from=build /out /out\n'), ['/out (children)', '/out', 'whole']);
});

test('unused stages are likely --target builds; a mounted stage, `.` and a variable path ship whole', () => {
  assert.deepEqual(outputs('FROM debian:12 AS dev\nFROM debian:12 AS prod\n'), ['whole', 'whole']);
  assert.deepEqual(outputs('FROM debian:12 AS a\nFROM debian:12 AS b\nFROM debian:12 AS c\nFROM scratch\nRUN --mount=from=a,target=/a cp /a/x /x\nCOPY --from=b . /b\nCOPY --from=c $DIR /c\n'), ['whole', 'whole', 'whole', 'whole']);
});

test('paths copied out of a stage, globs included, and the paths they take along', () => {
  assert.equal(covers('/', '/var/lib/apt/lists'), true);
  assert.equal(covers('/var/lib', '/var/lib/apt/lists'), true);
  assert.equal(covers('/var/lib/apt/lists/partial', '/var/lib/apt/lists'), false);
  assert.equal(covers('/var/li', '/var/lib/apt/lists'), false);
  assert.equal(covers('/home/app', '/home/*/.cache/pip'), true);
  assert.equal(covers('/out/*', '/out/bin/app'), true);
  assert.equal(covers('/out/*.so', '/out/bin/app'), false);
});

test('why a stage does not ship, for messages', () => {
  const { shipping: s, stages } = shipping('FROM debian:12 AS build\nFROM scratch\nCOPY --from=build /a /b /c /d /e /x/\nCOPY --from=build /out/app /app\n');
  assert.equal(s.why(stages[0]), 'this stage does not ship: only /a, /b, /c and 3 more are copied out of it');
  const single = shipping('FROM debian:12 AS build\nFROM scratch\nCOPY --from=build /out/app /app\n');
  assert.equal(single.shipping.why(single.stages[0]), 'this stage does not ship: only /out/app is copied out of it');
});

test('WORKDIR: absolute, relative to the one before, inherited through FROM <stage>, unknown on a registry image until set', () => {
  const text = 'FROM debian:12 AS a\nCOPY x y\nWORKDIR /src\nWORKDIR app\nCOPY . .\nFROM a\nCOPY . sub/\nFROM scratch\nCOPY x y\n';
  const { shipping: s, stages } = shipping(text);
  const copies = stages.flatMap((stage) => stage.instructions.filter((i) => i.keyword === 'COPY').map((i) => s.resolve(stage, i.span.start, i.args.at(-1)!.value) ?? null));
  assert.deepEqual(copies, [null, '/src/app', '/src/app/sub', '/y']);
});
