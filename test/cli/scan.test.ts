// `fourfold scan` end to end: output formats, exit codes, configuration, baseline, the walk, encodings.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { copyFixture, emptyWorkspace, onlyRulesConfig, repoRoot, runCli, scanJson, usingBundle, write, type JsonReport } from './helpers';

/** `path severity rule` of every finding not suppressed, sorted. */
function bySeverity(report: JsonReport): string[] {
  return report.files.flatMap((f) => f.findings.filter((x) => !x.suppressed).map((x) => `${f.path} ${x.severity} ${x.ruleId}`)).sort();
}

/**
 * docker/eol-base-image's message names the oldest release still supported *today*, so tests that
 * compare whole reports turn it off; its own fixtures and unit tests cover it.
 */
const NO_EOL = ['--rule', 'docker/eol-base-image=off'];

const HEALTHCHECK = (image: string) =>
  `The final stage (${image}) has no HEALTHCHECK: a container that hangs or stops serving keeps running and receiving traffic. Add \`HEALTHCHECK CMD …\`, or \`HEALTHCHECK NONE\` to say that the orchestrator checks health instead.`;
const NOT_PINNED = (image: string) =>
  `${image} is not pinned by digest; tags can be re-pointed, so write ${image}@sha256:… to get exactly the image you reviewed.`;
const USER_ROOT = (image: string) =>
  `The final stage sets no USER, so the container runs as root, as its base image ${image} does; add a non-root USER.`;
const UNPINNED_APK =
  '`apk` installs `postgresql16-client` without a version: each build takes whatever the mirror has, so images built from the same Dockerfile differ and a bad update arrives unreviewed. Pin as `<package>=<version>` (and let a bot such as Renovate bump it), or accept the drift deliberately.';

/** The finding lines for workspace-basic (without docker/eol-base-image), grouped by file. */
const BASIC_FINDINGS = [
  `Dockerfile:2:6  low       docker/healthcheck-missing      ${HEALTHCHECK('node:20.11-alpine')}`,
  `Dockerfile:2:6  info      docker/image-not-pinned-digest  ${NOT_PINNED('node:20.11-alpine')}`,
  `Dockerfile:2:6  high      docker/user-root                ${USER_ROOT('node:20.11-alpine')}`,
  '',
  `services/api/Dockerfile:1:6   low       docker/healthcheck-missing      ${HEALTHCHECK('python:latest')}`,
  `services/api/Dockerfile:1:6   info      docker/image-not-pinned-digest  ${NOT_PINNED('python:latest')}`,
  'services/api/Dockerfile:1:13  medium    docker/image-tag-latest         python:latest uses the `latest` tag, which moves with every release; pin a version tag (and a digest).',
  '',
  `tools/Dockerfile:3:24  info      docker/package-version-unpinned  ${UNPINNED_APK}`,
  `tools/Dockerfile:5:6   low       docker/healthcheck-missing       ${HEALTHCHECK('alpine:3.20')}`,
];

