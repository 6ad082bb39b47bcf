// The commands of a RUN as the container rules see them (rules/_helpers/docker-shell.ts, RUN_STEPS):
// where each one runs (the parser's context flags, passed through and inherited by `sh -c` strings
// and substitutions), the commands of `$( … )`, pipes that stay within one script, and package
// commands that install nothing because a simulation or dry-run flag says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Analysis } from '../../server/src/engine/analysis';
import { pipelinesOf, RUN_STEPS, substitutionRanges, type Command } from '../../rules/_helpers/docker-shell';

function commands(run: string): Command[] {
  const analysis = new Analysis({ path: 'Dockerfile', text: `FROM debian:12\n${run}\n` });
  return analysis.index(RUN_STEPS).flatMap((step) => [...step.commands]);
}

/** Each command as its words and the flags that are set. */
function seen(run: string) {
  return commands(run).map((c) => {
    const flags = (['condition', 'conditional', 'negated', 'subshell', 'substitution', 'nested'] as const).filter((f) => c[f]);
    return [c.words.map((w) => w.value).join(' '), flags.join(','), c.inFunction ?? ''];
  });
}

test('the parser context reaches the rules: condition, branch, `||`, negation, subshell, function', () => {
  assert.deepEqual(seen('RUN if apt-get install -y x; then echo a; fi; b || c; ! d; (e); f() { g; }'), [
    ['apt-get install -y x', 'condition', ''],
    ['echo a', 'conditional', ''],
    ['b', '', ''],
    ['c', 'conditional', ''],
    ['d', 'negated', ''],
    ['e', 'subshell', ''],
    ['g', 'conditional', 'f'],
  ]);
});

test('a `sh -c` string and a substitution inherit the context of the command that holds them', () => {
  assert.deepEqual(seen(`RUN if true; then sh -c 'apt-get install -y x'; fi; while V="$(curl -sk https://x | jq .v)"; do :; done`), [
    ['true', 'condition', ''],
    ["sh -c apt-get install -y x", 'conditional', ''],
    ['apt-get install -y x', 'conditional,nested', ''],
    ['curl -sk https://x', 'condition,substitution', ''],
    ['jq .v', 'condition,substitution', ''],
    ['V=$(curl -sk https://x | jq .v)', 'condition', ''],
    [':', 'conditional', ''],
  ]);
});

test('substitutions: $( … ) and backquotes, nested ones through the inner script, not arithmetic, not in single quotes', () => {
  assert.deepEqual(
    commands(`RUN echo "$(a "$(b)")" \`c\` $((1 + 2)) '$(d)' "it's $(e)"`).map((c) => c.words[0].value),
    ['b', 'a', 'c', 'e', 'echo'],
  );
  assert.deepEqual(substitutionRanges('x$(a (b) c)y`d`'), [
    { start: 3, end: 10 },
    { start: 13, end: 14 },
  ]);
});

test("a substitution's commands point at the source, through line continuations", () => {
  const text = 'FROM debian:12\nRUN V=$(curl -sk \\\n  https://x) && echo "$V"\n';
  const analysis = new Analysis({ path: 'Dockerfile', text });
  const [curl] = analysis.index(RUN_STEPS)[0].commands;
  assert.equal(curl.name, 'curl');
  assert.deepEqual(
    curl.args.map((w) => text.slice(w.span.start, w.span.end)),
    ['-sk', 'https://x'],
  );
});

test('pipes join the commands of one script only; pipedFrom links them', () => {
  const cmds = commands('RUN yes | apt-get install x && a "$(b | c)" | d');
  assert.deepEqual(
    pipelinesOf(cmds).map((p) => p.map((c) => c.name)),
    [['yes', 'apt-get'], ['b', 'c'], ['a', 'd']],
  );
  assert.deepEqual(
    cmds.map((c) => c.pipedFrom?.name ?? ''),
    ['', 'yes', '', 'b', '', 'a'],
  );
});

test('simulated, dry-run and download-only package commands install nothing', () => {
  const installs = (run: string) => commands(run).map((c) => [c.name, c.install !== undefined, c.package?.dryRun?.value ?? '']);
  assert.deepEqual(installs('RUN apt-get install -s openssh-server && apt-get -qqs install x && apt-get install --dry-run y && apt-get install -y z'), [
    ['apt-get', false, '-s'],
    ['apt-get', false, '-qqs'],
    ['apt-get', false, '--dry-run'],
    ['apt-get', true, ''],
  ]);
  assert.deepEqual(installs('RUN apt-get install --just-print a; apt-get install --no-act b; apt-get install -d c; apt-get -o APT::Get::Simulate=true install d'), [
    ['apt-get', false, '--just-print'],
    ['apt-get', false, '--no-act'],
    ['apt-get', false, '-d'],
    ['apt-get', false, 'APT::Get::Simulate=true'],
  ]);
  assert.deepEqual(installs('RUN apk add --simulate a; apk add -s b; apk add -t .deps c; pip install --dry-run d; dnf install --assumeno e; yum install -y --downloadonly f; npm install --dry-run g; zypper install --dry-run h; gem install --explain i'), [
    ['apk', false, '--simulate'],
    ['apk', false, '-s'],
    ['apk', true, ''],
    ['pip', false, '--dry-run'],
    ['dnf', false, '--assumeno'],
    ['yum', false, '--downloadonly'],
    ['npm', false, '--dry-run'],
    ['zypper', false, '--dry-run'],
    ['gem', false, '--explain'],
  ]);
});

test('`command -v sudo` looks sudo up; `command sudo x` runs it', () => {
  const [lookup, run] = commands('RUN command -v sudo; command sudo make install');
  assert.deepEqual([lookup.name, lookup.sudo?.value], ['command', undefined]);
  assert.deepEqual([run.name, run.sudo?.value], ['make', 'sudo']);
});

test('redirections reach the rules', () => {
  const [echo] = commands(`RUN echo 'app ALL=(ALL) NOPASSWD: ALL' >> /etc/sudoers.d/app 2>/dev/null`);
  assert.deepEqual(echo.redirects.map((r) => r.value), ['>>/etc/sudoers.d/app', '2>/dev/null']);
});
