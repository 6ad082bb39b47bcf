// The command line itself: help, version, `rules`, and every way to call it wrongly (exit 2, one line).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { allRules } from '../../rules/index';
import { main } from '../../server/src/cli';
import { copyFixture, repoRoot, runCli } from './helpers';

const version = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

describe('fourfold --help, --version, rules', () => {
  it('prints help and exits 0', () => {
    for (const args of [['--help'], ['-h'], ['scan', '--help']]) {
      const run = runCli(args, { cwd: repoRoot });
      assert.equal(run.code, 0, args.join(' '));
      assert.match(run.stdout, /fourfold scan \[paths…\]/);
      assert.match(run.stdout, /--fail-on/);
    }
  });

  it('prints the package version', () => {
    const run = runCli(['--version'], { cwd: repoRoot });
    assert.equal(run.code, 0);
    assert.equal(run.stdout.trim(), version);
  });

  it('lists the rules as text and JSON', () => {
    const text = runCli(['rules'], { cwd: repoRoot });
    assert.equal(text.code, 0);
    assert.match(text.stdout, /^RULE\s+SEVERITY\s+LAYER\s+FIX\s+TITLE/);
    assert.match(text.stdout, /docker\/user-root\s+high\s+container\s+fix\s+\S/);
    assert.match(text.stdout, /fourfold\/parse-error/);

    const json = runCli(['rules', '--format', 'json'], { cwd: repoRoot });
    assert.equal(json.code, 0);
    const rules = JSON.parse(json.stdout) as { id: string; severity: string; layer: string; title: string; fixable: boolean }[];
    assert.deepEqual(
      rules.find((r) => r.id === 'docker/user-root'),
      {
        id: 'docker/user-root',
        title: 'Container runs as root',
        severity: 'high',
        layer: 'container',
        fixable: true,
        description: 'The final stage sets no non-root USER, so the container process runs as root.',
        references: {
          cwe: ['CWE-250'],
          cis: ['CIS Docker 4.1'],
          hadolint: ['DL3002'],
          trivy: ['AVD-DS-0002'],
          checkov: ['CKV_DOCKER_3', 'CKV_DOCKER_8'],
          kics: ['fd54f200-402c-4333-a5a4-36ef6709af2f', '67fd0c4a-68cf-46d7-8c41-bc9fba7e40ae'],
        },
      },
    );
    // Every rule of the index, sorted by id.
    assert.deepEqual(
      rules.map((r) => r.id),
      allRules.map((r) => r.id).sort(),
    );
  });
});

describe('usage errors exit 2 with one line naming the problem and `fourfold --help`', () => {
  const workspace = copyFixture('workspace-basic');
  const cases: [string, string[], RegExp][] = [
    ['no command', [], /missing command/],
    ['unknown command', ['scna'], /unknown command 'scna'/],
    ['unknown flag', ['scan', '--bogus'], /unknown option '--bogus'/],
    ['unknown short flag', ['scan', '-z'], /unknown option '-z'/],
    ['missing value', ['scan', '--format'], /'--format' needs a value/],
    ['value that is a flag', ['scan', '--output', '--quiet'], /'--output' needs a value/],
    ['bad format', ['scan', '--format', 'xml'], /bad value 'xml' for --format: expected one of text, json, sarif/],
    ['bad --fail-on', ['scan', '--fail-on', 'severe'], /bad value 'severe' for --fail-on: expected one of critical, high, medium, low, info, none/],
    ['path not found', ['scan', 'no/such/dir'], /path not found: no\/such\/dir/],
    ['bad --rule shape', ['scan', '--rule', 'docker/user-root'], /bad --rule 'docker\/user-root'/],
    ['unknown rule in --rule', ['scan', '--rule', 'docker/nope=off'], /unknown rule 'docker\/nope'/],
    ['bad --rule value', ['scan', '--rule', 'docker/user-root=loud'], /bad --rule value 'loud'/],
    ['missing --config file', ['scan', '--config', 'nowhere.yaml'], /config file not found: nowhere\.yaml/],
    ['--config with --no-config', ['scan', '--config', 'x.yaml', '--no-config'], /cannot be used together/],
    ['missing --baseline file', ['scan', '--baseline', 'none.json'], /baseline file not found: none\.json/],
    ['rules with a bad format', ['rules', '--format', 'sarif'], /bad value 'sarif' for --format: expected one of text, json/],
  ];
  for (const [name, args, message] of cases) {
    it(name, () => {
      const run = runCli(args, { cwd: workspace });
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.equal(run.stdout, '');
      const lines = run.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0], /^fourfold: /);
      assert.match(lines[0], message);
      assert.match(lines[0], /fourfold --help/);
    });
  }
});

