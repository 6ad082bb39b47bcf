// The server survives any client and any file. Each case sends the real bundled server something
// malformed or hostile over the real protocol (raw bytes where the framing itself is bad), then
// checks that the server is still useful: a fresh didOpen gets exactly the diagnostics the engine
// gives for that text. Waits are on events (publications, log lines, the process's exit), never
// on timers; a hung server fails a suite after its timeout instead of hanging the run.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol';
import { allRules } from '../../rules/index';
import { LineIndex } from '../../server/src/core/text';
import { Engine } from '../../server/src/engine/engine';
import { loadShippedData } from '../../server/src/workspace/data';
import { fileUri, LspClient, repoRoot, serverBundle } from './client';

const PROBE = 'FROM alpine:latest\nRUN apt-get install curl\nUSER 10001\n';

/** What the server must publish for PROBE: the engine's own findings, as ranges and codes. */
function expectedProbe(): string[] {
  const engine = new Engine(allRules, undefined, { loadData: loadShippedData });
  const result = engine.check({ path: 'Dockerfile', text: PROBE, languageId: 'dockerfile' });
  const lines = new LineIndex(PROBE);
  return result.findings.filter((f) => !f.suppression).map((f) => {
    const start = lines.position(f.span.start);
    const end = lines.position(f.span.end);
    return `${f.ruleId} ${start.line}:${start.character}-${end.line}:${end.character} ${f.message}`;
  });
}

function summary(diagnostics: Diagnostic[]): string[] {
  return diagnostics.map((d) => `${d.code} ${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.message}`);
}

function tempRoot(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'fourfold-robust-'));
}

let expected: string[];
let probes = 0;

/** The server is alive and answers a fresh document exactly as the engine does. */
async function assertUseful(client: LspClient, root: string): Promise<void> {
  assert.equal(client.exitCode, null, 'the server is still running');
  const uri = fileUri(path.join(root, `probe${probes++}`, 'Dockerfile'));
  assert.deepEqual(summary(await client.open(uri, 'dockerfile', PROBE)), expected);
}

function codes(diagnostics: Diagnostic[]): string[] {
  return diagnostics.map((d) => String(d.code));
}

before(() => {
  serverBundle(); // built from the current sources, or the test fails saying why
  expected = expectedProbe();
  assert.ok(expected.length >= 3, `the probe has findings: ${expected.join(' | ')}`);
});

