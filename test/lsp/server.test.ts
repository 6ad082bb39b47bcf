// Protocol tests: the real bundled server over stdio, driven as an editor drives it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CodeAction, Diagnostic, TextEdit } from 'vscode-languageserver-protocol';
import { ServerCommand } from '../../server/src/lsp/protocol';
import { applyTextEdits, fileUri, LspClient, repoRoot, serverBundle } from './client';

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

before(() => {
  if (!fs.existsSync(serverBundle)) execFileSync(process.execPath, ['esbuild.mjs'], { cwd: repoRoot, stdio: 'inherit' });
});

describe('diagnostics and quick fixes', () => {
  let client: LspClient;
  let root: string;
  before(async () => {
    root = workspace({ '.dockerignore': 'node_modules\n' });
    client = await LspClient.start({ root });
  });
  after(() => client.stop());

  test('opening a Dockerfile publishes findings on the offending tokens, with docs links', async () => {
    const uri = fileUri(path.join(root, 'Dockerfile'));
    const diagnostics = await client.open(uri, 'dockerfile', DOCKERFILE);
    const latest = only(diagnostics, 'docker/image-tag-latest');
    assert.equal(textAt(DOCKERFILE, latest), 'latest');
    assert.equal(latest.source, 'fourfold');
    assert.match(latest.codeDescription!.href, /docs\/rules\/docker\/image-tag-latest\.md$/);
    assert.ok(fs.existsSync(new URL(latest.codeDescription!.href)), 'the docs page exists');
    assert.equal(textAt(DOCKERFILE, only(diagnostics, 'docker/add-instead-of-copy')), 'ADD');
    assert.equal(only(diagnostics, 'docker/curl-pipe-shell').range.start.line, 3);
    assert.equal(only(diagnostics, 'docker/user-root').severity, 1, 'high maps to Error');
  });

  test('an edit updates the findings', async () => {
    const uri = fileUri(path.join(root, 'Dockerfile'));
    const diagnostics = await client.edit(uri, { start: { line: 0, character: 10 }, end: { line: 0, character: 16 } }, '22.11.0');
    assert.ok(!codes(diagnostics).includes('docker/image-tag-latest'), codes(diagnostics).join());
    const restored = await client.edit(uri, { start: { line: 0, character: 10 }, end: { line: 0, character: 17 } }, 'latest');
    assert.ok(codes(restored).includes('docker/image-tag-latest'));
  });

  test('the preferred fix removes the finding and keeps every other byte', async () => {
    const uri = fileUri(path.join(root, 'Dockerfile'));
    const diagnostics = client.diagnostics.get(uri)!;
    const add = only(diagnostics, 'docker/add-instead-of-copy');
    const actions = (await client.codeActions(uri, add)) as CodeAction[];
    const titles = actions.map((a) => a.title);
    assert.ok(titles.includes('Ignore docker/add-instead-of-copy on this line'), titles.join(' | '));
    assert.ok(titles.includes('Ignore docker/add-instead-of-copy in this file'));
    const preferred = actions.filter((a) => a.isPreferred);
    assert.equal(preferred.length, 1);
    const fixed = applyTextEdits(DOCKERFILE, editsOf(preferred[0], uri));
    assert.equal(fixed, DOCKERFILE.replace('ADD package.json', 'COPY package.json'));
    const after = await client.edit(uri, { start: { line: 0, character: 0 }, end: { line: 6, character: 0 } }, fixed);
    assert.ok(!codes(after).includes('docker/add-instead-of-copy'));
  });

  test('"ignore on this line" inserts a comment that silences exactly that finding', async () => {
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
    assert.ok(!codes(after).includes('docker/curl-pipe-shell'), codes(after).join());
    await client.close(uri);
  });

  test('"ignore in this file" goes below parser directives, which must stay first', async () => {
    const uri = fileUri(path.join(root, 'directive.Dockerfile'));
    const text = '# syntax=docker/dockerfile:1\nFROM alpine\nUSER 10001\n';
    const diagnostics = await client.open(uri, 'dockerfile', text);
    const latest = only(diagnostics, 'docker/image-tag-latest');
    const actions = (await client.codeActions(uri, latest)) as CodeAction[];
    const ignore = actions.find((a) => a.title === 'Ignore docker/image-tag-latest in this file')!;
    const updated = applyTextEdits(text, editsOf(ignore, uri));
    assert.equal(updated, '# syntax=docker/dockerfile:1\n# fourfold-ignore-file docker/image-tag-latest: reason\nFROM alpine\nUSER 10001\n');
    const after = await client.edit(uri, { start: { line: 0, character: 0 }, end: { line: 3, character: 0 } }, updated);
    assert.ok(!codes(after).includes('docker/image-tag-latest'));
    await client.close(uri);
  });

  test('"Fix all": per rule among the quick fixes, and for the whole file as source.fixAll', async () => {
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
    assert.deepEqual(after.filter((d) => ['docker/add-instead-of-copy', 'docker/maintainer-deprecated', 'docker/chmod-world-writable'].includes(String(d.code))), []);
    await client.close(uri);
  });

  test('closing a file that no scan found clears its findings', async () => {
    const uri = fileUri(path.join(root, 'Dockerfile'));
    assert.deepEqual(await client.close(uri), []);
  });

  test('binary and malformed input get a notice or parse errors, and the server keeps answering', async () => {
    const binary = fileUri(path.join(root, 'bin.dockerfile'));
    const notice = await client.open(binary, 'dockerfile', 'FROM \u0000\u0001\u0002 alpine\n');
    assert.equal(notice.length, 1);
    assert.match(String(notice[0].message), /did not check this file: binary/);
    const huge = fileUri(path.join(root, 'huge.dockerfile'));
    const big = await client.open(huge, 'dockerfile', 'FROM alpine:latest\n' + 'RUN echo hello\n'.repeat(80_000));
    assert.equal(big.length, 1);
    assert.match(String(big[0].message), /did not check this file: larger than 1024 KB/);
    const broken = fileUri(path.join(root, 'broken.dockerfile'));
    const parse = await client.open(broken, 'dockerfile', 'FROM\nRUN <<EOF\necho never closed\n');
    assert.ok(codes(parse).includes('fourfold/parse-error'), codes(parse).join());
    const rules = await client.executeCommand<{ id: string }[]>('fourfold.server.ruleList');
    assert.ok(rules.some((r) => r.id === 'docker/user-root'));
  });

  test('the server advertises quick fixes and exactly the commands the extension calls', () => {
    assert.deepEqual(client.capabilities.executeCommandProvider?.commands?.sort(), Object.values(ServerCommand).sort());
    assert.deepEqual(client.capabilities.codeActionProvider, { codeActionKinds: ['quickfix', 'source.fixAll.fourfold'], resolveProvider: false });
  });
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
      assert.ok(codes(before).includes('docker/image-tag-latest'));
      const after = await client.changeSettings(
        { fourfold: { rules: { 'docker/image-tag-latest': 'off', 'docker/add-instead-of-copy': 'critical' }, severityMapping: { critical: 'Warning' } } },
        uri,
      );
      assert.ok(!codes(after).includes('docker/image-tag-latest'));
      assert.equal(only(after, 'docker/add-instead-of-copy').severity, 2, 'critical mapped to Warning');
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
      assert.equal(problems.length, 1);
      assert.match(String(problems[0].message), /Unknown rule id `docker\/no-such-rule`/);
      assert.equal(problems[0].range.start.line, 2);
      assert.equal(problems[0].range.start.character, 2);
      const uri = fileUri(path.join(root, 'Dockerfile'));
      assert.ok(!codes(await client.open(uri, 'dockerfile', DOCKERFILE)).includes('docker/image-tag-latest'));
      const legacy = fileUri(path.join(root, 'legacy', 'Dockerfile'));
      assert.deepEqual(await client.open(legacy, 'dockerfile', DOCKERFILE), [], 'excluded files get no findings');
      // Editing the file on disk and telling the server brings the rule back.
      fs.writeFileSync(path.join(root, '.fourfold.yaml'), 'rules: {}\n');
      const again = await client.fileChanged(configUri, uri);
      assert.ok(codes(again).includes('docker/image-tag-latest'));
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
      assert.ok(codes(diagnostics).includes('docker/image-tag-latest'));
      assert.equal(only(diagnostics, 'docker/add-instead-of-copy').severity, 1);
    } finally {
      await client.stop();
    }
  });
});

