// `fourfold scan --fix`: every safe fix applied in place, nothing else touched, then what is left reported.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { emptyWorkspace, runCli, write } from './helpers';

const BEFORE = [
  'FROM alpine:3.20',
  'MAINTAINER ops@example.com',
  '# keep this comment',
  'ADD app.txt /srv/app.txt',
  'RUN chmod 777 /srv && curl -fsSLk https://example.com/x -o /x',
  'USER 10001',
  'CMD ["/srv/run"]',
  '',
];
const AFTER = [
  'FROM alpine:3.20',
  'LABEL maintainer="ops@example.com"',
  '# keep this comment',
  'COPY app.txt /srv/app.txt',
  'RUN chmod 775 /srv && curl -fsSL https://example.com/x -o /x',
  'USER 10001',
  'CMD ["/srv/run"]',
  '',
];

describe('scan --fix', () => {
  it('applies the fixes in place, keeping line endings and the byte-order mark, and reports what is left', () => {
    const ws = emptyWorkspace();
    write(ws, 'lf/Dockerfile', BEFORE.join('\n'));
    write(ws, 'crlf/Dockerfile', BEFORE.join('\r\n'));
    write(ws, 'bom/Dockerfile', '\ufeff' + BEFORE.join('\n'));
    const run = runCli(['scan', '--fix', '--format', 'json', '--fail-on', 'none'], { cwd: ws });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /applied 12 fixes in 3 files/);
    assert.equal(fs.readFileSync(path.join(ws, 'lf/Dockerfile'), 'utf8'), AFTER.join('\n'));
    assert.equal(fs.readFileSync(path.join(ws, 'crlf/Dockerfile'), 'utf8'), AFTER.join('\r\n'));
    assert.equal(fs.readFileSync(path.join(ws, 'bom/Dockerfile'), 'utf8'), '\ufeff' + AFTER.join('\n'));
    // add-instead-of-copy, maintainer-deprecated, chmod-world-writable and insecure-download are
    // fixed; the findings without a fix are still reported, in each file.
    const report = JSON.parse(run.stdout) as { files: { path: string; findings: { ruleId: string; line: number }[] }[] };
    assert.deepEqual(
      report.files.map((f) => [f.path, f.findings.map((x) => `${x.line} ${x.ruleId}`)]),
      ['bom', 'crlf', 'lf'].map((dir) => [
        `${dir}/Dockerfile`,
        ['1 docker/healthcheck-missing', '1 docker/image-not-pinned-digest', '1 docker/eol-base-image'],
      ]),
    );
    // A second run finds nothing more to fix.
    const again = runCli(['scan', '--fix', '--fail-on', 'none'], { cwd: ws });
    assert.match(again.stderr, /applied 0 fixes in 0 files/);
  });

  it('leaves UTF-16 files and suppressed findings alone', () => {
    const ws = emptyWorkspace();
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(BEFORE.join('\n'), 'utf16le')]);
    write(ws, 'wide/Dockerfile', utf16);
    write(ws, 'kept/Dockerfile', '# fourfold-ignore-file docker/add-instead-of-copy: unpacks on purpose later\n' + BEFORE.join('\n'));
    const run = runCli(['scan', '--fix', '--fail-on', 'none', '--rule', 'docker/maintainer-deprecated=off', '--rule', 'docker/chmod-world-writable=off', '--rule', 'docker/insecure-download=off'], { cwd: ws });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /wide\/Dockerfile: fixes not written: not UTF-8/);
    assert.deepEqual(fs.readFileSync(path.join(ws, 'wide/Dockerfile')), utf16);
    assert.match(fs.readFileSync(path.join(ws, 'kept/Dockerfile'), 'utf8'), /^ADD app\.txt/m);
  });

  it('cannot be combined with --write-baseline', () => {
    const run = runCli(['scan', '--fix', '--write-baseline'], { cwd: emptyWorkspace() });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--fix and --write-baseline cannot be used together/);
  });
});