describe('malformed messages from the client', { timeout: 120_000 }, () => {
  let client: LspClient;
  let root: string;
  before(async () => {
    root = tempRoot();
    client = await LspClient.start({ root });
  });
  after(() => client.stop());

  /** Sends a notification and waits for the warning the server logs about it. */
  async function refused(method: string, params: unknown, warning: string): Promise<void> {
    const before = client.logged(warning).length;
    await client.connection.sendNotification(method, params);
    await client.waitFor(`a warning "${warning}"`, () => client.logged(warning).length > before);
  }

  test('didOpen whose text is a number, null or missing, or without a document, is refused with a warning', async () => {
    const uri = fileUri(path.join(root, 'bad', 'Dockerfile'));
    for (const text of [42, null, undefined, { a: 1 }]) {
      await refused('textDocument/didOpen', { textDocument: { uri, languageId: 'dockerfile', version: 1, text } }, 'didOpen ignored');
    }
    await refused('textDocument/didOpen', { textDocument: { uri: 7, languageId: 'dockerfile', version: 1, text: 'FROM a' } }, 'didOpen ignored');
    await refused('textDocument/didOpen', {}, 'didOpen ignored');
    await refused('textDocument/didOpen', null, 'didOpen ignored');
    assert.equal(client.publishCount.get(uri), undefined, 'nothing was published for the refused document');
    await assertUseful(client, root);
  });

  test('a framed body that is not JSON, or not a JSON-RPC object, is dropped with a warning', async () => {
    for (const body of ['{"jsonrpc": "2.0", "method": ', '[1, 2, 3]', '42', 'null', '\u00ff\u00fe garbage']) {
      const bytes = Buffer.from(body, 'utf8');
      const before = client.logged('ignored a message').length;
      await client.writeRaw(Buffer.concat([Buffer.from(`Content-Length: ${bytes.length}\r\n\r\n`), bytes]));
      await client.waitFor('the invalid-message warning', () => client.logged('ignored a message').length > before);
    }
    await assertUseful(client, root);
  });

  test('unknown requests get MethodNotFound; unknown notifications are ignored', async () => {
    await assert.rejects(client.connection.sendRequest('fourfold/noSuchMethod', { a: 1 }), (error: { code?: number }) => error.code === -32601);
    await client.connection.sendNotification('fourfold/noSuchNotification', { a: 1 });
    await client.connection.sendNotification('$/noSuchThing');
    await assertUseful(client, root);
  });

  test('protocol-level messages with bad parameters: cancel, trace, progress, stray responses', async () => {
    for (const method of ['$/cancelRequest', '$/setTrace', '$/progress', 'window/workDoneProgress/cancel', 'workspace/didChangeWorkspaceFolders', 'workspace/didChangeWatchedFiles', 'fourfold/trustChanged', 'initialized']) {
      for (const params of [undefined, null, 42, 'x', [1, 2], { id: { deep: true } }]) await client.connection.sendNotification(method, params);
    }
    // A response to a request the server never sent, and messages that are neither.
    for (const message of [{ jsonrpc: '2.0', id: 987654, result: 1 }, { jsonrpc: '2.0', id: null, error: { code: 1, message: 'x' } }, { jsonrpc: '2.0' }, { jsonrpc: '2.0', id: 5 }]) {
      const bytes = Buffer.from(JSON.stringify(message));
      await client.writeRaw(Buffer.concat([Buffer.from(`Content-Length: ${bytes.length}\r\n\r\n`), bytes]));
    }
    for (const method of ['shutdown', 'initialize']) {
      // A second initialize, and requests with positional parameters, are answered, not fatal.
      await client.connection.sendRequest(method === 'shutdown' ? 'textDocument/codeAction' : method, [1, 2, 3]).catch(() => undefined);
    }
    await assertUseful(client, root);
    assert.deepEqual(client.stderr.join('').match(/internal error.*/g) ?? [], []);
  });

  test('incremental edits out of range are clamped to the text; malformed ones are refused whole', async () => {
    const uri = fileUri(path.join(root, 'edits', 'Dockerfile'));
    await client.open(uri, 'dockerfile', 'FROM alpine:3.20\nUSER 10001\n');
    // Past the last line and past the end of a line: clamped, as editors do.
    const appended = await client.edit(uri, { start: { line: 1000, character: 0 }, end: { line: 1000, character: 5 } }, 'RUN sudo true\n');
    assert.ok(codes(appended).includes('docker/sudo'), codes(appended).join());
    const clamped = await client.edit(uri, { start: { line: 0, character: 9999 }, end: { line: 0, character: 99999 } }, '');
    assert.ok(codes(clamped).includes('docker/sudo'));
    for (const range of [{ start: { line: -1, character: 0 }, end: { line: 0, character: 0 } }, { start: { line: 'a', character: 0 }, end: {} }, 'everything']) {
      await refused(
        'textDocument/didChange',
        { textDocument: { uri, version: 50 }, contentChanges: [{ range, text: 'FROM evil:latest\n' }] },
        'didChange ignored',
      );
    }
    await refused('textDocument/didChange', { textDocument: { uri, version: 51 }, contentChanges: [{ text: 12 }] }, 'didChange ignored');
    await refused('textDocument/didChange', { textDocument: { uri, version: 52 }, contentChanges: 'all of it' }, 'didChange ignored');
    // The refused changes left the document as it was: a full-text change still works on top.
    const full = await client.nextDiagnostics(
      uri,
      () => client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 60 }, contentChanges: [{ text: 'FROM alpine:3.20\nUSER 10001\n' }] }),
      60,
    );
    assert.ok(!codes(full).includes('docker/sudo'));
    await assertUseful(client, root);
  });

  test('didChange for a document that is not open, and didClose twice, are noted and ignored', async () => {
    const never = fileUri(path.join(root, 'never-opened', 'Dockerfile'));
    await refused('textDocument/didChange', { textDocument: { uri: never, version: 2 }, contentChanges: [{ text: 'FROM x' }] }, 'is not open');
    const uri = fileUri(path.join(root, 'twice', 'Dockerfile'));
    await client.open(uri, 'dockerfile', 'FROM alpine:latest\n');
    assert.deepEqual(await client.close(uri), []);
    await refused('textDocument/didClose', { textDocument: { uri } }, 'didClose ignored');
    await refused('textDocument/didClose', { textDocument: {} }, 'didClose ignored');
    await assertUseful(client, root);
  });

  test('executeCommand with a missing, unknown or ill-typed command gets InvalidParams; extra arguments are harmless', async () => {
    for (const params of [{}, { command: 42 }, { command: 'fourfold.server.noSuchCommand' }, null]) {
      await assert.rejects(client.connection.sendRequest('workspace/executeCommand', params), (error: { code?: number }) => error.code === -32602, JSON.stringify(params));
    }
    const rules = await client.executeCommand<{ id: string }[]>('fourfold.server.ruleList', [{ evil: true }, 42, null]);
    assert.ok(rules.some((r) => r.id === 'docker/user-root'));
    await assertUseful(client, root);
  });

  test('codeAction with diagnostics from another source, stale or out of range, or no context, offers nothing and fails nothing', async () => {
    const uri = fileUri(path.join(root, 'actions', 'Dockerfile'));
    const text = 'FROM alpine:latest\nADD a /a\nUSER 10001\n';
    const diagnostics = await client.open(uri, 'dockerfile', text);
    const add = diagnostics.find((d) => d.code === 'docker/add-instead-of-copy')!;
    const far = { start: { line: 5000, character: 0 }, end: { line: 9000, character: 12 } };
    const cases: unknown[] = [
      { ...add, source: 'eslint' },
      { ...add, range: far, data: { ruleId: 'docker/add-instead-of-copy', start: 10 ** 9, end: 10 ** 9 + 3 } },
      { ...add, data: { ruleId: 42, start: 'a' } },
      { ...add, data: null },
      'not a diagnostic',
      null,
    ];
    for (const diagnostic of cases) {
      const actions = (await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: far, context: { diagnostics: [diagnostic] } })) as CodeAction[];
      assert.deepEqual(actions, [], JSON.stringify(diagnostic));
    }
    for (const context of [undefined, null, { diagnostics: 'x', only: 7 }]) {
      const actions = await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: far, context });
      assert.ok(Array.isArray(actions), JSON.stringify(context));
    }
    await assert.rejects(client.connection.sendRequest('textDocument/codeAction', { range: far }), (error: { code?: number }) => error.code === -32602);
    // The real diagnostic still gets its fix.
    const actions = (await client.codeActions(uri, add)) as CodeAction[];
    assert.ok(actions.some((a) => a.isPreferred), actions.map((a) => a.title).join(' | '));
    await assertUseful(client, root);
  });

  test('a second didOpen of an open document, same version, new text, is checked again', async () => {
    const uri = fileUri(path.join(root, 'reopen', 'Dockerfile'));
    const first = await client.open(uri, 'dockerfile', 'FROM alpine:3.20\nUSER 10001\n');
    assert.ok(!codes(first).includes('docker/sudo'));
    const second = await client.open(uri, 'dockerfile', 'FROM alpine:3.20\nRUN sudo true\nUSER 10001\n');
    assert.ok(codes(second).includes('docker/sudo'), codes(second).join());
    await assertUseful(client, root);
  });
});