describe('text format', () => {
  const workspace = copyFixture('workspace-basic');

  it('lists findings as path:line:col  severity  rule-id  message, grouped by file in path order, with a summary', () => {
    const run = runCli(['scan', '--fail-on', 'none', ...NO_EOL], { cwd: workspace });
    assert.equal(run.code, 0, run.stderr);
    // Suppressed findings (two in tools/Dockerfile) are counted, not listed; no colour when stdout is not a terminal.
    assert.equal(
      run.stdout,
      [
        ...BASIC_FINDINGS,
        '',
        '8 findings in 3 files (5 files checked): 1 high, 1 medium, 3 low, 3 info',
        '  by layer: container 8',
        '  2 suppressed (not shown; --show-suppressed lists them)',
        '',
      ].join('\n'),
    );
    assert.equal(run.stderr, '');
  });

  it('--show-suppressed lists them with their reason', () => {
    const run = runCli(['scan', '--fail-on', 'none', '--show-suppressed', '--quiet', 'tools', ...NO_EOL], { cwd: workspace });
    assert.equal(
      run.stdout,
      [
        `tools/Dockerfile:3:24  info      docker/package-version-unpinned  ${UNPINNED_APK}`,
        `tools/Dockerfile:5:6   low       docker/healthcheck-missing       ${HEALTHCHECK('alpine:3.20')}`,
        `tools/Dockerfile:5:6   info      docker/image-not-pinned-digest   ${NOT_PINNED('alpine:3.20')} (suppressed: inline: rebuilt nightly from the mirror)`,
        `tools/Dockerfile:5:6   high      docker/user-root                 ${USER_ROOT('alpine:3.20')} (suppressed: file: a one-shot migration job that must own the volume it prepares)`,
        '',
      ].join('\n'),
    );
  });

  it('--quiet prints the findings only', () => {
    const run = runCli(['scan', '--fail-on', 'none', '--quiet', ...NO_EOL], { cwd: workspace });
    assert.equal(run.stdout, [...BASIC_FINDINGS, ''].join('\n'));
  });

  it('notes parse errors and says when there is nothing to report', () => {
    const ws = emptyWorkspace();
    write(ws, 'Dockerfile', 'FROM alpine:3.20\nUSER app\nFROM\n');
    const run = runCli(['scan', '--fail-on', 'none', '--rule', 'docker/user-root=off', ...NO_EOL], { cwd: ws });
    assert.equal(
      run.stdout,
      [
        `Dockerfile:1:6  info      docker/image-not-pinned-digest  ${NOT_PINNED('alpine:3.20')}`,
        'Dockerfile:3:1  medium    fourfold/parse-error            FROM requires an image name',
        '',
        '2 findings in 1 file (1 file checked): 1 medium, 1 info',
        '  by layer: container 1, general 1',
        '  1 parse error',
        '',
      ].join('\n'),
    );
    const clean = emptyWorkspace();
    write(clean, 'README.md', '# nothing to check\n');
    const none = runCli(['scan'], { cwd: clean });
    assert.equal(none.code, 0);
    assert.equal(none.stdout, 'No findings (1 file checked).\n', 'the README is checked for secrets');
  });

  it('writes the report to --output', () => {
    const out = path.join(workspace, 'reports/fourfold.txt');
    const run = runCli(['scan', '--output', 'reports/fourfold.txt', ...NO_EOL], { cwd: workspace });
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.equal(
      fs.readFileSync(out, 'utf8'),
      [
        ...BASIC_FINDINGS,
        '',
        '8 findings in 3 files (5 files checked): 1 high, 1 medium, 3 low, 3 info',
        '  by layer: container 8',
        '  2 suppressed (not shown; --show-suppressed lists them)',
        '',
      ].join('\n'),
    );
    assert.equal(run.stderr, 'fourfold: wrote text report to reports/fourfold.txt; 1 finding at or above high\n');
  });
});

describe('JSON format', () => {
  it('has the documented shape', () => {
    const workspace = copyFixture('workspace-basic');
    const { report } = scanJson(workspace);
    assert.equal(report.version, 1);
    assert.deepEqual(Object.keys(report).sort(), ['files', 'ruleErrors', 'skipped', 'summary', 'tool', 'version']);
    assert.deepEqual(
      report.files.map((f) => f.path),
      ['Dockerfile', 'services/api/Dockerfile', 'tools/Dockerfile'],
    );
    const api = report.files.find((f) => f.path === 'services/api/Dockerfile')!;
    const latest = api.findings.find((f) => f.ruleId === 'docker/image-tag-latest')!;
    assert.deepEqual(
      { line: latest.line, column: latest.column, endLine: latest.endLine, endColumn: latest.endColumn, severity: latest.severity },
      { line: 1, column: 13, endLine: 1, endColumn: 19, severity: 'medium' },
    );
    assert.equal(latest.message, 'python:latest uses the `latest` tag, which moves with every release; pin a version tag (and a digest).');
    const tools = report.files.find((f) => f.path === 'tools/Dockerfile')!;
    const suppressed = tools.findings.filter((f) => f.suppressed);
    assert.deepEqual(
      suppressed.map((f) => [f.ruleId, f.suppressed]),
      [
        ['docker/image-not-pinned-digest', { kind: 'inline', reason: 'rebuilt nightly from the mirror' }],
        ['docker/user-root', { kind: 'file', reason: 'a one-shot migration job that must own the volume it prepares' }],
      ],
    );
    const all = report.files.flatMap((f) => f.findings);
    assert.equal(all.filter((f) => !f.suppressed).length, 11);
    // The three docker/eol-base-image findings (node 20, alpine 3.20 twice) are high.
    assert.deepEqual(report.summary, {
      files: 5,
      findings: 11,
      suppressed: 2,
      bySeverity: { critical: 0, high: 4, medium: 1, low: 3, info: 3 },
      byLayer: { container: 11 },
      parseErrors: 0,
      skipped: 0,
      ruleErrors: 0,
    });
  });
});

