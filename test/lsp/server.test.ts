// Protocol tests: the real bundled server over stdio, driven as an editor drives it. Every test
// starts its own server on its own workspace and opens what it needs: none depends on another's
// state, so any one of them can run alone (--test-name-pattern) or in any order.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CodeAction, Diagnostic, TextEdit } from 'vscode-languageserver-protocol';
import { pathToFileURL } from 'node:url';
import { allRules } from '../../rules/index';
import { ServerCommand } from '../../server/src/lsp/protocol';
import { applyTextEdits, fileUri, LspClient, serverBundle, type ClientOptions } from './client';

const DOCKERFILE = [
  'FROM node:latest',
  'WORKDIR /app',
  'ADD package.json /app/',
  'RUN curl -fsSL https://get.example.com/install.sh | sh',
  'CMD ["node", "server.js"]',
  '',
].join('\n');

function workspace(files: Record<string, string | Buffer>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fourfold-lsp-'));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), content);
  }
  return root;
}

function codes(diagnostics: Diagnostic[]): string[] {
  return diagnostics.map((d) => String(d.code)).sort();
}

/** `line:character-line:character severity code` (0-based, as LSP counts) for each diagnostic, sorted. */
function shown(diagnostics: Diagnostic[]): string[] {
  return diagnostics
    .map((d) => `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.severity} ${d.code ?? '(no code)'}`)
    .sort();
}

/** What DOCKERFILE gets with every rule on and a .dockerignore beside it. */
const DOCKERFILE_FINDINGS = [
  '0:10-0:16 2 docker/image-tag-latest',
  '0:5-0:16 1 docker/user-root',
  '0:5-0:16 3 docker/healthcheck-missing',
  '0:5-0:16 4 docker/image-not-pinned-digest',
  '2:0-2:3 3 docker/add-instead-of-copy',
  '3:4-3:8 1 docker/curl-pipe-shell',
  '3:50-3:51 3 docker/pipe-without-pipefail',
];

/** Starts a server on a fresh workspace holding `files`, runs `body`, and stops the server. */
async function withServer(
  files: Record<string, string | Buffer>,
  body: (client: LspClient, root: string) => Promise<void>,
  options: Omit<ClientOptions, 'root'> = {},
): Promise<void> {
  const root = workspace(files);
  const client = await LspClient.start({ root, ...options });
  try {
    await body(client, root);
  } finally {
    await client.stop();
  }
}

function textAt(text: string, d: Diagnostic): string {
  const lines = text.split('\n');
  assert.equal(d.range.start.line, d.range.end.line, 'single-line range');
  return lines[d.range.start.line].slice(d.range.start.character, d.range.end.character);
}

function only(diagnostics: Diagnostic[], code: string): Diagnostic {
  const found = diagnostics.filter((d) => d.code === code);
  assert.equal(found.length, 1, `one ${code} among ${codes(diagnostics).join(', ')}`);
  return found[0];
}

function editsOf(action: CodeAction, uri: string): TextEdit[] {
  return action.edit?.changes?.[uri] ?? [];
}

