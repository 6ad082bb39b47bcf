import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Span } from '../../server/src/engine/api';
import { parseDockerfile, type DockerfileModel, type Instruction } from '../../server/src/parsers/dockerfile';
import { prng } from '../../scripts/prng';
import { KICS_SAMPLE_COUNTS, kicsFiles, kicsRoot } from '../corpus/kics';

const KICS = path.join(kicsRoot, 'dockerfile');

function at(text: string, span: Span | undefined): string | undefined {
  return span && text.slice(span.start, span.end);
}

function parse(text: string) {
  const { model, errors } = parseDockerfile(text);
  return { model, errors, messages: errors.map((e) => e.message), errorTexts: errors.map((e) => at(text, e.span)) };
}

function only(text: string): Instruction {
  const { model } = parseDockerfile(text);
  assert.equal(model.instructions.length, 1, `one instruction in ${JSON.stringify(text)}`);
  return model.instructions[0];
}

/** Every span anywhere in the model, with a path for messages. */
function* spans(value: unknown, where = 'model'): Generator<[string, Span]> {
  if (value === null || typeof value !== 'object') return;
  if (value instanceof Map) return;
  const o = value as Record<string, unknown>;
  if (typeof o.start === 'number' && typeof o.end === 'number' && Object.keys(o).length === 2) {
    yield [where, o as unknown as Span];
    return;
  }
  for (const [key, child] of Object.entries(o)) {
    if (key === 'from' && where.includes('stages')) continue; // the same FROM instruction again
    yield* spans(child, `${where}.${key}`);
  }
}

function assertSpansInRange(text: string, model: DockerfileModel, errors: { span: Span }[], label: string): void {
  for (const [where, span] of spans({ model, errors })) {
    if (!(span.start >= 0 && span.start <= span.end && span.end <= text.length)) {
      assert.fail(`${label}: ${where} = ${JSON.stringify(span)} outside [0, ${text.length}]`);
    }
  }
}

const BEFORE_FROM = /before the first FROM/;

// ---- a table of tricky snippets -----------------------------------------------------------------

interface Case {
  name: string;
  text: string;
  check(text: string, model: DockerfileModel, errors: string[]): void;
}