describe('exit codes', () => {
  // Only docker/image-tag-latest (medium) runs, so rules added later cannot change the outcome.
  const workspace = copyFixture('workspace-basic');
  fs.writeFileSync(path.join(workspace, '.fourfold.yaml'), onlyRulesConfig(['docker/image-tag-latest']));
  const cases: [string, number][] = [
    ['critical', 0],
    ['high', 0],
    ['medium', 1],
    ['low', 1],
    ['info', 1],
    ['none', 0],
  ];
  for (const [failOn, code] of cases) {
    it(`--fail-on ${failOn} with a medium finding exits ${code}`, () => {
      assert.equal(runCli(['scan', '--fail-on', failOn], { cwd: workspace }).code, code);
    });
  }

  it('defaults to --fail-on high', () => {
    assert.equal(runCli(['scan'], { cwd: workspace }).code, 0);
    assert.equal(runCli(['scan', '--rule', 'docker/image-tag-latest=high'], { cwd: workspace }).code, 1);
  });

  it('suppressed findings never fail the run', () => {
    const ws = copyFixture('workspace-basic');
    fs.writeFileSync(path.join(ws, '.fourfold.yaml'), onlyRulesConfig(['docker/user-root', 'docker/image-not-pinned-digest']));
    // tools/Dockerfile has both, suppressed by comments; the other two files are not scanned here
    assert.equal(runCli(['scan', 'tools', '--fail-on', 'info'], { cwd: ws }).code, 0);
    assert.equal(runCli(['scan', '--fail-on', 'info'], { cwd: ws }).code, 1);
  });
});

describe('configuration', () => {
  it('honours rule off, severity overrides, excludes and trusted registries from .fourfold.yaml', () => {
    const workspace = copyFixture('workspace-config');
    const { report } = scanJson(workspace);
    // legacy/** excluded; image-not-pinned-digest off; image-tag-latest raised to high; only quay.io
    // is outside trustedRegistries.
    assert.deepEqual(bySeverity(report), [
      'Dockerfile info docker/healthcheck-missing',
      'web/Dockerfile high docker/image-tag-latest',
      'web/Dockerfile high docker/untrusted-registry',
      'web/Dockerfile info docker/healthcheck-missing',
    ]);
  });

  it('command-line flags win over the file', () => {
    const workspace = copyFixture('workspace-config');
    const { report } = scanJson(workspace, ['--rule', 'docker/image-tag-latest=low', '--rule', 'docker/untrusted-registry=off', '--exclude', 'web/**']);
    assert.deepEqual(bySeverity(report), ['Dockerfile info docker/healthcheck-missing']);
    const { report: r2 } = scanJson(workspace, ['--rule', 'docker/image-tag-latest=low']);
    assert.deepEqual(bySeverity(r2), [
      'Dockerfile info docker/healthcheck-missing',
      'web/Dockerfile high docker/untrusted-registry',
      'web/Dockerfile info docker/healthcheck-missing',
      'web/Dockerfile low docker/image-tag-latest',
    ]);
  });

  it('finds the root from a path below it, and --config reads another file', () => {
    const workspace = copyFixture('workspace-config');
    const below = runCli(['scan', '../web', '--format', 'json', '--fail-on', 'none'], { cwd: path.join(workspace, 'legacy') });
    // Paths are relative to the root with .fourfold.yaml, whose rules apply.
    assert.deepEqual(bySeverity(JSON.parse(below.stdout) as JsonReport), [
      'web/Dockerfile high docker/image-tag-latest',
      'web/Dockerfile high docker/untrusted-registry',
      'web/Dockerfile info docker/healthcheck-missing',
    ]);

    // The other file excludes nothing, trusts every registry and only lowers image-tag-latest.
    write(workspace, 'ci/other.yaml', 'rules:\n  docker/image-tag-latest: info\n');
    const { report: other } = scanJson(workspace, ['--config', 'ci/other.yaml']);
    assert.deepEqual(bySeverity(other), [
      'Dockerfile info docker/healthcheck-missing',
      'Dockerfile info docker/image-not-pinned-digest',
      'legacy/Dockerfile high docker/user-root',
      'legacy/Dockerfile info docker/image-not-pinned-digest',
      'legacy/Dockerfile info docker/image-tag-latest',
      'legacy/Dockerfile info docker/package-version-unpinned',
      'legacy/Dockerfile low docker/apt-get-no-install-recommends',
      'legacy/Dockerfile low docker/apt-lists-not-removed',
      'legacy/Dockerfile low docker/cmd-shell-form',
      'legacy/Dockerfile low docker/healthcheck-missing',
      'web/Dockerfile info docker/healthcheck-missing',
      'web/Dockerfile info docker/image-not-pinned-digest',
      'web/Dockerfile info docker/image-tag-latest',
    ]);
  });
});