describe('hostile files', { timeout: 120_000 }, () => {
  let client: LspClient;
  let root: string;
  before(async () => {
    root = tempRoot();
    client = await LspClient.start({ root, settings: { fourfold: { maxFileSizeKb: 16384 } } });
  });
  after(() => client.stop());

  test('binary content gets a notice', async () => {
    const uri = fileUri(path.join(root, 'binary', 'Dockerfile'));
    const diagnostics = await client.open(uri, 'dockerfile', 'FROM alpine\n\u0000\u0001\u0002\u0003'.repeat(1000));
    assert.deepEqual(diagnostics.map((d) => d.message), ['Fourfold did not check this file: binary content.']);
    await assertUseful(client, root);
  });

  test('a 5 MB line gets a notice, in every format', async () => {
    const line = 'a'.repeat(5 * 1024 * 1024);
    for (const [name, languageId, text] of [
      ['long/Dockerfile', 'dockerfile', `FROM alpine\nRUN echo ${line}\n`],
      ['long/main.tf', 'terraform', `a = "${line}"\n`],
      ['long/deploy.yaml', 'yaml', `apiVersion: v1\nkind: Pod\nmetadata: { name: "${line}" }\n`],
      ['long/notes.txt', 'plaintext', `token = ${line}\n`],
    ]) {
      const diagnostics = await client.open(fileUri(path.join(root, name)), languageId, text);
      assert.equal(diagnostics.length, 1, name);
      assert.match(String(diagnostics[0].message), /did not check this file: minified or generated/, name);
    }
    await assertUseful(client, root);
  });

  test('lone surrogates anywhere in the text', async () => {
    const uri = fileUri(path.join(root, 'surrogates', 'Dockerfile'));
    const text = 'FROM alpine:latest\n# \uD800 lone high\nRUN echo "\uDC00\uDC00" \uD83D\n\uDFFF USER root\nENV A=\uD800\n';
    const diagnostics = await client.open(uri, 'dockerfile', text);
    assert.ok(codes(diagnostics).includes('docker/image-tag-latest'), codes(diagnostics).join());
    const edited = await client.edit(uri, { start: { line: 1, character: 2 }, end: { line: 1, character: 3 } }, '\uDBFF');
    assert.ok(codes(edited).includes('docker/image-tag-latest'));
    await assertUseful(client, root);
  });

  test('100,000-deep nesting in YAML and HCL', async () => {
    const n = 100_000;
    // One bracket a line: a single line of them would be skipped as minified.
    const yaml = await client.open(fileUri(path.join(root, 'deep', 'pod.yaml')), 'yaml', `apiVersion: v1\nkind: Pod\nspec: ${' [\n'.repeat(n)}\n`);
    assert.ok(yaml.length >= 1 && yaml.length <= 21, `${yaml.length} diagnostics`);
    const yamlMaps = await client.open(fileUri(path.join(root, 'deep', 'maps.yaml')), 'yaml', `apiVersion: v1\nkind: Pod\nspec: ${' {a:\n'.repeat(n)}\n`);
    assert.ok(yamlMaps.length >= 1 && yamlMaps.length <= 21, `${yamlMaps.length} diagnostics`);
    const indented = await client.open(fileUri(path.join(root, 'deep', 'indent.yaml')), 'yaml', `apiVersion: v1\nkind: Pod\n${Array.from({ length: 5000 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')}\n`);
    assert.ok(indented.length <= 21, `${indented.length} diagnostics`);
    const hcl = await client.open(fileUri(path.join(root, 'deep', 'main.tf')), 'terraform', `a = ${'[\n'.repeat(n)}\n`);
    assert.ok(codes(hcl).every((c) => c === 'fourfold/parse-error'), codes(hcl).join());
    assert.ok(hcl.length >= 1 && hcl.length <= 21, `${hcl.length} diagnostics`);
    const blocks = await client.open(fileUri(path.join(root, 'deep', 'blocks.tf')), 'terraform', 'a {\n'.repeat(n));
    assert.ok(blocks.length >= 1 && blocks.length <= 21, `${blocks.length} diagnostics`);
    await assertUseful(client, root);
  });

  test('100,000 unclosed ${ in a .tf: parse errors are capped (20 and one "more")', async () => {
    const uri = fileUri(path.join(root, 'many', 'main.tf'));
    const diagnostics = await client.open(uri, 'terraform', 'a = "' + '${\n'.repeat(100_000));
    const parse = diagnostics.filter((d) => d.code === 'fourfold/parse-error');
    assert.equal(parse.length, 21, `${parse.length} parse errors published`);
    assert.equal(parse.filter((d) => /and \d+ more parse errors/.test(String(d.message))).length, 1);
    assert.ok(diagnostics.length <= 21 + 501, `${diagnostics.length} diagnostics`);
    await assertUseful(client, root);
  });
});