const CASES: Case[] = [
  {
    name: 'lower-case keyword, tabs, trailing blanks',
    text: 'from\talpine:3.20 \t\nrun\techo  hi  ',
    check(text, model, errors) {
      assert.deepEqual(errors, []);
      const [from, run] = model.instructions;
      assert.equal(from.keyword, 'FROM');
      assert.equal(at(text, from.keywordSpan), 'from');
      assert.equal(at(text, from.span), 'from\talpine:3.20');
      assert.equal(at(text, from.argsSpan), 'alpine:3.20');
      assert.equal(run.argsText, 'echo  hi');
      assert.deepEqual(run.commands[0].words.map((w) => at(text, w.span)), ['echo', 'hi']);
    },
  },
  {
    name: 'continuation with trailing blanks after the backslash, comment and blank line inside',
    text: 'RUN apt-get update \\  \n  # a comment\n\n  && apt-get install -y \\\t\n      curl\nUSER app',
    check(text, model, errors) {
      assert.deepEqual(errors, []);
      const run = model.instructions[0];
      assert.equal(run.argsText, 'apt-get update   && apt-get install -y       curl');
      assert.equal(at(text, run.span), text.slice(0, text.indexOf('\nUSER')));
      assert.equal(at(text, run.argsSpan), text.slice(4, text.indexOf('\nUSER')));
      assert.deepEqual(model.comments.map((c) => [c.text, at(text, c.span)]), [['a comment', '# a comment']]);
      assert.deepEqual(
        run.commands.map((c) => c.words.map((w) => at(text, w.span))),
        [['apt-get', 'update'], ['apt-get', 'install', '-y', 'curl']],
      );
      assert.equal(run.commands[0].next, '&&');
      assert.deepEqual(run.args.map((w) => w.value), ['apt-get', 'update', '&&', 'apt-get', 'install', '-y', 'curl']);
      assert.equal(model.instructions[1].keyword, 'USER');
    },
  },
  {
    name: 'a word split across a continuation keeps one span over both lines',
    text: 'RUN echo ab\\\ncd',
    check(text, model) {
      const word = model.instructions[0].commands[0].words[1];
      assert.equal(word.value, 'abcd');
      assert.equal(at(text, word.span), 'ab\\\ncd');
    },
  },
  {
    name: 'flags with and without values, quoted value, `--` ends flags',
    text: 'COPY --from=build --chown="app:app" --link --chmod=0755 src/ /app/',
    check(text, model, errors) {
      assert.deepEqual(errors, []);
      const copy = model.instructions[0];
      assert.deepEqual(
        copy.flags.map((f) => [f.name, f.value, at(text, f.span), at(text, f.nameSpan), at(text, f.valueSpan)]),
        [
          ['from', 'build', '--from=build', 'from', 'build'],
          ['chown', 'app:app', '--chown="app:app"', 'chown', '"app:app"'],
          ['link', undefined, '--link', 'link', undefined],
          ['chmod', '0755', '--chmod=0755', 'chmod', '0755'],
        ],
      );
      assert.equal(copy.argsText, 'src/ /app/');
      assert.equal(at(text, copy.argsSpan), 'src/ /app/');
    },
  },
  {
    name: 'RUN --mount and --network flags before the command',
    text: 'RUN --mount=type=cache,target=/root/.cache --network=none pip install -r req.txt',
    check(text, model) {
      const run = model.instructions[0];
      assert.deepEqual(run.flags.map((f) => [f.name, f.value]), [['mount', 'type=cache,target=/root/.cache'], ['network', 'none']]);
      assert.deepEqual(run.commands[0].words.map((w) => w.value), ['pip', 'install', '-r', 'req.txt']);
    },
  },
  {
    name: 'JSON form: the strings with the spans of their literals, escapes decoded',
    text: 'ENTRYPOINT [ "/bin/tini", "--", "a\\"b\\u0041" ]',
    check(text, model, errors) {
      assert.deepEqual(errors, []);
      const i = model.instructions[0];
      assert.equal(i.jsonForm, true);
      assert.deepEqual(i.args.map((w) => [w.value, at(text, w.span)]), [
        ['/bin/tini', '"/bin/tini"'],
        ['--', '"--"'],
        ['a"bA', '"a\\"b\\u0041"'],
      ]);
      assert.deepEqual(i.commands, []);
    },
  },
  {
    name: 'invalid JSON falls back to shell form with an error',
    text: "CMD ['node', 'app.js']",
    check(text, model, errors) {
      const i = model.instructions[0];
      assert.equal(i.jsonForm, false);
      assert.equal(errors.length, 1);
      assert.match(errors[0], /JSON/);
      assert.deepEqual(i.args.map((w) => w.value), ['[node,', 'app.js]']);
      assert.deepEqual(i.commands[0].words.map((w) => w.value), ['[node,', 'app.js]']);
    },
  },
  {
    name: 'the shell test command `[` is not mistaken for JSON',
    text: 'RUN [ -d /x ] || mkdir /x\nRUN [ "$A" = "b" ] && echo ok',
    check(text, model, errors) {
      assert.deepEqual(errors, []);
      assert.equal(model.instructions[0].jsonForm, false);
      assert.deepEqual(model.instructions[1].commands[0].words.map((w) => w.value), ['[', '$A', '=', 'b', ']']);
    },
  },
  {
    name: 'unterminated JSON array',
    text: 'CMD ["a",',
    check(text, model, errors) {
      assert.equal(model.instructions[0].jsonForm, false);
      assert.equal(errors.length, 1);
    },
  },
  {
    name: 'ENV and LABEL pairs, legacy ENV, quotes and escapes',
    text: 'ENV A=1 B="two words" C=it\\\'s D=\nENV LEGACY value with spaces\nLABEL "com.x.y"="v" k=\'single q\'',
    check(text, model, errors) {
      assert.deepEqual(errors, []);
      const [env, legacy, label] = model.instructions;
      assert.deepEqual(env.pairs.map((p) => [p.key, at(text, p.keySpan), p.value, at(text, p.valueSpan)]), [
        ['A', 'A', '1', '1'],
        ['B', 'B', 'two words', '"two words"'],
        ['C', 'C', "it's", "it\\'s"],
        ['D', 'D', '', ''],
      ]);
      assert.deepEqual(legacy.pairs.map((p) => [p.key, p.value, at(text, p.valueSpan)]), [['LEGACY', 'value with spaces', 'value with spaces']]);
      assert.deepEqual(label.pairs.map((p) => [p.key, at(text, p.keySpan), p.value]), [
        ['com.x.y', '"com.x.y"', 'v'],
        ['k', 'k', 'single q'],
      ]);
    },
  },
  {
    name: 'ARG with and without defaults',
    text: 'ARG A B=2 C="x y"',
    check(text, model, errors) {
      assert.deepEqual(errors, []);
      assert.deepEqual(model.instructions[0].pairs.map((p) => [p.key, p.value, at(text, p.valueSpan)]), [
        ['A', undefined, undefined],
        ['B', '2', '2'],
        ['C', 'x y', '"x y"'],
      ]);
      assert.deepEqual([...model.globalArgs], [['A', undefined], ['B', '2'], ['C', 'x y']]);
    },
  },
  {
    name: 'global ARGs resolve FROM: $VAR, ${VAR}, ${VAR:-default}, ${VAR:+x}, unresolved',
    text: [
      'ARG REG=ghcr.io',
      'ARG VERSION=3.20',
      'ARG EMPTY=',
      'ARG NODEFAULT',
      'ARG IMAGE=${REG}/acme/app',
      'FROM $REG/acme/base:${VERSION}',
      'FROM ${MISSING:-alpine}:${VERSION}',
      'FROM alpine${EMPTY:+-nope}:${EMPTY:-edge}',
      'FROM ${IMAGE}:${NODEFAULT}',
      'FROM ${IMAGE}:1.0',
    ].join('\n'),
    check(text, model, errors) {
      assert.deepEqual(errors, []);
      const images = model.stages.map((s) => [s.image.raw, s.image.resolved, s.image.unresolved, s.image.registry, s.image.repository, s.image.tag]);
      assert.deepEqual(images, [
        ['$REG/acme/base:${VERSION}', 'ghcr.io/acme/base:3.20', false, 'ghcr.io', 'acme/base', '3.20'],
        ['${MISSING:-alpine}:${VERSION}', 'alpine:3.20', false, undefined, 'alpine', '3.20'],
        ['alpine${EMPTY:+-nope}:${EMPTY:-edge}', 'alpine:edge', false, undefined, 'alpine', 'edge'],
        ['${IMAGE}:${NODEFAULT}', 'ghcr.io/acme/app:', true, 'ghcr.io', 'acme/app', ''],
        ['${IMAGE}:1.0', 'ghcr.io/acme/app:1.0', false, 'ghcr.io', 'acme/app', '1.0'],
      ]);
      assert.equal(model.globalArgs.get('IMAGE'), 'ghcr.io/acme/app');
      assert.deepEqual(model.stages.map((s) => at(text, s.image.tagSpan)), [undefined, undefined, undefined, undefined, '1.0']);
    },
  },
  {
    name: 'image reference splitting',
    text: [
      'FROM localhost:5000/team/app:1.2@sha256:abc',
      'FROM registry.example.com:443/x',
      'FROM library/node:20',
      'FROM node@sha256:def',
      'FROM scratch',
      'FROM docker.io/library/ubuntu:22.04 AS Final',
    ].join('\n'),
    check(text, model, errors) {
      assert.deepEqual(errors, []);
      assert.deepEqual(
        model.stages.map((s) => [s.image.registry, s.image.repository, s.image.tag, s.image.digest, s.image.scratch, at(text, s.image.tagSpan)]),
        [
          ['localhost:5000', 'team/app', '1.2', 'sha256:abc', false, '1.2'],
          ['registry.example.com:443', 'x', undefined, undefined, false, undefined],
          [undefined, 'library/node', '20', undefined, false, '20'],
          [undefined, 'node', undefined, 'sha256:def', false, undefined],
          [undefined, 'scratch', undefined, undefined, true, undefined],
          ['docker.io', 'library/ubuntu', '22.04', undefined, false, '22.04'],
        ],
      );
      assert.equal(model.stages[5].name, 'final');
      assert.equal(at(text, model.stages[5].nameSpan), 'Final');
    },
  },
  {
    name: 'multi-stage: AS in any case, FROM stage, platform, stage spans and membership',
    text: 'ARG X=1\nFROM --platform=$BUILDPLATFORM golang:1.22 as Builder\nRUN go build\nFROM builder AS test\nRUN go test\nFROM alpine\nCOPY --from=builder /out /bin/app\nCOPY --from=0 /x /y',
    check(text, model, errors) {
      assert.deepEqual(errors, []);
      assert.deepEqual(model.instructions.map((i) => i.stageIndex), [-1, 0, 0, 1, 1, 2, 2, 2]);
      const [build, testStage, final] = model.stages;
      assert.equal(build.name, 'builder');
      assert.equal(build.platform, '$BUILDPLATFORM');
      assert.equal(testStage.baseStage, 0);
      assert.equal(final.baseStage, undefined);
      assert.deepEqual(final.instructions.map((i) => i.flags[0].value), ['builder', '0']);
      assert.equal(at(text, build.span), 'FROM --platform=$BUILDPLATFORM golang:1.22 as Builder\nRUN go build');
      assert.equal(at(text, final.span), text.slice(text.indexOf('FROM alpine')));
    },
  },
  {
    name: 'ONBUILD wraps a fully parsed instruction',
    text: 'FROM a\nONBUILD RUN --mount=type=ssh curl -fsSL http://x | sh',
    check(text, model, errors) {
      assert.deepEqual(errors, []);
      const onbuild = model.instructions[1];
      assert.equal(onbuild.keyword, 'ONBUILD');
      const inner = onbuild.onbuild!;
      assert.equal(inner.keyword, 'RUN');
      assert.equal(at(text, inner.keywordSpan), 'RUN');
      assert.equal(at(text, inner.span), 'RUN --mount=type=ssh curl -fsSL http://x | sh');
      assert.deepEqual(inner.flags.map((f) => f.name), ['mount']);
      assert.deepEqual(inner.commands.map((c) => [c.words[0].value, c.next]), [['curl', '|'], ['sh', undefined]]);
      assert.equal(inner.stageIndex, 0);
    },
  },
  {
    name: 'HEALTHCHECK CMD shell form yields commands, JSON form args',
    text: 'HEALTHCHECK --interval=30s --timeout=3s CMD curl -f http://localhost/ || exit 1\nHEALTHCHECK CMD ["wget", "-q", "x"]\nHEALTHCHECK NONE',
    check(text, model, errors) {
      assert.deepEqual(errors, []);
      const [shell, json, none] = model.instructions;
      assert.deepEqual(shell.flags.map((f) => [f.name, f.value]), [['interval', '30s'], ['timeout', '3s']]);
      assert.deepEqual(shell.commands.map((c) => c.words.map((w) => at(text, w.span))), [['curl', '-f', 'http://localhost/'], ['exit', '1']]);
      assert.equal(json.jsonForm, true);
      assert.deepEqual(json.args.map((w) => w.value), ['CMD', 'wget', '-q', 'x']);
      assert.deepEqual(json.commands, []);
      assert.deepEqual(none.args.map((w) => w.value), ['NONE']);
    },
  },
  {
    name: 'parser directives: case-insensitive, escape, then a comment ends them',
    text: '# Syntax = docker/dockerfile:1.7\n#ESCAPE=`\n# a comment\n# syntax=ignored\nFROM a',
    check(text, model, errors) {
      assert.deepEqual(errors, []);
      assert.deepEqual(model.directives.map((d) => [d.name, d.value, at(text, d.span)]), [
        ['syntax', 'docker/dockerfile:1.7', '# Syntax = docker/dockerfile:1.7'],
        ['escape', '`', '#ESCAPE=`'],
      ]);
      assert.equal(model.escape, '`');
      assert.deepEqual(model.comments.map((c) => c.text), ['Syntax = docker/dockerfile:1.7', 'ESCAPE=`', 'a comment', 'syntax=ignored']);
    },
  },
  {
    name: 'a directive after a blank line or an instruction is a comment',
    text: '\n# escape=`\nFROM a\n# syntax=x',
    check(text, model, errors) {
      assert.deepEqual(errors, []);
      assert.deepEqual(model.directives, []);
      assert.equal(model.escape, '\\');
      assert.equal(model.comments.length, 2);
    },
  },
  {
    name: 'an unknown directive name ends directives',
    text: '# foo=bar\n# escape=`\nFROM a',
    check(text, model) {
      assert.deepEqual(model.directives, []);
      assert.equal(model.escape, '\\');
    },
  },
  {
    name: 'invalid escape value is an error; duplicates too',
    text: '# escape=x\n# escape=\\\nFROM a',
    check(text, model, errors) {
      assert.equal(errors.length, 2);
      assert.match(errors[0], /escape/i);
      assert.match(errors[1], /only one/i);
      assert.equal(model.escape, '\\');
    },
  },
  {
    name: 'BOM before a directive',
    text: '\ufeff# syntax=docker/dockerfile:1\nFROM a',
    check(text, model, errors) {
      assert.deepEqual(errors, []);
      assert.equal(model.directives[0].value, 'docker/dockerfile:1');
      assert.equal(at(text, model.directives[0].span), '# syntax=docker/dockerfile:1');
      assert.equal(at(text, model.instructions[0].keywordSpan), 'FROM');
    },
  },
  {
    name: '`RUN echo # x` is not a comment for Docker, but the shell drops it',
    text: 'RUN echo hi # trailing',
    check(text, model) {
      assert.deepEqual(model.comments, []);
      assert.equal(model.instructions[0].argsText, 'echo hi # trailing');
      assert.deepEqual(model.instructions[0].commands[0].words.map((w) => w.value), ['echo', 'hi']);
    },
  },
  {
    name: 'an empty continuation line joins the next line (as BuildKit does)',
    text: 'RUN echo a \\\n\nFROM x',
    check(text, model) {
      assert.equal(model.instructions.length, 1);
      assert.equal(model.instructions[0].argsText, 'echo a FROM x');
    },
  },
  {
    name: 'an escape-only line continues into the next line; at the end of the file it is an error',
    text: 'FROM a\n\\\nRUN x\n  \\  \n',
    check(text, model, errors) {
      assert.deepEqual(model.instructions.map((i) => [i.keyword, at(text, i.span)]), [['FROM', 'FROM a'], ['RUN', 'RUN x']]);
      assert.equal(errors.length, 1);
      assert.match(errors[0], /continuation/);
    },
  },
  {
    name: 'the file ends inside a continuation',
    text: 'FROM a\nRUN echo \\',
    check(text, model, errors) {
      assert.deepEqual(errors, []);
      const run = model.instructions[1];
      assert.equal(run.argsText, 'echo');
      assert.equal(at(text, run.span), 'RUN echo \\');
    },
  },
  {
    name: 'UTF-16 offsets: astral characters before and inside words',
    text: 'FROM a\nLABEL emoji="😀 ok" b=ü\nRUN echo 😀x && curl é',
    check(text, model, errors) {
      assert.deepEqual(errors, []);
      const [, label, run] = model.instructions;
      assert.deepEqual(label.pairs.map((p) => [p.value, at(text, p.valueSpan)]), [['😀 ok', '"😀 ok"'], ['ü', 'ü']]);
      assert.deepEqual(run.commands.map((c) => c.words.map((w) => at(text, w.span))), [['echo', '😀x'], ['curl', 'é']]);
      assert.equal(run.commands[1].words[0].span.start, text.indexOf('curl'));
    },
  },
  {
    name: 'JSON form across continuation lines',
    text: 'FROM a\nCMD ["node", \\\n     "--max-old-space-size=512", \\\n     "app.js"]',
    check(text, model, errors) {
      assert.deepEqual(errors, []);
      const cmd = model.instructions[1];
      assert.equal(cmd.jsonForm, true);
      assert.deepEqual(cmd.args.map((w) => at(text, w.span)), ['"node"', '"--max-old-space-size=512"', '"app.js"']);
      assert.equal(at(text, cmd.argsSpan), text.slice(text.indexOf('[')));
    },
  },
  {
    name: 'heredoc with flags and an fd: RUN --mount … 3<<EOF',
    text: 'FROM a\nRUN --mount=type=secret,id=t bash 3<<EOF\ncurl x\nEOF',
    check(text, model, errors) {
      assert.deepEqual(errors, []);
      const run = model.instructions[1];
      assert.deepEqual(run.flags.map((f) => f.name), ['mount']);
      assert.equal(at(text, run.heredocs[0].markerSpan), '3<<EOF');
      assert.deepEqual(run.commands.map((c) => c.words[0].value), ['bash', 'curl']);
    },
  },
  {
    name: 'ONBUILD does not take heredocs (BuildKit), the body lines are instructions',
    text: 'FROM a\nONBUILD RUN <<EOF\necho hi\nEOF',
    check(text, model, errors) {
      assert.deepEqual(model.instructions.map((i) => i.keyword), ['FROM', 'ONBUILD', 'ECHO', 'EOF']);
      assert.deepEqual(model.instructions[1].onbuild!.heredocs, []);
      assert.equal(errors.length, 2);
    },
  },
  {
    name: 'ARG redeclared without a default keeps the earlier default; later ARGs are not global',
    text: 'ARG V=1\nARG V\nFROM x:$V\nARG LATE=2\nFROM y:${LATE}',
    check(text, model, errors) {
      assert.deepEqual(errors, []);
      assert.deepEqual(model.stages.map((s) => [s.image.resolved, s.image.unresolved]), [['x:1', false], ['y:', true]]);
      assert.deepEqual([...model.globalArgs.keys()], ['V']);
    },
  },
  {
    name: 'quoted image and lower-case healthcheck cmd',
    text: 'FROM "alpine:3.20" as "base"\nhealthcheck cmd ["true"]',
    check(text, model, errors) {
      assert.deepEqual(errors, []);
      assert.equal(model.stages[0].image.resolved, 'alpine:3.20');
      assert.equal(model.stages[0].image.tagSpan, undefined);
      assert.equal(model.stages[0].name, 'base');
      assert.equal(model.instructions[1].jsonForm, true);
    },
  },
  {
    name: 'LABEL over several lines with a comment between',
    text: 'FROM a\nLABEL a=1 \\\n  # about b\n  b="2 \\\n  3"',
    check(text, model, errors) {
      assert.deepEqual(errors, []);
      const label = model.instructions[1];
      assert.deepEqual(label.pairs.map((p) => [p.key, p.value, at(text, p.valueSpan)]), [
        ['a', '1', '1'],
        ['b', '2   3', '"2 \\\n  3"'],
      ]);
      assert.equal(model.comments[0].text, 'about b');
    },
  },
];