/** workspace-basic's findings as the baseline lists them: path, rule, line, fingerprint. */
const BASIC_BASELINE: [string, string, number, string][] = [
  ['Dockerfile', 'docker/healthcheck-missing', 2, '5aa5dc05891e852f'],
  ['Dockerfile', 'docker/image-not-pinned-digest', 2, '46c255dd5603b8b5'],
  ['Dockerfile', 'docker/user-root', 2, '6a90dcf1141b4cec'],
  ['Dockerfile', 'docker/eol-base-image', 2, 'a673ec7e0f57a052'],
  ['services/api/Dockerfile', 'docker/healthcheck-missing', 1, '63105c6b9630006f'],
  ['services/api/Dockerfile', 'docker/image-not-pinned-digest', 1, 'ea713a0f36d4eb6d'],
  ['services/api/Dockerfile', 'docker/image-tag-latest', 1, 'd9c4e2a7e0448a30'],
  ['tools/Dockerfile', 'docker/eol-base-image', 2, '3083fb27c9fa73b9'],
  ['tools/Dockerfile', 'docker/package-version-unpinned', 3, '1255bf205dacc693'],
  ['tools/Dockerfile', 'docker/healthcheck-missing', 5, '1e1ecec0b268c547'],
  ['tools/Dockerfile', 'docker/eol-base-image', 5, '9f0c6722fbf0283b'],
];

/**
 * The exact baseline file for workspace-basic: every finding not suppressed by a comment, with the
 * message the scan `report` showed for it (docker/eol-base-image's names today's oldest supported
 * release), as indented JSON with a final newline.
 */
function basicBaselineFile(report: JsonReport): string {
  const findings = BASIC_BASELINE.map(([file, ruleId, line, fingerprint]) => {
    const shown = report.files.find((f) => f.path === file)!.findings.filter((f) => f.ruleId === ruleId && f.line === line && !f.suppressed);
    assert.equal(shown.length, 1, `${file}:${line} ${ruleId} in the report`);
    return { path: file, ruleId, fingerprint, line, message: shown[0].message };
  });
  return `${JSON.stringify({ findings }, null, 2)}\n`;
}