describe('bad .fourfold.yaml', () => {
  it('exits 2 and prints each problem as file:line:col at the bad key', () => {
    const workspace = copyFixture('workspace-bad-config');
    const run = runCli(['scan'], { cwd: workspace });
    assert.equal(run.code, 2, run.stderr);
    assert.equal(run.stdout, '');
    const lines = run.stderr.trimEnd().split('\n');
    // rules:\n  docker/user-root: sometimes\n  docker/no-such-rule: off\nexlude: …
    assert.match(lines[0], /^\.fourfold\.yaml:2:21: .*docker\/user-root.*must be one of off, on, critical/);
    assert.match(lines[1], /^\.fourfold\.yaml:3:3: Unknown rule id `docker\/no-such-rule`/);
    assert.match(lines[2], /^\.fourfold\.yaml:4:1: Unknown key `exlude`/);
    assert.match(lines.at(-1)!, /^fourfold: invalid configuration in \.fourfold\.yaml \(see fourfold --help\)$/);
  });

  it('names a --config file by its path, and YAML syntax errors by position', () => {
    const workspace = copyFixture('workspace-basic');
    fs.mkdirSync(path.join(workspace, 'ci'));
    fs.writeFileSync(path.join(workspace, 'ci/strict.yaml'), 'rules:\n  docker/user-root: [high\n');
    const run = runCli(['scan', '--config', 'ci/strict.yaml'], { cwd: workspace });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^ci\/strict\.yaml:\d+:\d+: .*not valid YAML/m);
    assert.match(run.stderr, /invalid configuration in ci\/strict\.yaml/);
  });

  it('--no-config ignores it', () => {
    const workspace = copyFixture('workspace-bad-config');
    const run = runCli(['scan', '--no-config', '--fail-on', 'none'], { cwd: workspace });
    assert.equal(run.code, 0, run.stderr);
  });

  it('a malformed baseline file is a configuration error', () => {
    const workspace = copyFixture('workspace-basic');
    fs.writeFileSync(path.join(workspace, '.fourfold-baseline.json'), '{"findings": [');
    const run = runCli(['scan'], { cwd: workspace });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /baseline is not valid JSON/);
  });
});

describe('colour', () => {
  // In-process, with a fake terminal: colour only on a TTY, and never when NO_COLOR is set.
  const workspace = copyFixture('workspace-basic');
  async function output(isTTY: boolean, env: NodeJS.ProcessEnv): Promise<string> {
    let out = '';
    const stdout = { isTTY, write: (s: string) => (out += s) };
    const code = await main(['scan', '--fail-on', 'none'], { stdout, stderr: { write: () => true }, cwd: workspace, env });
    assert.equal(code, 0);
    return out;
  }
  it('is used on a terminal', async () => {
    assert.match(await output(true, {}), /\x1b\[31mhigh/);
  });
  it('is not used with NO_COLOR or when piped', async () => {
    assert.doesNotMatch(await output(true, { NO_COLOR: '1' }), /\x1b\[/);
    assert.doesNotMatch(await output(false, {}), /\x1b\[/);
  });
});