for (const c of CASES) {
  test(`snippet: ${c.name}`, () => {
    const { model, errors, messages } = parse(c.text);
    assertSpansInRange(c.text, model, errors, c.name);
    // Most snippets have no FROM; that error has its own test.
    c.check(c.text, model, messages.filter((m) => !BEFORE_FROM.test(m)));
  });
}

// ---- half-typed and broken input ----------------------------------------------------------------

test('half-typed lines give a model and located errors', () => {
  const table: [string, string[] /* error texts */][] = [
    ['FROM', ['FROM']],
    ['FROM alpine AS', ['AS']],
    ['FROM alpine AS 1bad', ['1bad']],
    ['FROM a b', ['b']],
    ['RUN apt-get ins', []],
    ['COPY --from= /a /b', ['--from=']],
    ['COPY --from=', ['COPY', '--from=']],
    ['ENV A="unterminated', ['"unterminated']],
    ['RUN echo "unterminated', []],
    ['ENV ONLYKEY', ['ONLYKEY']],
    ['LABEL a=1 b', ['b']],
    ['FORM alpine', ['FORM']],
    ['SHELL /bin/bash -c', ['/bin/bash -c']],
    ['HEALTHCHECK curl x', ['curl']],
    ['HEALTHCHECK CMD', ['CMD']],
    ['ONBUILD', ['ONBUILD']],
    ['ONBUILD FROM x', ['FROM']],
    ['ONBUILD ONBUILD RUN x', ['ONBUILD']],
    ['FROM a AS x\nFROM b AS X', []], // left to the docker/duplicate-stage-name rule
  ];
  for (const [text, expected] of table) {
    const { model, errors } = parse(text);
    const errorTexts = errors.filter((e) => !BEFORE_FROM.test(e.message)).map((e) => at(text, e.span));
    assert.deepEqual(errorTexts, expected, text);
    assert.equal(model.instructions.length, text.split('\n').length, `one instruction per line: ${text}`);
  }
});