describe('baseline', () => {
  it('accepts current findings, survives lines moving, and reports changed lines again', () => {
    const workspace = copyFixture('workspace-basic');
    const { report: before } = scanJson(workspace);
    const write1 = runCli(['scan', '--write-baseline'], { cwd: workspace });
    assert.equal(write1.code, 0, write1.stderr);
    assert.equal(write1.stdout, 'Wrote 11 accepted findings to .fourfold-baseline.json\n');
    // Comment-suppressed findings (tools/Dockerfile: user-root, image-not-pinned-digest) are not baselined.
    assert.equal(fs.readFileSync(path.join(workspace, '.fourfold-baseline.json'), 'utf8'), basicBaselineFile(before));

    const after = runCli(['scan', '--fail-on', 'info'], { cwd: workspace });
    assert.equal(after.code, 0, after.stdout);
    assert.equal(after.stdout, 'No findings (6 files checked, 13 suppressed).\n');

    // Lines move: a comment and blank lines above everything.
    const api = path.join(workspace, 'services/api/Dockerfile');
    const original = fs.readFileSync(api, 'utf8');
    fs.writeFileSync(api, `# syntax-free header comment\n\n\n${original}`);
    assert.equal(runCli(['scan', '--fail-on', 'info'], { cwd: workspace }).code, 0, 'moved lines still match');

    // The flagged line changes: its three findings are reported again, the rest stay accepted.
    fs.writeFileSync(api, original.replace('FROM python:latest', 'FROM pypy:latest'));
    const changed = scanJson(workspace).report;
    assert.deepEqual(bySeverity(changed), [
      'services/api/Dockerfile info docker/healthcheck-missing',
      'services/api/Dockerfile info docker/image-not-pinned-digest',
      'services/api/Dockerfile medium docker/image-tag-latest',
    ]);
    assert.equal(runCli(['scan', '--fail-on', 'medium'], { cwd: workspace }).code, 1);
  });

  it('--baseline and --write-baseline=FILE use another file; SARIF marks baselined results external', () => {
    const workspace = copyFixture('workspace-basic');
    const { report } = scanJson(workspace);
    assert.equal(runCli(['scan', '--write-baseline=ci/accepted.json'], { cwd: workspace }).code, 0);
    assert.equal(fs.readFileSync(path.join(workspace, 'ci/accepted.json'), 'utf8'), basicBaselineFile(report));
    assert.equal(fs.existsSync(path.join(workspace, '.fourfold-baseline.json')), false, 'the default file is not written');
    assert.equal(runCli(['scan', '--fail-on', 'info'], { cwd: workspace }).code, 1, 'the default baseline file does not exist');
    assert.equal(runCli(['scan', '--fail-on', 'info', '--baseline', 'ci/accepted.json'], { cwd: workspace }).code, 0);
    const sarif = runCli(['scan', '--format', 'sarif', '--baseline', 'ci/accepted.json'], { cwd: workspace });
    const results = (JSON.parse(sarif.stdout) as { runs: { results: { ruleId: string; suppressions?: { kind: string }[] }[] }[] }).runs[0].results;
    // The 11 baselined findings are external suppressions, the 2 comment-suppressed ones inSource.
    assert.deepEqual(
      results.map((r) => `${r.ruleId} ${r.suppressions?.map((x) => x.kind).join(',')}`).sort(),
      [
        'docker/eol-base-image external',
        'docker/eol-base-image external',
        'docker/eol-base-image external',
        'docker/healthcheck-missing external',
        'docker/healthcheck-missing external',
        'docker/healthcheck-missing external',
        'docker/image-not-pinned-digest external',
        'docker/image-not-pinned-digest external',
        'docker/image-not-pinned-digest inSource',
        'docker/image-tag-latest external',
        'docker/package-version-unpinned external',
        'docker/user-root external',
        'docker/user-root inSource',
      ],
    );
  });
});

