// Variables as the rules read them: EXPANSIONS (what Docker expands in EXPOSE, COPY, WORKDIR…) and
// RUN_VALUES (what the shell of a RUN gets from ARG and ENV). ENV and ARG values are themselves
// expanded, in the order Docker reads them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Analysis } from '../../server/src/engine/analysis';
import type { DockerfileModel } from '../../rules/_api';
import { EXPANSIONS, expandedWord } from '../../rules/_helpers/docker-instruction';
import { RUN_STEPS, RUN_VALUES } from '../../rules/_helpers/docker-shell';

/** Each expanded argument of the instructions Docker expands: [raw, value or null]. */
function expansions(text: string) {
  const analysis = new Analysis({ path: 'Dockerfile', text });
  return [...analysis.index(EXPANSIONS)].map(([word, value]) => [word.value, value ?? null]);
}

/** Each RUN word with a `$`: [raw, value or null]. */
function runValues(text: string) {
  const analysis = new Analysis({ path: 'Dockerfile', text });
  const values = analysis.index(RUN_VALUES);
  return analysis
    .index(RUN_STEPS)
    .flatMap((step) => step.commands.flatMap((c) => c.words))
    .filter((w) => values.has(w))
    .map((w) => [w.value, values.get(w) ?? null]);
}

test('ENV from ARG, and from an earlier ENV (review: EXPOSE $PORT set through ARG and ENV)', () => {
  assert.deepEqual(expansions('FROM python:3.13-slim\nARG APP_PORT=8080\nENV PORT=$APP_PORT\nEXPOSE $PORT\n'), [
    ['PORT=$APP_PORT', 'PORT=8080'],
    ['$PORT', '8080'],
  ]);
  assert.deepEqual(expansions('FROM x\nARG PORT=8080\nENV PORT=${PORT}\nENV OTHER=${PORT}0\nEXPOSE $OTHER\n'), [
    ['PORT=${PORT}', 'PORT=8080'],
    ['OTHER=${PORT}0', 'OTHER=80800'],
    ['$OTHER', '80800'],
  ]);
});

test('one ENV reads the values in force before it; an unknown ARG stays unknown downstream', () => {
  assert.deepEqual(expansions('FROM x\nENV A=1\nENV A=2 B=$A\nEXPOSE $B\n'), [
    ['B=$A', 'B=1'],
    ['$B', '1'],
  ]);
  assert.deepEqual(expansions('FROM x\nARG P\nENV PORT=$P\nEXPOSE $PORT\n'), [
    ['PORT=$P', null],
    ['$PORT', null],
  ]);
});

test('global ARG defaults, expanded in order; a stage inherits ENV through FROM <stage>, not ARG', () => {
  assert.deepEqual(
    expansions('ARG USER=app\nARG HOME=/home/${USER}\nFROM x AS a\nARG HOME\nENV H=$HOME\nARG LOCAL=1\nFROM a\nWORKDIR $H\nEXPOSE $LOCAL\n'),
    [
      ['H=$HOME', 'H=/home/app'],
      ['$H', '/home/app'],
      ['$LOCAL', null],
    ],
  );
});

test('RUN words get ARG and ENV values; not in single quotes, not when the script sets the name, not in exec form', () => {
  const text = [
    'FROM debian:12',
    'ARG DEB_SITE="http://mirror.example.org/debian"',
    'ENV TOOL=tool',
    `RUN wget -q \${DEB_SITE}/pool/\${TOOL}.deb && echo '$DEB_SITE' && TOOL=x && echo $TOOL $UNSET`,
    'RUN ["echo", "$TOOL"]',
    'RUN for DEB_SITE in a b; do echo $DEB_SITE; done',
  ].join('\n');
  assert.deepEqual(runValues(text), [
    ['${DEB_SITE}/pool/${TOOL}.deb', null],
    ['$TOOL', null],
    ['$UNSET', null],
    ['$DEB_SITE', null],
  ]);
  // Without the script's own TOOL=x, the ENV value is used.
  assert.deepEqual(runValues('FROM debian:12\nARG DEB_SITE=http://mirror.example.org/debian\nENV TOOL=tool\nRUN wget -q ${DEB_SITE}/pool/${TOOL}.deb\n'), [
    ['${DEB_SITE}/pool/${TOOL}.deb', 'http://mirror.example.org/debian/pool/tool.deb'],
  ]);
});

test('where a variable is not known, expandedWord still says what the file does: a URL stays a URL', () => {
  const text = 'FROM x\nARG VERSION\nENV URL=https://example.org/tool-${VERSION}.tgz\nADD $URL /opt/\nARG P\nEXPOSE ${P:-8080} ${Q:-9090}\n';
  const analysis = new Analysis({ path: 'Dockerfile', text });
  const words = (analysis.model as DockerfileModel).instructions.flatMap((i) => i.args);
  const source = { model: analysis.model, text, index: analysis.index.bind(analysis) } as unknown as Parameters<typeof expandedWord>[0];
  const at = (raw: string) => expandedWord(source, words.find((w) => w.value === raw)!);
  assert.deepEqual(at('$URL'), { value: 'https://example.org/tool-${VERSION}.tgz', known: false });
  // `${P:-8080}`: P is declared without a value, so the default may or may not apply; Q is not set at all.
  assert.deepEqual(at('${P:-8080}'), { value: '${P:-8080}', known: false });
  assert.deepEqual(at('${Q:-9090}'), { value: '9090', known: true });
});