test('only ARG may come before the first FROM', () => {
  const text = '# c\nARG A=1\nRUN echo\nonbuild run x\nBOGUS\nFROM a\nRUN ok';
  const { messages, errorTexts } = parse(text);
  assert.deepEqual(errorTexts, ['RUN', 'onbuild', 'BOGUS']);
  assert.match(messages[0], BEFORE_FROM);
  assert.match(messages[2], /Unknown instruction/);
});

test('FROM alone still starts a stage, so stage indexes stay consistent', () => {
  const { model } = parse('FROM\nRUN x');
  assert.equal(model.stages.length, 1);
  assert.equal(model.stages[0].image.raw, '');
  assert.equal(model.instructions[1].stageIndex, 0);
});

test('empty file, only blank lines, only comments', () => {
  for (const text of ['', '\n\n  \n', '\ufeff', '# just a comment\n  # indented\n']) {
    const { model, errors } = parse(text);
    assert.deepEqual(errors, [], JSON.stringify(text));
    assert.deepEqual(model.instructions, []);
    assert.deepEqual(model.stages, []);
  }
  assert.deepEqual(parse('# just a comment\n  # indented\n').model.comments.map((c) => c.text), ['just a comment', 'indented']);
});

// ---- line endings and the backtick escape ------------------------------------------------------