describe('diagnostics and quick fixes', () => {
  test('opening a Dockerfile publishes findings on the offending tokens, with docs links', () =>
    withServer({ '.dockerignore': 'node_modules\n' }, async (client, root) => {
      const uri = fileUri(path.join(root, 'Dockerfile'));
      const diagnostics = await client.open(uri, 'dockerfile', DOCKERFILE);
      assert.deepEqual(shown(diagnostics), DOCKERFILE_FINDINGS);
      const latest = only(diagnostics, 'docker/image-tag-latest');
      assert.equal(textAt(DOCKERFILE, latest), 'latest');
      assert.equal(latest.source, 'fourfold');
      const page = path.join(path.dirname(serverBundle()), '..', 'docs', 'rules', 'docker', 'image-tag-latest.md');
      assert.equal(latest.codeDescription!.href, pathToFileURL(page).href);
      assert.match(fs.readFileSync(page, 'utf8'), /^# /, 'the docs page exists');
      assert.equal(textAt(DOCKERFILE, only(diagnostics, 'docker/add-instead-of-copy')), 'ADD');
      assert.equal(textAt(DOCKERFILE, only(diagnostics, 'docker/curl-pipe-shell')), 'curl');
    }));

  test('an edit updates the findings', () =>
    withServer({ '.dockerignore': 'node_modules\n' }, async (client, root) => {
      const uri = fileUri(path.join(root, 'Dockerfile'));
      await client.open(uri, 'dockerfile', DOCKERFILE);
      const diagnostics = await client.edit(uri, { start: { line: 0, character: 10 }, end: { line: 0, character: 16 } }, '22.11.0');
      assert.deepEqual(shown(diagnostics), [
        '0:5-0:17 1 docker/user-root',
        '0:5-0:17 3 docker/healthcheck-missing',
        '0:5-0:17 4 docker/image-not-pinned-digest',
        '2:0-2:3 3 docker/add-instead-of-copy',
        '3:4-3:8 1 docker/curl-pipe-shell',
        '3:50-3:51 3 docker/pipe-without-pipefail',
      ]);
      const restored = await client.edit(uri, { start: { line: 0, character: 10 }, end: { line: 0, character: 17 } }, 'latest');
      assert.deepEqual(shown(restored), DOCKERFILE_FINDINGS);
    }));

  test('the preferred fix removes the finding and keeps every other byte', () =>
    withServer({ '.dockerignore': 'node_modules\n' }, async (client, root) => {
      const uri = fileUri(path.join(root, 'Dockerfile'));
      const add = only(await client.open(uri, 'dockerfile', DOCKERFILE), 'docker/add-instead-of-copy');
      const actions = (await client.codeActions(uri, add)) as CodeAction[];
      assert.deepEqual(
        actions.map((a) => [a.title, a.kind, a.isPreferred ?? false]),
        [
          ['Replace ADD with COPY', 'quickfix', true],
          ['Ignore docker/add-instead-of-copy on this line', 'quickfix', false],
          ['Ignore docker/add-instead-of-copy in this file', 'quickfix', false],
        ],
      );
      const fixed = applyTextEdits(DOCKERFILE, editsOf(actions[0], uri));
      assert.equal(fixed, DOCKERFILE.replace('ADD package.json', 'COPY package.json'));
      const after = await client.edit(uri, { start: { line: 0, character: 0 }, end: { line: 6, character: 0 } }, fixed);
      assert.deepEqual(
        shown(after),
        DOCKERFILE_FINDINGS.filter((f) => !f.endsWith('docker/add-instead-of-copy')),
      );
    }));

  test('"ignore on this line" inserts a comment that silences exactly that finding', () =>
    withServer({}, async (client, root) => {
      const uri = fileUri(path.join(root, 'ignore.Dockerfile'));
      const text = 'FROM alpine:3.20\nRUN apt-get update && \\\n    curl -sSL https://x.example/i.sh | sh\nUSER 10001\n';
      const diagnostics = await client.open(uri, 'dockerfile', text);
      const pipe = only(diagnostics, 'docker/curl-pipe-shell');
      const actions = (await client.codeActions(uri, pipe)) as CodeAction[];
      const ignore = actions.find((a) => a.title === 'Ignore docker/curl-pipe-shell on this line')!;
      const edits = editsOf(ignore, uri);
      assert.equal(edits.length, 1);
      const updated = applyTextEdits(text, edits);
      // Above the RUN, not inside its continuation.
      assert.equal(updated, 'FROM alpine:3.20\n# fourfold-ignore docker/curl-pipe-shell: reason\nRUN apt-get update && \\\n    curl -sSL https://x.example/i.sh | sh\nUSER 10001\n');
      const after = await client.edit(uri, { start: { line: 0, character: 0 }, end: { line: 4, character: 0 } }, updated);
      // The same findings but curl-pipe-shell, the RUN's one line further down. (No HEALTHCHECK
      // finding: the image runs no service of its own, alpine's shell is its command.)
      assert.deepEqual(shown(after), [
        '0:12-0:16 1 docker/eol-base-image',
        '0:5-0:16 4 docker/image-not-pinned-digest',
        '3:37-3:38 3 docker/pipe-without-pipefail',
      ]);
      assert.deepEqual(shown(diagnostics), [
        '0:12-0:16 1 docker/eol-base-image',
        '0:5-0:16 4 docker/image-not-pinned-digest',
        '2:37-2:38 3 docker/pipe-without-pipefail',
        '2:4-2:8 1 docker/curl-pipe-shell',
      ]);
    }));

  test('"ignore in this file" goes below parser directives, which must stay first', () =>
    withServer({}, async (client, root) => {
      const uri = fileUri(path.join(root, 'directive.Dockerfile'));
      const text = '# syntax=docker/dockerfile:1\nFROM alpine\nUSER 10001\n';
      const diagnostics = await client.open(uri, 'dockerfile', text);
      const latest = only(diagnostics, 'docker/image-tag-latest');
      const actions = (await client.codeActions(uri, latest)) as CodeAction[];
      const ignore = actions.find((a) => a.title === 'Ignore docker/image-tag-latest in this file')!;
      const updated = applyTextEdits(text, editsOf(ignore, uri));
      assert.equal(updated, '# syntax=docker/dockerfile:1\n# fourfold-ignore-file docker/image-tag-latest: reason\nFROM alpine\nUSER 10001\n');
      const after = await client.edit(uri, { start: { line: 0, character: 0 }, end: { line: 3, character: 0 } }, updated);
      assert.deepEqual(shown(after), ['2:5-2:11 4 docker/image-not-pinned-digest'], 'alpine with no command of its own needs no HEALTHCHECK');
    }));

  test('"Fix all": per rule among the quick fixes, and for the whole file as source.fixAll', () =>
    withServer({}, async (client, root) => {
      const uri = fileUri(path.join(root, 'fixall.Dockerfile'));
      const text = 'FROM alpine:3.20\nMAINTAINER a@example.com\nADD a.txt /a\nADD b.txt /b\nRUN chmod 777 /a\nUSER 10001\nCMD ["/a"]\n';
      const diagnostics = await client.open(uri, 'dockerfile', text);
      const add = diagnostics.find((d) => d.code === 'docker/add-instead-of-copy')!;
      const quick = (await client.codeActions(uri, add)) as CodeAction[];
      const perRule = quick.find((a) => a.title === 'Fix all docker/add-instead-of-copy problems in this file')!;
      assert.equal(applyTextEdits(text, editsOf(perRule, uri)), text.replace('ADD a.txt', 'COPY a.txt').replace('ADD b.txt', 'COPY b.txt'));
      const actions = (await client.connection.sendRequest('textDocument/codeAction', {
        textDocument: { uri },
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        context: { diagnostics: [], only: ['source.fixAll'] },
      })) as CodeAction[];
      assert.deepEqual(actions.map((a) => [a.title, a.kind]), [['Fix all auto-fixable Fourfold problems', 'source.fixAll.fourfold']]);
      const fixed = applyTextEdits(text, editsOf(actions[0], uri));
      assert.equal(
        fixed,
        'FROM alpine:3.20\nLABEL maintainer="a@example.com"\nCOPY a.txt /a\nCOPY b.txt /b\nRUN chmod 775 /a\nUSER 10001\nCMD ["/a"]\n',
      );
      const after = await client.edit(uri, { start: { line: 0, character: 0 }, end: { line: 7, character: 0 } }, fixed);
      assert.deepEqual(shown(after), [
        '0:12-0:16 1 docker/eol-base-image',
        '0:5-0:16 3 docker/healthcheck-missing',
        '0:5-0:16 4 docker/image-not-pinned-digest',
      ]);
    }));

  test('closing a file that no scan found clears its findings', () =>
    withServer({}, async (client, root) => {
      const uri = fileUri(path.join(root, 'Dockerfile'));
      assert.equal((await client.open(uri, 'dockerfile', DOCKERFILE)).length, 7);
      assert.deepEqual(await client.close(uri), []);
    }));

  test('binary and malformed input get a notice or parse errors, and the server keeps answering', () =>
    withServer({}, async (client, root) => {
      const binary = fileUri(path.join(root, 'bin.dockerfile'));
      const notice = await client.open(binary, 'dockerfile', 'FROM \u0000\u0001\u0002 alpine\n');
      assert.deepEqual(
        notice.map((d) => [shown([d])[0], d.message]),
        [['0:0-0:0 3 (no code)', 'Fourfold did not check this file: binary content.']],
      );
      const huge = fileUri(path.join(root, 'huge.dockerfile'));
      const big = await client.open(huge, 'dockerfile', 'FROM alpine:latest\n' + 'RUN echo hello\n'.repeat(80_000));
      assert.deepEqual(
        big.map((d) => [shown([d])[0], d.message]),
        [['0:0-0:0 3 (no code)', 'Fourfold did not check this file: larger than 1024 KB (fourfold.maxFileSizeKb).']],
      );
      const broken = fileUri(path.join(root, 'broken.dockerfile'));
      const parse = await client.open(broken, 'dockerfile', 'FROM\nRUN <<EOF\necho never closed\n');
      // An image nobody named is not known to run as root: user-root says so at medium (Warning).
      assert.deepEqual(shown(parse), ['0:0-0:4 2 fourfold/parse-error', '0:4-0:4 2 docker/user-root', '1:4-1:9 2 fourfold/parse-error']);
      const rules = await client.executeCommand<{ id: string }[]>('fourfold.server.ruleList');
      assert.deepEqual(rules.map((r) => r.id).sort(), allRules.map((r) => r.id).sort());
    }));

  test('the server advertises quick fixes and exactly the commands the extension calls', () =>
    withServer({}, async (client) => {
      assert.deepEqual(client.capabilities.executeCommandProvider?.commands?.sort(), Object.values(ServerCommand).sort());
      assert.deepEqual(client.capabilities.codeActionProvider, { codeActionKinds: ['quickfix', 'source.fixAll.fourfold'], resolveProvider: false });
    }));
});

describe('our VS Code client: snippets and documentation', () => {
  test('ignore actions carry a snippet with the reason as a placeholder; docs action opens the rule page', async () => {
    const root = workspace({});
    const client = await LspClient.start({ root, initializationOptions: { snippetCommand: 'fourfold.insertSnippet' } });
    try {
      const uri = fileUri(path.join(root, 'Dockerfile'));
      const diagnostics = await client.open(uri, 'dockerfile', 'FROM alpine:latest\nUSER 10001\n');
      const actions = (await client.codeActions(uri, only(diagnostics, 'docker/image-tag-latest'))) as CodeAction[];
      const ignore = actions.find((a) => a.title.endsWith('on this line'))!;
      assert.equal(ignore.command?.command, 'fourfold.insertSnippet');
      const [arg] = ignore.command!.arguments as [{ uri: string; position: { line: number }; snippet: string }];
      assert.equal(arg.uri, uri);
      assert.equal(arg.position.line, 0);
      assert.equal(arg.snippet, '# fourfold-ignore docker/image-tag-latest: ${1:reason}\n');
      const docs = actions.find((a) => a.title === 'Show documentation for docker/image-tag-latest')!;
      assert.deepEqual(docs.command?.arguments, ['docker/image-tag-latest']);
    } finally {
      await client.stop();
    }
  });
});

describe('configuration', () => {
  test('settings turn rules off and change severities; the change applies at once', async () => {
    const root = workspace({});
    const client = await LspClient.start({ root });
    try {
      const uri = fileUri(path.join(root, 'Dockerfile'));
      const before = await client.open(uri, 'dockerfile', DOCKERFILE);
      assert.deepEqual(shown(before), DOCKERFILE_FINDINGS);
      const after = await client.changeSettings(
        { fourfold: { rules: { 'docker/image-tag-latest': 'off', 'docker/add-instead-of-copy': 'critical' }, severityMapping: { critical: 'Warning' } } },
        uri,
      );
      // image-tag-latest gone; add-instead-of-copy is critical, which the mapping shows as Warning (2).
      assert.deepEqual(shown(after), [
        '0:5-0:16 1 docker/user-root',
        '0:5-0:16 3 docker/healthcheck-missing',
        '0:5-0:16 4 docker/image-not-pinned-digest',
        '2:0-2:3 2 docker/add-instead-of-copy',
        '3:4-3:8 1 docker/curl-pipe-shell',
        '3:50-3:51 3 docker/pipe-without-pipefail',
      ]);
    } finally {
      await client.stop();
    }
  });

  test('.fourfold.yaml is honoured, and a bad key gets a diagnostic while the rest applies', async () => {
    const config = 'rules:\n  docker/image-tag-latest: off\n  docker/no-such-rule: high\nexclude:\n  - legacy/**\n';
    const root = workspace({ '.fourfold.yaml': config });
    const client = await LspClient.start({ root });
    try {
      const configUri = fileUri(path.join(root, '.fourfold.yaml'));
      await client.waitFor('config diagnostics', () => client.diagnostics.has(configUri));
      const problems = client.diagnostics.get(configUri)!;
      assert.deepEqual(
        problems.map((p) => [shown([p])[0], p.message]),
        [['2:2-2:21 1 fourfold/config', 'Unknown rule id `docker/no-such-rule`']],
      );
      const uri = fileUri(path.join(root, 'Dockerfile'));
      const withoutLatest = DOCKERFILE_FINDINGS.filter((f) => !f.endsWith('docker/image-tag-latest'));
      assert.deepEqual(shown(await client.open(uri, 'dockerfile', DOCKERFILE)), withoutLatest);
      const legacy = fileUri(path.join(root, 'legacy', 'Dockerfile'));
      assert.deepEqual(await client.open(legacy, 'dockerfile', DOCKERFILE), [], 'excluded files get no findings');
      // Editing the file on disk and telling the server brings the rule back.
      fs.writeFileSync(path.join(root, '.fourfold.yaml'), 'rules: {}\n');
      const again = await client.fileChanged(configUri, uri);
      assert.deepEqual(shown(again), DOCKERFILE_FINDINGS);
    } finally {
      await client.stop();
    }
  });

  test('in an untrusted workspace the repository config cannot turn rules off, only make them stricter', async () => {
    const root = workspace({ '.fourfold.yaml': 'rules:\n  docker/image-tag-latest: off\n  docker/add-instead-of-copy: critical\n' });
    const client = await LspClient.start({ root, initializationOptions: { trusted: false } });
    try {
      const uri = fileUri(path.join(root, 'Dockerfile'));
      const diagnostics = await client.open(uri, 'dockerfile', DOCKERFILE);
      // image-tag-latest stays on; add-instead-of-copy is raised to critical (Error, 1).
      assert.deepEqual(shown(diagnostics), DOCKERFILE_FINDINGS.map((f) => f.replace('3 docker/add-instead-of-copy', '1 docker/add-instead-of-copy')));
    } finally {
      await client.stop();
    }
  });
});

describe('workspace scan', () => {
  test('walks the folder with progress, fills diagnostics for unopened files, exports SARIF', async () => {
    const root = workspace({
      'Dockerfile': DOCKERFILE,
      // python 3.8 reached its end of life in 2024: the findings do not change with the date.
      'services/api/Containerfile': 'FROM python:3.8\nRUN sudo pip install flask\n',
      'node_modules/pkg/Dockerfile': 'FROM node:latest\n',
      'build/Dockerfile': 'FROM node:latest\n',
      '.gitignore': 'build/\n',
      'logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0]),
    });
    const client = await LspClient.start({ root });
    try {
      const sub = fileUri(path.join(root, 'services/api/Containerfile'));
      const summary = await client.executeCommand<{ files: number; findings: number; cancelled: boolean }>('fourfold.server.scanWorkspace');
      assert.deepEqual(summary, { files: 3, findings: 13, cancelled: false, skipped: 0 }, 'the two Dockerfiles and the .gitignore: every text file is checked');
      const top = fileUri(path.join(root, 'Dockerfile'));
      assert.deepEqual(shown(client.diagnostics.get(top)!), DOCKERFILE_FINDINGS);
      assert.deepEqual(shown(client.diagnostics.get(sub)!), [
        '0:12-0:15 1 docker/eol-base-image',
        '0:5-0:15 1 docker/user-root',
        '0:5-0:15 4 docker/image-not-pinned-digest',
        '1:13-1:20 3 docker/package-cache-not-cleaned',
        '1:21-1:26 4 docker/pip-unpinned',
        '1:4-1:8 2 docker/sudo',
      ]);
      // Published for the scanned files only (the .gitignore has none): not node_modules/, not build/ (.gitignore is honoured).
      const ignoreFile = fileUri(path.join(root, '.gitignore'));
      assert.deepEqual([...client.diagnostics.keys()].sort(), [top, sub, ignoreFile].sort());
      assert.deepEqual(client.diagnostics.get(ignoreFile), []);
      const kinds = client.progress.map((p) => p.value.kind);
      assert.equal(kinds[0], 'begin');
      assert.equal(kinds.at(-1), 'end');
      assert.equal(client.progress[0].value.cancellable, true);

      const sarif = JSON.parse(await client.executeCommand<string>('fourfold.server.sarif'));
      assert.equal(sarif.version, '2.1.0');
      const results = sarif.runs[0].results as { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[];
      // The report holds exactly the 14 findings the editor was shown, file by file.
      const published = (
        [
          ['Dockerfile', top],
          ['services/api/Containerfile', sub],
        ] as const
      ).flatMap(([rel, u]) => client.diagnostics.get(u)!.map((d) => `${rel} ${d.code}`));
      assert.equal(published.length, 13);
      assert.deepEqual(results.map((r) => `${r.locations[0].physicalLocation.artifactLocation.uri} ${r.ruleId}`).sort(), published.sort());

      // A scanned file keeps its findings after it is opened and closed.
      const scannedSub = shown(client.diagnostics.get(sub)!);
      const opened = await client.open(sub, 'dockerfile', fs.readFileSync(path.join(root, 'services/api/Containerfile'), 'utf8'));
      assert.deepEqual(shown(opened), scannedSub);
      assert.deepEqual(shown(await client.close(sub)), scannedSub);
    } finally {
      await client.stop();
    }
  });

  test('cancelling the progress stops the scan early and says so', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 1500; i++) files[`svc${i}/Dockerfile`] = DOCKERFILE;
    const root = workspace(files);
    const client = await LspClient.start({ root });
    try {
      const cancelled = client.waitFor('a progress report', () => client.progress.some((p) => p.value.kind === 'report')).then(() =>
        client.connection.sendNotification('window/workDoneProgress/cancel', { token: client.progress[0].token }),
      );
      const summary = await client.executeCommand<{ files: number; cancelled: boolean }>('fourfold.server.scanWorkspace');
      await cancelled;
      assert.equal(summary.cancelled, true);
      // Where it stops depends on when the cancellation arrives: a bound is all there is to assert.
      assert.ok(summary.files < 1500, `stopped after ${summary.files} files`);
      assert.equal(client.progress.at(-1)!.value.kind, 'end');
    } finally {
      await client.stop();
    }
  });

  test('the baseline command accepts current findings, which then stay hidden', async () => {
    const root = workspace({ 'Dockerfile': DOCKERFILE });
    const client = await LspClient.start({ root });
    try {
      const uri = fileUri(path.join(root, 'Dockerfile'));
      await client.executeCommand('fourfold.server.scanWorkspace');
      const scanned = client.diagnostics.get(uri)!;
      assert.deepEqual(shown(scanned), DOCKERFILE_FINDINGS);
      let paths: string[] = [];
      const written = await client.nextDiagnostics(uri, async () => {
        paths = await client.executeCommand<string[]>('fourfold.server.writeBaseline');
      });
      assert.deepEqual(written, []);
      const baselineFile = path.join(root, '.fourfold-baseline.json');
      assert.deepEqual(paths, [baselineFile]);
      // The file lists each accepted finding with the line and message the user saw, in the engine's order.
      const entry = (ruleId: string, fingerprint: string) => {
        const d = only(scanned, ruleId);
        return { path: 'Dockerfile', ruleId, fingerprint, line: d.range.start.line + 1, message: d.message };
      };
      const findings = [
        entry('docker/healthcheck-missing', 'ef8cb72a6e2f8caf'),
        entry('docker/image-not-pinned-digest', '2b9740d0e51039b5'),
        entry('docker/user-root', '92ad4ada2354ac9c'),
        entry('docker/image-tag-latest', 'd7c9e2581a42dcc6'),
        entry('docker/add-instead-of-copy', 'f1e85020700cd9cd'),
        entry('docker/curl-pipe-shell', '8177294ee34890aa'),
        entry('docker/pipe-without-pipefail', '2d24d61d88a065e2'),
      ];
      assert.equal(fs.readFileSync(baselineFile, 'utf8'), `${JSON.stringify({ findings }, null, 2)}\n`);
      // A new problem is still reported; the accepted ones stay hidden even though lines moved.
      const diagnostics = await client.open(uri, 'dockerfile', 'FROM alpine:3.20\nRUN sudo true\n' + DOCKERFILE);
      assert.deepEqual(
        shown(diagnostics),
        ['0:12-0:16 1 docker/eol-base-image', '0:5-0:16 4 docker/image-not-pinned-digest', '1:4-1:8 2 docker/sudo'],
        'only the two new lines have findings',
      );
    } finally {
      await client.stop();
    }
  });
});

