// The project model in the editor: a Dockerfile built FROM an image that another Dockerfile of the
// workspace builds (compose.yaml names it) inherits that image's USER, and its findings follow edits
// of the other file without being reopened. The CLI's scan of the same folder agrees.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { runCli, type JsonReport } from '../cli/helpers';
import { fileUri, LspClient } from './client';

const FILES: Record<string, string> = {
  'compose.yaml': 'services:\n  base:\n    image: acme/base\n    build: ./base\n  app:\n    image: acme/app\n    build: ./app\n',
  'base/Dockerfile': 'FROM ubuntu:24.04\nRUN useradd --uid 10001 app\nUSER app\n',
  'app/Dockerfile': 'FROM acme/base\nCOPY server /usr/local/bin/server\nCMD ["server"]\n',
};

const userRoot = (diagnostics: Diagnostic[] | undefined) => (diagnostics ?? []).filter((d) => d.code === 'docker/user-root');

function cliUserRoot(root: string): string[] {
  const run = runCli(['scan', '--format', 'json', '--fail-on', 'none'], { cwd: root });
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as JsonReport;
  return report.files.flatMap((f) => f.findings.filter((x) => x.ruleId === 'docker/user-root').map((x) => `${f.path}:${x.line} ${x.message}`));
}

describe('the workspace model in the editor', () => {
  test('FROM an image the workspace builds: its USER decides, and an edit of that Dockerfile re-checks this one', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fourfold-lsp-model-'));
    for (const [name, text] of Object.entries(FILES)) {
      fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
      fs.writeFileSync(path.join(root, name), text);
    }
    const client = await LspClient.start({ root });
    try {
      const app = fileUri(path.join(root, 'app', 'Dockerfile'));
      await client.open(app, 'dockerfile', FILES['app/Dockerfile']);
      // The workspace index is built in the background; once it is, the open file is checked again.
      await client.waitFor('app/Dockerfile checked with base/Dockerfile in view (no user-root)', () => {
        const published = client.diagnostics.get(app);
        return published !== undefined && userRoot(published).length === 0 && published.some((d) => d.code === 'docker/healthcheck-missing');
      });
      assert.deepEqual(cliUserRoot(root), [], 'the CLI agrees: base/Dockerfile sets USER app');

      // The base image switches to root on disk: the watcher's event re-checks app/Dockerfile.
      const baseText = 'FROM ubuntu:24.04\nRUN useradd --uid 10001 app\nUSER root\n';
      fs.writeFileSync(path.join(root, 'base', 'Dockerfile'), baseText);
      const base = fileUri(path.join(root, 'base', 'Dockerfile'));
      const after = await client.fileChanged(base, app);
      const [finding] = userRoot(after);
      assert.ok(finding, `user-root on app/Dockerfile after the base changed; got ${after.map((d) => d.code).join(', ')}`);
      assert.equal(finding.range.start.line, 0);
      assert.match(String(finding.message), /built by base\/Dockerfile, ends with USER root/);
      assert.equal(finding.relatedInformation?.[0]?.location.uri, base);
      assert.deepEqual(finding.relatedInformation?.[0]?.location.range, { start: { line: 2, character: 0 }, end: { line: 2, character: 9 } }, 'placed in base/Dockerfile: its USER root');
      assert.match(finding.relatedInformation?.[0]?.message ?? '', /base\/Dockerfile line 3/);

      // An edit of the base Dockerfile in the editor (didOpen, then didChange back to USER app) clears it.
      await client.open(base, 'dockerfile', baseText);
      await client.edit(base, { start: { line: 2, character: 5 }, end: { line: 2, character: 9 } }, 'app');
      await client.waitFor('app/Dockerfile re-checked after base/Dockerfile was edited to USER app', () => userRoot(client.diagnostics.get(app)).length === 0);

      // The CLI reads the disk (USER root): it reports what the editor reported before the base was opened.
      assert.deepEqual(cliUserRoot(root), [
        'app/Dockerfile:1 The final stage sets no USER and its base image acme/base, built by base/Dockerfile, ends with USER root, so the container runs as root; add a non-root USER.',
        'base/Dockerfile:3 USER root is the last USER of the final stage, so the container runs as root; switch back to a non-root user after the steps that need root.',
      ]);
    } finally {
      await client.stop();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