test('CRLF files: spans exclude the CR, continuations work, heredoc bodies use LF', () => {
  const text = '# escape=\\\r\nFROM alpine:3.20\r\nRUN apk add \\\r\n    curl\r\nRUN <<EOF\r\necho a\r\nEOF\r\nCMD ["sh"]\r\n';
  const { model, errors } = parse(text);
  assert.deepEqual(errors, []);
  assert.deepEqual(model.directives.map((d) => d.value), ['\\']);
  const [from, run, heredocRun, cmd] = model.instructions;
  assert.equal(at(text, from.span), 'FROM alpine:3.20');
  assert.equal(run.argsText, 'apk add     curl');
  assert.equal(at(text, run.span), 'RUN apk add \\\r\n    curl');
  assert.deepEqual(run.commands[0].words.map((w) => at(text, w.span)), ['apk', 'add', 'curl']);
  assert.equal(heredocRun.heredocs[0].body, 'echo a\n');
  assert.equal(at(text, heredocRun.heredocs[0].endSpan), 'EOF');
  assert.deepEqual(heredocRun.commands.map((c) => c.words.map((w) => at(text, w.span))), [['echo', 'a']]);
  assert.equal(at(text, heredocRun.span), 'RUN <<EOF\r\necho a\r\nEOF');
  assert.deepEqual(cmd.args.map((w) => w.value), ['sh']);
});