describe('the walk', () => {
  it('honours nested .gitignore files and skips node_modules', () => {
    const workspace = copyFixture('workspace-gitignore');
    write(workspace, 'node_modules/some-pkg/Dockerfile', 'FROM alpine\n');
    write(workspace, '.git/Dockerfile', 'FROM alpine\n');
    const { report } = scanJson(workspace);
    assert.deepEqual(report.files.map((f) => f.path), ['Dockerfile', 'sub/Dockerfile', 'sub/keep.generated.dockerfile']);
  });

  it('checks a named file even when it is ignored, and notes named files it cannot check', () => {
    const workspace = copyFixture('workspace-gitignore');
    write(workspace, 'README.md', '# build notes\n');
    write(workspace, 'logo.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]));
    const { report } = scanJson(workspace, ['build/Dockerfile', 'README.md', 'logo.png']);
    assert.deepEqual(report.files.map((f) => f.path), ['build/Dockerfile'], 'the README is checked and has no finding');
    assert.deepEqual(report.skipped, [{ path: 'logo.png', reason: 'binary content' }]);
    const text = runCli(['scan', 'logo.png'], { cwd: workspace });
    assert.equal(text.code, 0);
    assert.match(text.stdout, /note: skipped logo\.png: binary content/);
  });

  it('skips binary and oversized files with a note', () => {
    const workspace = emptyWorkspace();
    write(workspace, '.fourfold.yaml', 'maxFileSizeKb: 2\n');
    write(workspace, 'Dockerfile', 'FROM alpine:3.20\nUSER app\n');
    write(workspace, 'images/logo.dockerfile', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]));
    write(workspace, 'big/Dockerfile', `FROM alpine:3.20\n${'# padding padding padding padding\n'.repeat(100)}`);
    const { report } = scanJson(workspace);
    assert.deepEqual(report.files.map((f) => f.path).filter((p) => p !== 'Dockerfile'), []);
    assert.deepEqual(report.skipped, [
      { path: 'big/Dockerfile', reason: 'larger than 2 KB (maxFileSizeKb)' },
      { path: 'images/logo.dockerfile', reason: 'binary content' },
    ]);
    const text = runCli(['scan', '--fail-on', 'none'], { cwd: workspace });
    assert.match(text.stdout, /note: skipped big\/Dockerfile: larger than 2 KB/);
    assert.match(text.stdout, /note: skipped images\/logo\.dockerfile: binary content/);
    assert.match(text.stdout, /2 files skipped/);
  });

  it('decodes UTF-16 files with a byte-order mark', () => {
    const workspace = emptyWorkspace();
    const text = '# Ünïcödé — 日本語\nFROM python:latest\nUSER app\nCMD ["python", "app.py"]\n';
    write(workspace, 'le/Dockerfile', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const be = Buffer.from(text, 'utf16le').swap16();
    write(workspace, 'be/Dockerfile', Buffer.concat([Buffer.from([0xfe, 0xff]), be]));
    write(workspace, 'utf8/Dockerfile', `\ufeff${text}`);
    const { report } = scanJson(workspace);
    assert.deepEqual(report.skipped, []);
    // The same findings at the same UTF-16 positions in all three, and no parse error.
    assert.deepEqual(
      report.files.map((f) => [f.path, f.findings.map((x) => `${x.line}:${x.column} ${x.ruleId}`)]),
      ['be', 'le', 'utf8'].map((dir) => [
        `${dir}/Dockerfile`,
        ['2:6 docker/healthcheck-missing', '2:6 docker/image-not-pinned-digest', '2:13 docker/image-tag-latest'],
      ]),
    );
  });
});

describe('the installed command', () => {
  it('bin/fourfold.js runs the bundle', { skip: !usingBundle() && 'dist/cli.js is not built' }, () => {
    const workspace = copyFixture('workspace-basic');
    const version = runCli(['--version'], { cwd: workspace });
    assert.equal(version.code, 0);
    assert.equal(version.stdout, `${(JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version}\n`);
    const direct = runCli(['scan', '--fail-on', 'none', ...NO_EOL], { cwd: workspace });
    const viaBin = spawnSync(process.execPath, [path.join(repoRoot, 'bin/fourfold.js'), 'scan', '--fail-on', 'none', ...NO_EOL], {
      cwd: workspace,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    assert.equal(viaBin.status, 0);
    assert.equal(viaBin.stdout, direct.stdout);
    assert.equal(viaBin.stdout.split('\n').length, BASIC_FINDINGS.length + 5, 'the findings, a blank line, three summary lines');
  });
});