describe('caps from the settings', { timeout: 120_000 }, () => {
  test('fourfold.maxParseErrorsPerFile and fourfold.maxFindingsPerFile bound what is published', async () => {
    const root = tempRoot();
    const client = await LspClient.start({ root, settings: { fourfold: { maxParseErrorsPerFile: 5, maxFindingsPerFile: 8 } } });
    try {
      const tf = await client.open(fileUri(path.join(root, 'main.tf')), 'terraform', 'a = "' + '${\n'.repeat(100_000));
      assert.equal(tf.filter((d) => d.code === 'fourfold/parse-error').length, 6, codes(tf).join());
      const text = 'FROM alpine:latest\n' + 'ADD a /a\nRUN sudo true\n'.repeat(50);
      const docker = await client.open(fileUri(path.join(root, 'Dockerfile')), 'dockerfile', text);
      assert.equal(docker.length, 9, docker.map((d) => `${d.code} ${d.message}`).join('\n'));
      assert.equal(docker.filter((d) => /more findings in this file, not shown \(at most 8 per file/.test(String(d.message))).length, 1);
    } finally {
      await client.stop();
    }
  });
});

describe('broken framing', { timeout: 120_000 }, () => {
  for (const [name, bytes] of [
    ['a Content-Length that is not a number', 'Content-Length: abc\r\n\r\n{"jsonrpc":"2.0","method":"initialized","params":{}}'],
    ['no Content-Length', 'Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{}'],
    ['a header line without a colon', 'Hello there\r\n\r\n'],
    ['a Content-Length with trailing garbage', 'Content-Length: 12abc\r\n\r\n{}'],
  ] as const) {
    test(`${name}: the server says so and exits non-zero, and a new server works`, async () => {
      const root = tempRoot();
      const client = await LspClient.start({ root });
      try {
        await assertUseful(client, root);
        await client.writeRaw(bytes);
        const code = await client.waitForExit();
        assert.notEqual(code, 0);
        assert.notEqual(code, null);
        assert.match(client.stderr.join(''), /LSP framing error/);
      } finally {
        await client.stop();
      }
      const again = await LspClient.start({ root });
      try {
        await assertUseful(again, root);
      } finally {
        await again.stop();
      }
    });
  }

  test('the client going away ends the server', async () => {
    const root = tempRoot();
    const client = await LspClient.start({ root });
    await assertUseful(client, root);
    client.connection.dispose();
    await client.closeInput();
    assert.equal(await client.waitForExit(), 1, 'no shutdown request came first');
  });
});

describe('configuration the client cannot give', { timeout: 120_000 }, () => {
  for (const configuration of ['error', 'never', 'garbage'] as const) {
    test(`a ${configuration === 'never' ? 'never-answered' : configuration === 'error' ? 'failed' : 'malformed'} workspace/configuration: defaults apply, said once, and files are checked`, async () => {
      const root = tempRoot();
      const client = await LspClient.start({ root, configuration });
      try {
        await assertUseful(client, root);
        await assertUseful(client, root);
        // A settings change asks again, and fails again: still one warning.
        await client.changeSettings({}, fileUri(path.join(root, `probe${probes - 1}`, 'Dockerfile')));
        await assertUseful(client, root);
        assert.equal(client.logged('could not read the editor settings').length, 1, client.logs.map((l) => l.message).join('\n'));
      } finally {
        await client.stop();
      }
    });
  }
});