test('backtick escape: continuations with `, backslashes literal in words and paths', () => {
  const text = '# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nCOPY C:\\src\\app C:\\app\\\nRUN powershell -Command `\n    $ErrorActionPreference = \'Stop\'; `\n    Write-Host hi\nWORKDIR C:\\app\nENV P="C:\\Program Files\\x"';
  const { model, errors } = parse(text);
  assert.deepEqual(errors, []);
  assert.equal(model.escape, '`');
  const [from, copy, run, workdir, env] = model.instructions;
  assert.equal(from.args[0].value, 'mcr.microsoft.com/windows/servercore:ltsc2022');
  assert.equal(model.stages[0].image.registry, 'mcr.microsoft.com');
  assert.deepEqual(copy.args.map((w) => w.value), ['C:\\src\\app', 'C:\\app\\']);
  assert.equal(run.argsText, "powershell -Command     $ErrorActionPreference = 'Stop';     Write-Host hi");
  assert.equal(run.commands[0].words[0].value, 'powershell');
  assert.deepEqual(run.commands.map((c) => c.words.map((w) => at(text, w.span))), [
    ['powershell', '-Command', '$ErrorActionPreference', '=', "'Stop'"],
    ['Write-Host', 'hi'],
  ]);
  assert.equal(workdir.args[0].value, 'C:\\app');
  assert.equal(env.pairs[0].value, 'C:\\Program Files\\x');
});

// ---- heredocs -----------------------------------------------------------------------------------

test('RUN <<EOF: the body is the script', () => {
  const text = 'FROM a\nRUN <<EOF\nset -eux\napt-get update\ncurl -fsSL https://x | bash\nEOF\nUSER app';
  const { model, errors } = parse(text);
  assert.deepEqual(errors, []);
  const run = model.instructions[1];
  const [h] = run.heredocs;
  assert.deepEqual([h.delimiter, h.stripTabs, h.quoted], ['EOF', false, false]);
  assert.equal(at(text, h.markerSpan), '<<EOF');
  assert.equal(h.body, 'set -eux\napt-get update\ncurl -fsSL https://x | bash\n');
  assert.equal(at(text, h.bodySpan), 'set -eux\napt-get update\ncurl -fsSL https://x | bash');
  assert.equal(at(text, h.endSpan), 'EOF');
  assert.equal(at(text, run.span), 'RUN <<EOF\nset -eux\napt-get update\ncurl -fsSL https://x | bash\nEOF');
  assert.equal(at(text, run.argsSpan), '<<EOF');
  assert.deepEqual(run.commands.map((c) => [c.words.map((w) => at(text, w.span)).join(' '), c.next]), [
    ['set -eux', 'newline'],
    ['apt-get update', 'newline'],
    ['curl -fsSL https://x', '|'],
    ['bash', undefined],
  ]);
  assert.equal(model.instructions[2].keyword, 'USER');
});

test('<<- strips leading tabs; quoted delimiters; several heredocs per instruction in order', () => {
  const text = 'RUN <<-"EOT" bash -e\n\tcurl x\n\t\tEOT\nCOPY <<A <<\'B\' /dest/\nfirst\nA\nsecond $HOME\nB\nRUN cat <<X > /etc/motd && sh <<Y\nnot a command\nX\nwget y\nY';
  const { model, errors } = parse(text);
  assert.deepEqual(errors.filter((e) => !BEFORE_FROM.test(e.message)), []);
  const [run, copy, two] = model.instructions;
  const [tabbed] = run.heredocs;
  assert.deepEqual([tabbed.delimiter, tabbed.stripTabs, tabbed.quoted, tabbed.body], ['EOT', true, true, 'curl x\n']);
  assert.equal(at(text, tabbed.endSpan), '\t\tEOT');
  assert.deepEqual(run.commands.map((c) => c.words.map((w) => w.value)), [['bash', '-e'], ['curl', 'x']]);
  assert.equal(at(text, run.commands[1].words[0].span), 'curl');
  assert.deepEqual(copy.heredocs.map((h) => [h.delimiter, h.quoted, h.body, at(text, h.markerSpan)]), [
    ['A', false, 'first\n', '<<A'],
    ['B', true, 'second $HOME\n', "<<'B'"],
  ]);
  assert.deepEqual(copy.args.map((w) => w.value), ['<<A', '<<B', '/dest/']);
  assert.deepEqual(copy.commands, []);
  // `cat <<X` feeds data, `sh <<Y` feeds a script.
  assert.deepEqual(two.commands.map((c) => c.words.map((w) => w.value)), [['cat'], ['sh'], ['wget', 'y']]);
  assert.deepEqual(two.commands[0].redirects.map((r) => r.value), ['<<X', '>/etc/motd']);
  assert.equal(at(text, two.span), text.slice(text.indexOf('RUN cat')));
});

test('RUN <<A <<B: bodies in order; a shell given only redirections runs nothing', () => {
  const text = 'FROM a\nRUN <<A <<B\ncurl one\nA\ncurl two\nB\nRUN <<A cat > /one && <<B sh\ndata\nA\nwget two\nB';
  const { model, errors } = parse(text);
  assert.deepEqual(errors, []);
  const [, both, mixed] = model.instructions;
  assert.deepEqual(both.heredocs.map((h) => [h.delimiter, h.body, at(text, h.bodySpan), at(text, h.endSpan)]), [
    ['A', 'curl one\n', 'curl one', 'A'],
    ['B', 'curl two\n', 'curl two', 'B'],
  ]);
  assert.deepEqual(both.commands, []);
  assert.deepEqual(mixed.commands.map((c) => c.words.map((w) => w.value)), [['cat'], ['sh'], ['wget', 'two']]);
  assert.equal(at(text, mixed.commands[2].words[0].span), 'wget');
});

