// `fourfold scan` end to end: output formats, exit codes, configuration, baseline, the walk, encodings.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { copyFixture, emptyWorkspace, onlyRulesConfig, repoRoot, ruleIdsByPath, runCli, scanJson, usingBundle, write } from './helpers';

describe('text format', () => {
  const workspace = copyFixture('workspace-basic');

  it('lists findings as path:line:col  severity  rule-id  message, grouped by file, with a summary', () => {
    const run = runCli(['scan', '--fail-on', 'none'], { cwd: workspace });
    assert.equal(run.code, 0, run.stderr);
    const out = run.stdout;
    // FROM python:latest — the `latest` tag at line 1, column 13
    assert.match(out, /^services\/api\/Dockerfile:1:13\s+medium\s+docker\/image-tag-latest\s+python:latest uses the `latest` tag/m);
    assert.match(out, /^Dockerfile:\d+:\d+\s+high\s+docker\/user-root\s+/m);
    // grouped: all lines of one file together, files in path order
    const paths = out.split('\n').map((l) => /^(\S+?):\d+:\d+ /.exec(l)?.[1]).filter(Boolean);
    assert.deepEqual(paths, [...paths].sort());
    assert.match(out, /^\d+ findings? in \d+ files? \(5 files checked\): .*\d+ high/m);
    assert.match(out, /^ {2}by layer: .*container \d+/m);
    // suppressed findings are counted, not listed
    assert.doesNotMatch(out, /^tools\/Dockerfile:\d+:\d+\s+\S+\s+docker\/user-root/m);
    assert.match(out, /\d+ suppressed \(not shown; --show-suppressed lists them\)/);
    assert.doesNotMatch(out, /\x1b\[/, 'no colour when stdout is not a terminal');
  });

  it('--show-suppressed lists them with their reason', () => {
    const run = runCli(['scan', '--fail-on', 'none', '--show-suppressed'], { cwd: workspace });
    assert.match(run.stdout, /^tools\/Dockerfile:\d+:\d+\s+high\s+docker\/user-root\s+.*\(suppressed: file: a one-shot migration job that must own the volume it prepares\)/m);
  });

  it('--quiet prints the findings only', () => {
    const run = runCli(['scan', '--fail-on', 'none', '--quiet'], { cwd: workspace });
    assert.match(run.stdout, /docker\/user-root/);
    assert.doesNotMatch(run.stdout, /files? checked|by layer/);
  });

  it('notes parse errors and says when there is nothing to report', () => {
    const ws = emptyWorkspace();
    write(ws, 'Dockerfile', 'FROM alpine:3.20\nUSER app\nFROM\n');
    const run = runCli(['scan', '--fail-on', 'none', '--rule', 'docker/user-root=off'], { cwd: ws });
    assert.match(run.stdout, /^Dockerfile:3:1\s+medium\s+fourfold\/parse-error\s+/m);
    assert.match(run.stdout, /1 parse error/);
    const clean = emptyWorkspace();
    write(clean, 'README.md', '# nothing to check\n');
    const none = runCli(['scan'], { cwd: clean });
    assert.equal(none.code, 0);
    assert.match(none.stdout, /^No findings \(1 file checked\)\.$/m);
  });

  it('writes the report to --output', () => {
    const out = path.join(workspace, 'reports/fourfold.txt');
    const run = runCli(['scan', '--output', 'reports/fourfold.txt'], { cwd: workspace });
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.match(fs.readFileSync(out, 'utf8'), /docker\/user-root/);
    assert.match(run.stderr, /wrote text report to reports\/fourfold\.txt; \d+ findings? at or above high/);
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
    assert.equal(typeof latest.message, 'string');
    const tools = report.files.find((f) => f.path === 'tools/Dockerfile')!;
    const suppressed = tools.findings.filter((f) => f.suppressed);
    assert.ok(suppressed.some((f) => f.ruleId === 'docker/user-root' && f.suppressed!.kind === 'file'));
    assert.ok(suppressed.some((f) => f.ruleId === 'docker/image-not-pinned-digest' && f.suppressed!.kind === 'inline' && f.suppressed!.reason === 'rebuilt nightly from the mirror'));
    const s = report.summary;
    const all = report.files.flatMap((f) => f.findings);
    assert.equal(s.findings, all.filter((f) => !f.suppressed).length);
    assert.equal(s.suppressed, suppressed.length);
    assert.equal(s.files, 5, 'every text file is checked: three Dockerfiles, .dockerignore and the README');
    assert.equal(Object.values(s.bySeverity).reduce((a, b) => a + b, 0), s.findings);
    assert.equal(Object.values(s.byLayer).reduce((a, b) => a + b, 0), s.findings);
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
    const byPath = ruleIdsByPath(report);
    assert.ok(!('legacy/Dockerfile' in byPath) && !report.files.some((f) => f.path.startsWith('legacy/')), 'legacy/** excluded');
    const all = report.files.flatMap((f) => f.findings);
    assert.ok(!all.some((f) => f.ruleId === 'docker/image-not-pinned-digest'), 'rule turned off');
    const latest = all.find((f) => f.ruleId === 'docker/image-tag-latest');
    assert.equal(latest?.severity, 'high', 'severity override');
    assert.deepEqual(
      report.files.filter((f) => f.findings.some((x) => x.ruleId === 'docker/untrusted-registry')).map((f) => f.path),
      ['web/Dockerfile'],
      'only quay.io is outside trustedRegistries',
    );
  });

  it('command-line flags win over the file', () => {
    const workspace = copyFixture('workspace-config');
    const { report } = scanJson(workspace, ['--rule', 'docker/image-tag-latest=low', '--rule', 'docker/untrusted-registry=off', '--exclude', 'web/**']);
    assert.deepEqual(report.files.map((f) => f.path), ['Dockerfile']);
    const { report: r2 } = scanJson(workspace, ['--rule', 'docker/image-tag-latest=low']);
    assert.equal(r2.files.flatMap((f) => f.findings).find((f) => f.ruleId === 'docker/image-tag-latest')?.severity, 'low');
  });

  it('finds the root from a path below it, and --config reads another file', () => {
    const workspace = copyFixture('workspace-config');
    const below = runCli(['scan', '../web', '--format', 'json', '--fail-on', 'none'], { cwd: path.join(workspace, 'legacy') });
    const report = JSON.parse(below.stdout) as { files: { path: string; findings: { ruleId: string; severity: string }[] }[] };
    assert.deepEqual(report.files.map((f) => f.path), ['web/Dockerfile'], 'paths are relative to the root with .fourfold.yaml');
    assert.equal(report.files[0].findings.find((f) => f.ruleId === 'docker/image-tag-latest')?.severity, 'high');

    write(workspace, 'ci/other.yaml', 'rules:\n  docker/image-tag-latest: info\n');
    const { report: other } = scanJson(workspace, ['--config', 'ci/other.yaml']);
    assert.ok(other.files.some((f) => f.path === 'legacy/Dockerfile'), 'the other file excludes nothing');
    assert.ok(other.files.flatMap((f) => f.findings).some((f) => f.ruleId === 'docker/image-tag-latest' && f.severity === 'info'));
  });
});

describe('baseline', () => {
  it('accepts current findings, survives lines moving, and reports changed lines again', () => {
    const workspace = copyFixture('workspace-basic');
    const write1 = runCli(['scan', '--write-baseline'], { cwd: workspace });
    assert.equal(write1.code, 0, write1.stderr);
    assert.match(write1.stdout, /^Wrote \d+ accepted findings? to \.fourfold-baseline\.json$/m);
    const baseline = JSON.parse(fs.readFileSync(path.join(workspace, '.fourfold-baseline.json'), 'utf8')) as { findings: { path: string; ruleId: string }[] };
    assert.ok(baseline.findings.some((f) => f.path === 'services/api/Dockerfile' && f.ruleId === 'docker/image-tag-latest'));
    assert.ok(!baseline.findings.some((f) => f.path === 'tools/Dockerfile' && f.ruleId === 'docker/user-root'), 'comment-suppressed findings are not baselined');

    const after = runCli(['scan', '--fail-on', 'info'], { cwd: workspace });
    assert.equal(after.code, 0, after.stdout);
    assert.match(after.stdout, /^No findings \(6 files checked, \d+ suppressed\)\.$/m);

    // Lines move: a comment and blank lines above everything.
    const api = path.join(workspace, 'services/api/Dockerfile');
    const original = fs.readFileSync(api, 'utf8');
    fs.writeFileSync(api, `# syntax-free header comment\n\n\n${original}`);
    assert.equal(runCli(['scan', '--fail-on', 'info'], { cwd: workspace }).code, 0, 'moved lines still match');

    // The flagged text changes: reported again.
    fs.writeFileSync(api, original.replace('FROM python:latest', 'FROM pypy:latest'));
    const changed = scanJson(workspace).report;
    const apiFindings = changed.files.find((f) => f.path === 'services/api/Dockerfile')!.findings;
    assert.ok(apiFindings.some((f) => f.ruleId === 'docker/image-tag-latest' && !f.suppressed));
    assert.equal(runCli(['scan', '--fail-on', 'medium'], { cwd: workspace }).code, 1);
  });

  it('--baseline and --write-baseline=FILE use another file; SARIF marks baselined results external', () => {
    const workspace = copyFixture('workspace-basic');
    assert.equal(runCli(['scan', '--write-baseline=ci/accepted.json'], { cwd: workspace }).code, 0);
    assert.ok(fs.existsSync(path.join(workspace, 'ci/accepted.json')));
    assert.equal(runCli(['scan', '--fail-on', 'info'], { cwd: workspace }).code, 1, 'the default baseline file does not exist');
    assert.equal(runCli(['scan', '--fail-on', 'info', '--baseline', 'ci/accepted.json'], { cwd: workspace }).code, 0);
    const sarif = runCli(['scan', '--format', 'sarif', '--baseline', 'ci/accepted.json'], { cwd: workspace });
    const results = (JSON.parse(sarif.stdout) as { runs: { results: { suppressions?: { kind: string }[] }[] }[] }).runs[0].results;
    assert.ok(results.length > 0);
    assert.ok(results.every((r) => r.suppressions?.length === 1));
    assert.ok(results.some((r) => r.suppressions![0].kind === 'external'));
    assert.ok(results.some((r) => r.suppressions![0].kind === 'inSource'));
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
    const text = '# Ünïcödé — 日本語\nFROM python:latest\nUSER app\n';
    write(workspace, 'le/Dockerfile', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const be = Buffer.from(text, 'utf16le').swap16();
    write(workspace, 'be/Dockerfile', Buffer.concat([Buffer.from([0xfe, 0xff]), be]));
    write(workspace, 'utf8/Dockerfile', `\ufeff${text}`);
    const { report } = scanJson(workspace);
    assert.deepEqual(report.skipped, []);
    for (const dir of ['be', 'le', 'utf8']) {
      const file = report.files.find((f) => f.path === `${dir}/Dockerfile`);
      assert.ok(file, dir);
      const latest = file.findings.find((f) => f.ruleId === 'docker/image-tag-latest');
      assert.deepEqual(latest && [latest.line, latest.column], [2, 13], dir);
      assert.ok(!file.findings.some((f) => f.ruleId === 'fourfold/parse-error'), `${dir}: parses`);
    }
  });
});

describe('the installed command', () => {
  it('bin/fourfold.js runs the bundle', { skip: !usingBundle() && 'dist/cli.js is not built' }, () => {
    const workspace = copyFixture('workspace-basic');
    const run = runCli(['--version'], { cwd: workspace });
    assert.equal(run.code, 0);
    const viaBin = spawnSync(process.execPath, [path.join(repoRoot, 'bin/fourfold.js'), 'scan', '--fail-on', 'none'], {
      cwd: workspace,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    assert.equal(viaBin.status, 0);
    assert.match(viaBin.stdout, /docker\/user-root/);
  });
});