describe('workspace scan', () => {
  test('walks the folder with progress, fills diagnostics for unopened files, exports SARIF', async () => {
    const root = workspace({
      'Dockerfile': DOCKERFILE,
      'services/api/Containerfile': 'FROM python:3.12\nRUN sudo pip install flask\n',
      'node_modules/pkg/Dockerfile': 'FROM node:latest\n',
      'build/Dockerfile': 'FROM node:latest\n',
      '.gitignore': 'build/\n',
      'logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0]),
    });
    const client = await LspClient.start({ root });
    try {
      const sub = fileUri(path.join(root, 'services/api/Containerfile'));
      const summary = await client.executeCommand<{ files: number; findings: number; cancelled: boolean }>('fourfold.server.scanWorkspace');
      assert.equal(summary.files, 3, 'the two Dockerfiles and the .gitignore');
      assert.equal(summary.cancelled, false);
      assert.ok(summary.findings >= 4);
      assert.ok(codes(client.diagnostics.get(sub) ?? []).includes('docker/sudo'));
      assert.ok(!client.diagnostics.has(fileUri(path.join(root, 'node_modules/pkg/Dockerfile'))));
      assert.ok(!client.diagnostics.has(fileUri(path.join(root, 'build/Dockerfile'))), '.gitignore is honoured');
      const kinds = client.progress.map((p) => p.value.kind);
      assert.equal(kinds[0], 'begin');
      assert.equal(kinds.at(-1), 'end');
      assert.equal(client.progress[0].value.cancellable, true);

      const sarif = JSON.parse(await client.executeCommand<string>('fourfold.server.sarif'));
      assert.equal(sarif.version, '2.1.0');
      const uris = new Set(sarif.runs[0].results.map((r: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) => r.locations[0].physicalLocation.artifactLocation.uri));
      assert.ok(uris.has('services/api/Containerfile'), [...uris].join());

      // A scanned file keeps its findings after it is opened and closed.
      const opened = await client.open(sub, 'dockerfile', fs.readFileSync(path.join(root, 'services/api/Containerfile'), 'utf8'));
      assert.ok(codes(opened).includes('docker/sudo'));
      assert.ok(codes(await client.close(sub)).includes('docker/sudo'));
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
      assert.ok((client.diagnostics.get(uri) ?? []).length > 0);
      const written = await client.nextDiagnostics(uri, async () => {
        await client.executeCommand<string[]>('fourfold.server.writeBaseline');
      });
      assert.deepEqual(written, []);
      assert.ok(fs.existsSync(path.join(root, '.fourfold-baseline.json')));
      // A new problem is still reported; the accepted ones stay hidden even though lines moved.
      const diagnostics = await client.open(uri, 'dockerfile', 'FROM alpine:3.20\nRUN sudo true\n' + DOCKERFILE);
      assert.ok(codes(diagnostics).includes('docker/sudo'));
      assert.deepEqual(
        diagnostics.filter((d) => d.range.start.line > 1).map((d) => d.code),
        [],
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
      assert.ok(actions.some((a) => a.title === 'Ignore fourfold/parse-error on this line'));
      const fixed = await client.edit(uri, { start: { line: 1, character: 21 }, end: { line: 1, character: 21 } }, '"');
      assert.deepEqual(fixed, []);
      const vars = fileUri(path.join(root, 'prod.tfvars'));
      assert.ok(codes(await client.open(vars, 'terraform-vars', 'zones = ["a", "b"\n')).includes('fourfold/parse-error'));
    } finally {
      await client.stop();
    }
  });
});