test('a shebang naming another interpreter is not a shell script', () => {
  const text = 'RUN <<EOF\n#!/usr/bin/env python3\nprint("curl")\nEOF\nRUN <<EOF\n#!/bin/bash\ncurl x\nEOF\nRUN python3 <<EOF\nimport os\nEOF';
  const { model } = parse(text);
  assert.deepEqual(model.instructions.map((i) => i.commands.map((c) => c.words[0].value)), [[], ['curl'], ['python3']]);
});

test('unterminated heredoc: error at the marker, body to the end of the file', () => {
  const text = 'FROM a\nRUN <<EOF\necho "never ends"\nEOF \nmore';
  const { model, errors, errorTexts } = parse(text);
  assert.equal(errors.length, 1);
  assert.deepEqual(errorTexts, ['<<EOF']);
  const [h] = model.instructions[1].heredocs;
  assert.equal(h.endSpan, undefined);
  assert.equal(h.body, 'echo "never ends"\nEOF \nmore\n');
  assert.equal(at(text, h.bodySpan), 'echo "never ends"\nEOF \nmore');
  assert.equal(model.instructions.length, 2);
});

test('heredoc marker forms that are not heredocs', () => {
  const { model } = parse('RUN echo "<<EOF" << EOF\nFROM x');
  assert.deepEqual(model.instructions[0].heredocs, []);
  assert.equal(model.instructions[1].keyword, 'FROM');
  const json = parse('RUN ["cat", "<<EOF"]\nFROM x').model;
  assert.deepEqual(json.instructions[0].heredocs, []);
  assert.equal(json.instructions.length, 2);
  const env = parse('ENV A=<<EOF\nFROM x').model;
  assert.equal(env.instructions.length, 2);
});

test('heredoc after a continuation starts after the last continuation line', () => {
  const text = 'RUN cat <<EOF > /x && \\\n    echo done\nbody\nEOF';
  const { model, errors } = parse(text);
  assert.deepEqual(errors.filter((e) => !BEFORE_FROM.test(e.message)), []);
  const run = model.instructions[0];
  assert.equal(run.heredocs[0].body, 'body\n');
  assert.deepEqual(run.commands.map((c) => c.words.map((w) => w.value)), [['cat'], ['echo', 'done']]);
});

// ---- corpus, fuzz, pathological input -----------------------------------------------------------

/** Instructions in all KICS Dockerfile samples together. */
const KICS_INSTRUCTIONS = 1160;

/** The KICS Dockerfile samples in test/corpus/kics; fails when any is missing. */
function kicsSamples(): string[] {
  return kicsFiles('dockerfile', /\.dockerfile$/, KICS_SAMPLE_COUNTS.dockerfile);
}

test('every KICS Dockerfile sample parses without errors', () => {
  const files = kicsSamples();
  let instructions = 0;
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const { model, errors } = parseDockerfile(text);
    assertSpansInRange(text, model, errors, file);
    const rel = path.relative(KICS, file).split(path.sep).join('/');
    // same_alias_in_different_froms/positive.dockerfile repeats a stage name, which Docker rejects;
    // the parser leaves that to the docker/duplicate-stage-name rule, so it parses cleanly too.
    assert.deepEqual(errors.map((e) => `${e.message} @ ${at(text, e.span)}`), [], rel);
    instructions += model.instructions.length;
  }
  assert.equal(instructions, KICS_INSTRUCTIONS, 'instructions in the 166 samples');
});

const REALISTIC = [
  `# syntax=docker/dockerfile:1.7
ARG NODE_VERSION=20
FROM --platform=$BUILDPLATFORM node:\${NODE_VERSION}-alpine AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev
FROM node:\${NODE_VERSION}-alpine
ENV NODE_ENV=production PORT="8080"
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
USER node
HEALTHCHECK --interval=30s CMD wget -qO- http://localhost:8080/health || exit 1
CMD ["node", "server.js"]
`,
  `FROM ubuntu:22.04
RUN apt-get update \\
 && apt-get install -y --no-install-recommends \\
      ca-certificates \\
      # the client
      curl \\
 && rm -rf /var/lib/apt/lists/*
RUN <<EOF
set -e
curl -fsSL https://get.example.com | sh
EOF
COPY <<-EOT /etc/app.conf
\tkey=value
\tEOT
ONBUILD RUN echo "child build"
LABEL maintainer="a@b.c" version=1.0
EXPOSE 80/tcp 443
ENTRYPOINT ["/usr/bin/tini", "--"]
`,
  `# escape=\`
FROM mcr.microsoft.com/windows/servercore:ltsc2022
SHELL ["powershell", "-Command", "$ErrorActionPreference = 'Stop';"]
RUN Invoke-WebRequest -Uri https://x/y.zip -OutFile C:\\y.zip ; \`
    Expand-Archive C:\\y.zip -DestinationPath C:\\y
WORKDIR C:\\app
`,
];

const INTERESTING = ['\\', '`', '\n', '\r\n', '\r', '"', "'", '<<', '<<-', 'EOF', '[', ']', ',', '$', '${', '}', '$(', ')', '#', ' ', '\t', '--', '=', '&&', '|', ';', '\ufeff', '\u0000', '\ud800', '😀', 'FROM ', 'RUN ', 'AS ', 'ONBUILD ', 'HEALTHCHECK CMD '];