describe('Terraform', () => {
  test('half-typed HCL gets parse errors where they are, and they go as the user finishes typing', async () => {
    const root = workspace({});
    const client = await LspClient.start({ root });
    try {
      const uri = fileUri(path.join(root, 'main.tf'));
      const text = 'resource "aws_s3_bucket" "logs" {\n  bucket = "acme-logs\n}\n';
      const diagnostics = await client.open(uri, 'terraform', text);
      const error = only(diagnostics, 'fourfold/parse-error');
      assert.deepEqual(error.range.start, { line: 1, character: 11 });
      assert.equal(textAt(text, error), '"acme-logs');
      const actions = (await client.codeActions(uri, error)) as CodeAction[];
      assert.deepEqual(actions.map((a) => a.title), ['Ignore fourfold/parse-error on this line', 'Ignore fourfold/parse-error in this file']);
      const fixed = await client.edit(uri, { start: { line: 1, character: 21 }, end: { line: 1, character: 21 } }, '"');
      assert.deepEqual(fixed, []);
      const vars = fileUri(path.join(root, 'prod.tfvars'));
      assert.deepEqual(shown(await client.open(vars, 'terraform-vars', 'zones = ["a", "b"\n')), ['0:8-0:9 2 fourfold/parse-error', '1:0-1:0 2 fourfold/parse-error']);
    } finally {
      await client.stop();
    }
  });
});
