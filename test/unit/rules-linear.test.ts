// Every rule together does work that grows about linearly with the file. For each generated shape
// the engine, with all rules on, checks the input at size n and at 10n in this one process; a
// linear check takes about 10 times as long, a quadratic one about 100 times. The bound is
// generous (25) and relative, never an absolute time: `npm run bench` measures speed.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { allRules } from '../../rules/index';
import { defaultConfig } from '../../server/src/engine/config';
import { Engine } from '../../server/src/engine/engine';
import { loadShippedData } from '../../server/src/workspace/data';

/** Larger inputs than the editor would check: the limit is not what is measured here. */
const engine = new Engine(allRules, { ...defaultConfig(), maxFileSizeKb: 16 * 1024 }, { loadData: loadShippedData });

function checkMs(text: string): number {
  const start = process.hrtime.bigint();
  const result = engine.check({ path: 'Dockerfile', text });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  assert.equal(result.skipped, undefined, `the input was skipped: ${result.skipped}`);
  assert.deepEqual(result.ruleErrors, [], 'a rule threw');
  assert.ok(result.findings.length > 0, 'the input gives findings, so the rules did their work');
  return ms;
}

/** The fastest of a few runs: the least disturbed by garbage collection and compilation. */
function fastest(text: string, runs: number): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) best = Math.min(best, checkMs(text));
  return best;
}

function assertLinear(t: TestContext, name: string, generate: (n: number) => string, n: number): void {
  fastest(generate(n), 2); // warm-up: compile the rules and the parser
  const small = fastest(generate(n), 5);
  let large = fastest(generate(10 * n), 3);
  // A busy machine can slow one batch of runs: time the large input again before calling it superlinear.
  for (let retry = 0; retry < 2 && large / small >= 25; retry++) large = Math.min(large, fastest(generate(10 * n), 3));
  const ratio = large / small;
  t.diagnostic(`${name}: n=${n} ${small.toFixed(1)} ms, 10n ${large.toFixed(1)} ms, ratio ${ratio.toFixed(1)}`);
  assert.ok(ratio < 25, `${name}: 10x the input took ${ratio.toFixed(1)}x the time (${small.toFixed(1)} ms -> ${large.toFixed(1)} ms)`);
}

/** Stages that each copy from the one before: `COPY --from=s<i-1>`. */
function copyChain(stages: number): string {
  const out = ['FROM alpine:3.20 AS s0'];
  for (let i = 1; i < stages; i++) out.push(`FROM alpine:3.20 AS s${i}`, `COPY --from=s${i - 1} /a /a`);
  return `${out.join('\n')}\n`;
}

/** Stages that all declare one name, each copied from by the next: every declaration is a duplicate of every other. */
function sameName(stages: number): string {
  const out: string[] = [];
  for (let i = 0; i < stages; i++) out.push('FROM alpine:3.20 AS build', 'COPY --from=build /a /a', 'RUN --mount=type=cache,from=build,target=/c true');
  return `${out.join('\n')}\n`;
}

/**
 * Stages each built FROM the one before, with what the chain rules look up through it: USER, ENV
 * and variables, SHELL, WORKDIR, CMD, sudo, pipes, a stage copied from, a misspelt stage name.
 */
function baseChain(stages: number): string {
  const out = ['FROM debian:12 AS s0', 'ENV PORT=8080'];
  for (let i = 1; i < stages; i++) {
    out.push(
      `FROM s${i - 1} AS s${i}`,
      `ENV V${i}=x${i}`,
      `EXPOSE $PORT`,
      `ADD $V${i} /opt/`,
      `WORKDIR /srv/s${i}`,
      `COPY --from=s${i - 1} /a /a`,
      `COPY --from=sx${i} /b /b`,
      `RUN sudo apt-get install curl | tee /log`,
      i % 2 ? 'USER app' : 'USER root',
      'CMD ["a"]',
      'CMD ["b"]',
    );
  }
  return `${out.join('\n')}\n`;
}

/**
 * Stages each built FROM the one before, every one copied out of by a scratch image with a path of
 * its own: what ships of each stage (and the WORKDIR where its caches and copies land) flows down
 * the whole chain.
 */
function copiedOutChain(stages: number): string {
  const out = ['FROM debian:12 AS s0', 'WORKDIR /src', 'COPY . .', 'COPY id_rsa /root/.ssh/'];
  for (let i = 1; i < stages; i++) out.push(`FROM s${i - 1} AS s${i}`, `WORKDIR /srv/s${i}`, 'RUN apt-get update && apt-get install -y curl', 'COPY . sub/', 'COPY .env ./', 'RUN pip install flask');
  out.push('FROM scratch');
  for (let i = 0; i < stages; i++) out.push(`COPY --from=s${i} /src/out${i} /out${i}`);
  return `${out.join('\n')}\n`;
}