function mutate(text: string, random: () => number): string {
  const steps = 1 + Math.floor(random() * 4);
  let s = text;
  for (let k = 0; k < steps; k++) {
    const pos = Math.floor(random() * (s.length + 1));
    const kind = Math.floor(random() * 6);
    if (kind === 0) s = s.slice(0, pos) + INTERESTING[Math.floor(random() * INTERESTING.length)] + s.slice(pos);
    else if (kind === 1) s = s.slice(0, pos) + s.slice(pos + 1 + Math.floor(random() * 8));
    else if (kind === 2) s = s.slice(0, pos);
    else if (kind === 3) s = s.slice(0, pos) + String.fromCharCode(Math.floor(random() * 0x10000)) + s.slice(pos);
    else if (kind === 4) {
      let bytes = '';
      for (let b = 0; b < 1 + random() * 16; b++) bytes += String.fromCharCode(Math.floor(random() * 256));
      s = s.slice(0, pos) + bytes + s.slice(pos);
    } else {
      const from = Math.floor(random() * (s.length + 1));
      s = s.slice(0, pos) + s.slice(from, from + Math.floor(random() * 40)) + s.slice(pos);
    }
  }
  return s;
}

test('fuzz: mutated Dockerfiles never throw and keep every span in range', () => {
  const kics = kicsSamples()
    .filter((_, i) => i % 12 === 0)
    .map((f) => fs.readFileSync(f, 'utf8'));
  const seeds = [...REALISTIC, ...kics];
  assert.equal(seeds.length, 3 + 14, 'the realistic files and every twelfth KICS sample');
  const random = prng(0x5eed);
  const cases = 6000;
  for (let n = 0; n < cases; n++) {
    const text = mutate(seeds[n % seeds.length], random);
    let parsed;
    try {
      parsed = parseDockerfile(text);
    } catch (error) {
      assert.fail(`case ${n} threw ${String(error)} on ${JSON.stringify(text)}`);
    }
    assertSpansInRange(text, parsed.model, parsed.errors, `case ${n} ${JSON.stringify(text)}`);
    const internal = parsed.errors.find((e) => e.message.startsWith('Internal'));
    assert.equal(internal, undefined, `case ${n}: ${internal?.message} on ${JSON.stringify(text)}`);
  }
});

test('pathological input completes', () => {
  const continuation = 'RUN echo start \\\n' + '  && echo x \\\n'.repeat(100_000) + '  && echo end\n';
  const long = parseDockerfile(continuation);
  assert.equal(long.model.instructions.length, 1);
  assert.equal(long.model.instructions[0].commands.length, 100_002);

  const oneLine = 'RUN ' + 'a'.repeat(1_000_000);
  assert.equal(parseDockerfile(oneLine).model.instructions[0].args[0].value.length, 1_000_000);
  const oneLineQuotes = 'FROM a\nENV A="' + 'x '.repeat(500_000);
  assert.equal(parseDockerfile(oneLineQuotes).errors.length, 1);
  const nested = 'RUN echo ' + '$('.repeat(300_000);
  assert.equal(parseDockerfile(nested).model.instructions.length, 1);
  const vars = 'ARG A=1\nFROM ' + '${A:-'.repeat(100_000);
  assert.equal(parseDockerfile(vars).model.stages.length, 1);

  let heredocs = 'FROM a\n';
  for (let i = 0; i < 10_000; i++) heredocs += `RUN <<EOF${i}\necho ${i}\nEOF${i}\n`;
  const many = parseDockerfile(heredocs);
  assert.equal(many.model.instructions.length, 10_001);
  assert.deepEqual(many.errors, []);

  const markers = 'RUN ' + '<<E '.repeat(10_000) + '\n' + 'x\n'.repeat(10);
  assert.equal(parseDockerfile(markers).model.instructions[0].heredocs.length, 10_000);

  // Inputs that make careless regular expressions quadratic.
  parseDockerfile('# syntax=a' + ' '.repeat(1_000_000) + 'b');
  parseDockerfile('FROM a\nRUN bash -' + 'c'.repeat(1_000_000) + '! <<EOF\nx\nEOF');
  parseDockerfile('FROM a\nRUN [' + ' '.repeat(1_000_000) + 'x');
  parseDockerfile('FROM a\nRUN ' + '"\\'.repeat(300_000));
  parseDockerfile('FROM a\nENV ' + "a'".repeat(300_000));

  const garbage = prng(7);
  let binary = '';
  for (let i = 0; i < 200_000; i++) binary += String.fromCharCode(Math.floor(garbage() * 256));
  parseDockerfile(binary);
});

test('only FROM, RUN, COPY, ADD and HEALTHCHECK take flags; elsewhere --x is an argument', () => {
  const text = 'FROM --platform=linux/amd64 alpine\nCMD --port=8080\nENTRYPOINT --help\nRUN --network=none true\n';
  const { model, errors } = parseDockerfile(text);
  assert.deepEqual(errors, []);
  const [from, cmd, entrypoint, run] = model.instructions;
  assert.deepEqual(from.flags.map((f) => f.name), ['platform']);
  assert.deepEqual(cmd.flags, []);
  assert.deepEqual(cmd.args.map((w) => w.value), ['--port=8080']);
  assert.equal(text.slice(cmd.args[0].span.start, cmd.args[0].span.end), '--port=8080');
  assert.deepEqual(entrypoint.args.map((w) => w.value), ['--help']);
  assert.deepEqual(run.flags.map((f) => f.value), ['none']);
});