const RUN_LINES = [
  'RUN apt-get update && apt-get install curl ca-certificates',
  'RUN pip install requests flask && rm -rf /tmp/x',
  'RUN curl -fsSLk https://example.com/install.sh | sh',
  'RUN chmod 777 /srv && chmod u+s /usr/bin/x',
  'RUN sudo make install',
  'RUN apk add git && npm install left-pad --unsafe-perm',
  'RUN yum install httpd && gem install rails',
  'RUN sh -c "apt-get install vim && wget --no-check-certificate http://example.com/x"',
  'RUN <<EOF\nset -eux\napt-get install -y jq\nEOF',
  'RUN ["apt-get", "install", "-y", "nano"]',
];

/** One stage of many RUN lines of every kind the RUN rules read. */
function runLines(runs: number): string {
  const out = ['FROM ubuntu:22.04'];
  for (let i = 0; i < runs; i++) out.push(RUN_LINES[i % RUN_LINES.length]);
  return `${out.join('\n')}\n`;
}

/** Many ENV lines (some of them secrets), with EXPOSE and ADD reading the variables. */
function envLines(envs: number): string {
  const out = ['FROM node:20', 'ARG TOKEN'];
  for (let i = 0; i < envs; i++) {
    out.push(i % 3 === 0 ? `ENV DB_PASSWORD_${i}=hunter${i}x9` : `ENV PORT_${i}=${1000 + (i % 60000)}`);
    if (i % 10 === 1) out.push(`EXPOSE $PORT_${i}`, `ADD $PORT_${i} /x/`);
  }
  return `${out.join('\n')}\n`;
}

/** One RUN of about `chars` characters: commands joined by `&&` and pipes, over continuation lines. */
function longRun(chars: number): string {
  const parts = ['apt-get update', 'apt-get install -y curl', 'curl -fsSL https://example.com/x | sh', 'pip install flask', 'apk add git', 'sudo chmod 777 /x', 'apt-get update'];
  const out: string[] = [];
  let length = 0;
  for (let i = 0; length < chars; i++) {
    const part = parts[i % parts.length];
    out.push(part);
    length += part.length + 8;
  }
  return `FROM alpine:3.20\nRUN ${out.join(' && \\\n    ')}\n`;
}

test('20,000 stages each copying from the one before', (t) => assertLinear(t, 'COPY --from chain', copyChain, 2_000));
test('20,000 stages that share one name', (t) => assertLinear(t, 'duplicate stage names', sameName, 2_000));
test('5,000 stages each built FROM the one before', (t) => assertLinear(t, 'FROM chain', baseChain, 500));
test('5,000 stages built on each other, each copied out of', (t) => assertLinear(t, 'copied-out chain', copiedOutChain, 500));
/**
 * One RUN of many downloads, each looked up among the commands after it (plain HTTP and https,
 * none used, some installed), with command substitutions, sudoers writes and chowns between them.
 */
function manyDownloads(count: number): string {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    out.push(
      i % 2 ? `wget -q http://deb.example.org/p${i}.deb -O /tmp/p${i}.deb` : `curl -fsSLo /tmp/t${i}.tar.gz https://example.org/t${i}.tar.gz`,
      `V${i}="$(curl -sk https://api.example.org/v${i} | jq -r .tag)"`,
      i % 100 === 0 ? `dpkg -i /tmp/p${i + 1}.deb && echo 'app ALL=(ALL) NOPASSWD: ALL' >> /etc/sudoers && chown app /etc/passwd` : 'true',
    );
  }
  return `FROM debian:12\nRUN ${out.join(' && \\\n    ')}\n`;
}

test('a RUN of 10,000 downloads', (t) => assertLinear(t, 'many downloads', manyDownloads, 1_000));
test('10,000 RUN lines', (t) => assertLinear(t, 'RUN lines', runLines, 1_000));
test('5,000 ENV lines', (t) => assertLinear(t, 'ENV lines', envLines, 500));
test('a single RUN of 100,000 characters', (t) => assertLinear(t, 'long RUN', longRun, 10_000));

/** A `fourfold-ignore` comment above every RUN, each suppressing what that RUN is found to do. */
function ignoredLines(count: number): string {
  const out = ['FROM debian:12', '# fourfold-ignore-file docker/image-not-pinned-digest: pinned by the build'];
  for (let i = 0; i < count; i++) out.push(`# fourfold-ignore docker/sudo, docker/apt-get-missing-yes: line ${i}`, `RUN sudo apt-get install pkg${i}`);
  return `${out.join('\n')}\n`;
}

test('10,000 RUN lines each under its own ignore comment', (t) => {
  const result = engine.check({ path: 'Dockerfile', text: ignoredLines(100) });
  assert.ok(result.findings.filter((f) => f.suppression?.kind === 'inline').length >= 200, 'the comments suppress the findings below them');
  assertLinear(t, 'ignore comments', ignoredLines, 1_000);
});

/** Relative WORKDIRs, each inside the one before: the working directory grows with every line. */
function relativeWorkdirs(count: number): string {
  const out = ['FROM alpine:3.22', 'WORKDIR /srv'];
  for (let i = 0; i < count; i++) out.push(`WORKDIR dir${i}`);
  return `${out.join('\n')}\n`;
}

test('5,000 relative WORKDIRs, each inside the one before', (t) => assertLinear(t, 'relative WORKDIR chain', relativeWorkdirs, 500));
