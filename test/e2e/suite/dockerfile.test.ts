// What a user sees when working on Dockerfiles in a real VS Code with Fourfold installed.
// The tests run in order, as one session: open and fix a Dockerfile, edit another, scan the
// workspace, export SARIF, close files, accept a baseline. Each waits on the editor's own state
// (diagnostics, documents, tabs) with a deadline; none sleeps. Being one session, each test states
// the exact findings it expects at its step; the status bar's count is checked against the
// Problems panel at four of them.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { suite, suiteSetup, test } from 'mocha';
import * as vscode from 'vscode';
import {
  activatedApi,
  apply,
  cliFindings,
  codeActionsAt,
  describe,
  EXTENSION_ID,
  fileUri,
  findings,
  fourfoldInProblemsPanel,
  open,
  openTabs,
  otherProblems,
  probesAnswered,
  ruleId,
  shown,
  waitFor,
  waitForFindings,
  waitForProblemsPanel,
  workspaceRoot,
} from './helpers';

/** sub/Containerfile's findings, as the workspace scan publishes them. */
const CONTAINERFILE_FINDINGS = [
  '1:13 docker/image-tag-latest Warning',
  '1:6 docker/healthcheck-missing Information',
  '1:6 docker/image-not-pinned-digest Hint',
  '1:6 docker/user-root Error',
  '2:42 docker/pipe-without-pipefail Information',
  '2:5 docker/curl-pipe-shell Error',
  '3:5 docker/cmd-shell-form Information',
];

/** The fixture Dockerfile's findings as the editor shows them (severities mapped by default). */
const DOCKERFILE_FINDINGS = [
  '1:11 docker/image-tag-latest Warning',
  '1:6 docker/healthcheck-missing Information',
  '1:6 docker/image-not-pinned-digest Hint',
  '1:6 docker/user-root Error',
  '2:1 docker/add-instead-of-copy Information',
  '3:38 docker/pipe-without-pipefail Information',
  '3:5 docker/curl-pipe-shell Error',
  '4:5 docker/cmd-shell-form Information',
];

const isOpen = (uri: vscode.Uri) => vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString());

/** The one Fourfold diagnostic of `id` in `uri`. */
function only(uri: vscode.Uri, id: string): vscode.Diagnostic {
  const found = findings(uri).filter((d) => ruleId(d) === id);
  assert.equal(found.length, 1, `one ${id} in ${vscode.workspace.asRelativePath(uri)}: ${describe(findings(uri))}`);
  return found[0];
}

interface ScanSummary {
  files: number;
  findings: number;
  cancelled: boolean;
}

suite('Fourfold in VS Code', () => {
  test('the extension activates when a Dockerfile is opened', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is loaded from the development path`);
    const editor = await open('Dockerfile');
    assert.equal(editor.document.languageId, 'dockerfile');
    await waitFor('the extension to activate (onLanguage:dockerfile)', () => extension.isActive);
    await activatedApi();
  });

  test('an open Dockerfile shows findings with a rule id and a documentation link', async () => {
    const uri = fileUri('Dockerfile');
    // Exactly the fixture's findings; docker/image-not-pinned-digest (info) shows as a Hint.
    await waitForFindings(uri, "the fixture Dockerfile's findings", () => JSON.stringify(shown(uri)) === JSON.stringify(DOCKERFILE_FINDINGS));
    const docs = vscode.Uri.joinPath(vscode.extensions.getExtension(EXTENSION_ID)!.extensionUri, 'docs', 'rules');
    for (const d of findings(uri)) {
      const code = d.code as { value: string; target: vscode.Uri };
      assert.equal(code.target.toString(), vscode.Uri.joinPath(docs, `${code.value}.md`).toString(), `${code.value} links to its page`);
    }
    // The messages are the CLI's, word for word.
    assert.deepEqual(
      findings(uri).map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${ruleId(d)} ${d.message}`).sort(),
      cliFindings('Dockerfile'),
    );
  });

  test('the status bar counts the Fourfold findings the Problems panel lists, and says what it leaves out', async () => {
    // The Problems panel lists errors, warnings and information, not hints: 7 of the Dockerfile's 8.
    await statusBarAgreesWithProblemsPanel(
      { findings: 7, notices: 0 },
      'Fourfold: 7 findings in the Problems panel (2 errors, 1 warning, 4 information). Not counted: 1 hint (shown in the editor only). Click to scan the workspace.',
    );
  });

  test("a finding's quick fixes: the rule's fix (preferred), ignore on this line, ignore in this file, documentation", async () => {
    const uri = fileUri('Dockerfile');
    const { document } = await open('Dockerfile');
    const add = only(uri, 'docker/add-instead-of-copy');
    const actions = await codeActionsAt(uri, add.range);
    assert.deepEqual(
      actions.map((a) => `${a.isPreferred ? '* ' : ''}${a.title} (${a.kind?.value})`),
      [
        '* Replace ADD with COPY (quickfix)',
        'Ignore docker/add-instead-of-copy on this line (quickfix)',
        'Ignore docker/add-instead-of-copy in this file (quickfix)',
        'Show documentation for docker/add-instead-of-copy (quickfix)',
      ],
    );
    await apply(actions[0]);
    assert.equal(document.getText(), 'FROM node:latest\nCOPY server.js /app/\nRUN curl -sSL https://x.example/i.sh | sh\nCMD node server.js\n');
    const fixed = DOCKERFILE_FINDINGS.filter((f) => f !== '2:1 docker/add-instead-of-copy Information');
    await waitForFindings(uri, 'the ADD finding to go, and only it', () => same(shown(uri), fixed));
    await document.save();
  });

  test('"Ignore … on this line" inserts a fourfold-ignore comment with the reason as a placeholder', async () => {
    const uri = fileUri('Dockerfile');
    const editor = await open('Dockerfile');
    const pipe = only(uri, 'docker/curl-pipe-shell');
    const actions = await codeActionsAt(uri, pipe.range);
    // No fix for a pipe into a shell: the ignore actions and the documentation only.
    assert.deepEqual(
      actions.map((a) => `${a.isPreferred ? '* ' : ''}${a.title} (${a.kind?.value})`),
      [
        'Ignore docker/curl-pipe-shell on this line (quickfix)',
        'Ignore docker/curl-pipe-shell in this file (quickfix)',
        'Show documentation for docker/curl-pipe-shell (quickfix)',
      ],
    );
    const ignore = actions[0];
    assert.equal(ignore.command?.command, 'fourfold.insertSnippet', 'the action inserts a snippet through the extension');
    await apply(ignore);
    assert.equal(
      editor.document.getText(),
      'FROM node:latest\nCOPY server.js /app/\n# fourfold-ignore docker/curl-pipe-shell: reason\nRUN curl -sSL https://x.example/i.sh | sh\nCMD node server.js\n',
    );
    assert.equal(editor.document.getText(editor.selection), 'reason', 'the reason placeholder is selected, ready to type over');
    // curl-pipe-shell is suppressed; the findings below the comment move down a line.
    await waitForFindings(uri, 'the curl-pipe-shell finding to be suppressed', () =>
      same(shown(uri), [
        '1:11 docker/image-tag-latest Warning',
        '1:6 docker/healthcheck-missing Information',
        '1:6 docker/image-not-pinned-digest Hint',
        '1:6 docker/user-root Error',
        '4:38 docker/pipe-without-pipefail Information',
        '5:5 docker/cmd-shell-form Information',
      ]),
    );
    await editor.document.save();
  });

  test('"Show documentation" opens the rule page in the Markdown preview', async () => {
    const uri = fileUri('Dockerfile');
    const userRoot = only(uri, 'docker/user-root');
    const show = (await codeActionsAt(uri, userRoot.range)).find((a) => a.title === 'Show documentation for docker/user-root')!;
    await apply(show);
    const tab = await waitFor(
      'a Markdown preview tab',
      () => openTabs().find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.includes('markdown.preview')),
      () => `tabs: ${openTabs().map((t) => t.label).join(', ')}`,
    );
    assert.equal(tab.label, 'Preview user-root.md');
  });

  test('editing a Dockerfile updates its findings (Dockerfile-dev is a Dockerfile too)', async () => {
    const uri = fileUri('services/Dockerfile-dev');
    const editor = await open('services/Dockerfile-dev');
    assert.equal(editor.document.languageId, 'dockerfile', 'the Dockerfile-* name pattern gives the dockerfile language');
    const initial = ['1:13 docker/image-tag-latest Warning', '1:6 docker/healthcheck-missing Information', '1:6 docker/image-not-pinned-digest Hint', '1:6 docker/user-root Error'];
    await waitForFindings(uri, 'the findings of FROM alpine:latest', () => same(shown(uri), initial));

    const insert = new vscode.WorkspaceEdit();
    insert.insert(uri, new vscode.Position(1, 0), 'EXPOSE 22\n');
    assert.equal(await vscode.workspace.applyEdit(insert), true);
    await waitForFindings(uri, 'a finding on the inserted line 2', () => same(shown(uri), [...initial, '2:8 docker/expose-ssh-port Warning']));

    const remove = new vscode.WorkspaceEdit();
    remove.delete(uri, new vscode.Range(1, 0, 2, 0));
    assert.equal(await vscode.workspace.applyEdit(remove), true);
    await waitForFindings(uri, 'the findings as before the edit', () => same(shown(uri), initial));
    await editor.document.save();
  });

  test('an untitled Dockerfile is checked too', async () => {
    const document = await vscode.workspace.openTextDocument({ language: 'dockerfile', content: 'FROM node:latest\nEXPOSE 22\nCMD ["node", "server.js"]\n' });
    await vscode.window.showTextDocument(document, { preview: false });
    assert.equal(document.uri.scheme, 'untitled');
    await waitForFindings(document.uri, 'findings in the untitled document', () =>
      same(shown(document.uri), [
        '1:11 docker/image-tag-latest Warning',
        '1:6 docker/healthcheck-missing Information',
        '1:6 docker/image-not-pinned-digest Hint',
        '1:6 docker/user-root Error',
        '2:8 docker/expose-ssh-port Warning',
      ]),
    );
  });

  test('a file Fourfold did not check gets a notice in the Problems panel, which the status bar does not count', async () => {
    // Open so far: the Dockerfile (5 listed, 1 hint), Dockerfile-dev (3, 1 hint), the untitled one (4, 1 hint).
    await statusBarAgreesWithProblemsPanel(
      { findings: 12, notices: 0 },
      'Fourfold: 12 findings in the Problems panel (3 errors, 4 warnings, 5 information). Not counted: 3 hints (shown in the editor only). Click to scan the workspace.',
    );
    const document = await vscode.workspace.openTextDocument({ language: 'dockerfile', content: 'FROM \u0000\u0001 alpine\n' });
    await vscode.window.showTextDocument(document, { preview: false });
    const notice = await waitForFindings(document.uri, 'the notice', (ds) => ds.length === 1);
    assert.deepEqual(
      notice.map((d) => [d.message, d.severity, d.code]),
      [['Fourfold did not check this file: binary content.', vscode.DiagnosticSeverity.Information, undefined]],
    );
    // The panel lists 13 Fourfold entries; the status bar still counts 12 findings, and says why.
    await statusBarAgreesWithProblemsPanel(
      { findings: 12, notices: 1 },
      'Fourfold: 12 findings in the Problems panel (3 errors, 4 warnings, 5 information). Not counted: 3 hints (shown in the editor only), 1 file not checked. Click to scan the workspace.',
    );
  });

  test('Terraform files get the terraform and terraform-vars languages the extension contributes', async () => {
    assert.equal((await open('infra/main.tf')).document.languageId, 'terraform');
    assert.equal((await open('infra/prod.tfvars')).document.languageId, 'terraform-vars');
  });

  test('half-typed Terraform gets a parse error where the typing stopped, gone once it is finished', async () => {
    const editor = await open('infra/main.tf');
    const uri = editor.document.uri;
    const line = editor.document.lineAt(1);
    const start = line.text.indexOf('var.bucket_name');
    const broken = new vscode.WorkspaceEdit();
    broken.replace(uri, new vscode.Range(1, start, 1, line.text.length), '"unterminated');
    assert.equal(await vscode.workspace.applyEdit(broken), true);
    await waitForFindings(uri, 'a parse error where the string starts', () => same(shown(uri), ['2:12 fourfold/parse-error Warning']));
    const mended = new vscode.WorkspaceEdit();
    mended.insert(uri, new vscode.Position(1, start + '"unterminated'.length), '"');
    assert.equal(await vscode.workspace.applyEdit(mended), true);
    await waitForFindings(uri, 'no parse error in main.tf', (ds) => ds.length === 0);
  });

  suite('workspace scan', () => {
    let summary: ScanSummary;

    suiteSetup(async () => {
      assert.equal(isOpen(fileUri('sub/Containerfile')), false, 'sub/Containerfile is not open before the scan');
      summary = await vscode.commands.executeCommand<ScanSummary>('fourfold.scanWorkspace');
    });

    test('"Fourfold: Scan Workspace" reports files and findings and fills in unopened files', async () => {
      // Every text file: Dockerfile, services/Dockerfile-dev, sub/Containerfile, infra/main.tf,
      // infra/prod.tfvars, server.js and the three .dockerignore files; the findings of the three
      // Dockerfiles as they are on disk now (6 + 4 + 7), the ignored one not counted.
      assert.deepEqual(summary, { files: 9, findings: 17, cancelled: false, skipped: 0 });
      const uri = fileUri('sub/Containerfile');
      await waitForFindings(uri, 'scan findings for the unopened Containerfile', () => same(shown(uri), CONTAINERFILE_FINDINGS));
      assert.equal(isOpen(uri), false, 'the scan does not open the file');
      // The Containerfile adds 6 listed findings and 1 hint.
      await statusBarAgreesWithProblemsPanel(
        { findings: 18, notices: 1 },
        'Fourfold: 18 findings in the Problems panel (5 errors, 5 warnings, 8 information). Not counted: 4 hints (shown in the editor only), 1 file not checked. Click to scan the workspace.',
      );
    });

    test('"Fourfold: Export SARIF Report" writes SARIF 2.1.0 of the scan', async () => {
      const target = vscode.Uri.joinPath(workspaceRoot(), 'reports', 'fourfold.sarif');
      const written = await vscode.commands.executeCommand<vscode.Uri>('fourfold.exportSarif', target);
      assert.equal(written?.toString(), target.toString());
      const log = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(target)));
      assert.deepEqual([log.version, log.$schema, log.runs[0].tool.driver.name], ['2.1.0', 'https://json.schemastore.org/sarif-2.1.0.json', 'Fourfold']);
      const results = (log.runs[0].results as { ruleId: string; suppressions?: { kind: string }[]; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[]).map(
        (r) => `${r.locations[0].physicalLocation.artifactLocation.uri} ${r.ruleId}${r.suppressions ? ` (${r.suppressions.map((x) => x.kind).join()})` : ''}`,
      );
      // The scanned files' 17 findings, and the one the ignore comment suppresses.
      assert.deepEqual(results.sort(), [
        'Dockerfile docker/cmd-shell-form',
        'Dockerfile docker/curl-pipe-shell (inSource)',
        'Dockerfile docker/healthcheck-missing',
        'Dockerfile docker/image-not-pinned-digest',
        'Dockerfile docker/image-tag-latest',
        'Dockerfile docker/pipe-without-pipefail',
        'Dockerfile docker/user-root',
        'services/Dockerfile-dev docker/healthcheck-missing',
        'services/Dockerfile-dev docker/image-not-pinned-digest',
        'services/Dockerfile-dev docker/image-tag-latest',
        'services/Dockerfile-dev docker/user-root',
        'sub/Containerfile docker/cmd-shell-form',
        'sub/Containerfile docker/curl-pipe-shell',
        'sub/Containerfile docker/healthcheck-missing',
        'sub/Containerfile docker/image-not-pinned-digest',
        'sub/Containerfile docker/image-tag-latest',
        'sub/Containerfile docker/pipe-without-pipefail',
        'sub/Containerfile docker/user-root',
      ]);
    });

    test('closing a file keeps the findings the scan found, and clears those of a file it did not cover', async () => {
      const scannedUri = fileUri('sub/Containerfile');
      await open('sub/Containerfile');
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      await waitFor('sub/Containerfile to close', () => !isOpen(scannedUri));
      assert.deepEqual(shown(scannedUri), CONTAINERFILE_FINDINGS, 'the scan findings stay in the Problems panel');

      const lateUri = fileUri('late/Dockerfile');
      await vscode.workspace.fs.writeFile(lateUri, new TextEncoder().encode('FROM ubuntu:latest\nRUN wget -qO- https://x.example/a.sh | bash\n'));
      await open('late/Dockerfile');
      await waitForFindings(lateUri, 'findings for a file created after the scan', () =>
        same(shown(lateUri), [
          // No healthcheck-missing: ubuntu runs bash, which serves nothing.
          '1:13 docker/image-tag-latest Warning',
          '1:6 docker/image-not-pinned-digest Hint',
          '1:6 docker/user-root Error',
          '2:38 docker/pipe-without-pipefail Information',
          '2:5 docker/curl-pipe-shell Error',
        ]),
      );
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      await waitForFindings(lateUri, 'no findings once it is closed', (ds) => ds.length === 0);
    });

    test('"Accept Current Findings as Baseline" writes the baseline and hides what it lists', async () => {
      const uri = fileUri('sub/Containerfile');
      const written = await vscode.commands.executeCommand<string[]>('fourfold.writeBaseline', workspaceRoot());
      assert.deepEqual(written, [path.join(workspaceRoot().fsPath, '.fourfold-baseline.json')]);
      const baseline = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(written[0])))) as { findings: { path: string; ruleId: string; line: number }[] };
      // The 17 findings of the scan, in file order; the suppressed one is not accepted, it is ignored.
      assert.deepEqual(
        baseline.findings.map((f) => `${f.path}:${f.line} ${f.ruleId}`),
        [
          'Dockerfile:1 docker/healthcheck-missing',
          'Dockerfile:1 docker/image-not-pinned-digest',
          'Dockerfile:1 docker/user-root',
          'Dockerfile:1 docker/image-tag-latest',
          'Dockerfile:4 docker/pipe-without-pipefail',
          'Dockerfile:5 docker/cmd-shell-form',
          'services/Dockerfile-dev:1 docker/healthcheck-missing',
          'services/Dockerfile-dev:1 docker/image-not-pinned-digest',
          'services/Dockerfile-dev:1 docker/user-root',
          'services/Dockerfile-dev:1 docker/image-tag-latest',
          'sub/Containerfile:1 docker/healthcheck-missing',
          'sub/Containerfile:1 docker/image-not-pinned-digest',
          'sub/Containerfile:1 docker/user-root',
          'sub/Containerfile:1 docker/image-tag-latest',
          'sub/Containerfile:2 docker/curl-pipe-shell',
          'sub/Containerfile:2 docker/pipe-without-pipefail',
          'sub/Containerfile:3 docker/cmd-shell-form',
        ],
      );
      await waitForFindings(uri, 'the baselined findings to be hidden', (ds) => ds.length === 0);
      // Left: the untitled Dockerfile's findings (not in the workspace, so not accepted) and the notice.
      await statusBarAgreesWithProblemsPanel(
        { findings: 4, notices: 1 },
        'Fourfold: 4 findings in the Problems panel (1 error, 2 warnings, 1 information). Not counted: 1 hint (shown in the editor only), 1 file not checked. Click to scan the workspace.',
      );
    });
  });
});

/** Same strings in the same order. */
function same(actual: readonly string[], expected: readonly string[]): boolean {
  return JSON.stringify(actual) === JSON.stringify(expected);
}

/**
 * Waits until the Fourfold entries the Problems panel lists are `expected` (findings, and "did not
 * check" notices), the status bar counts exactly the findings, with `tooltip`, and, where the shim
 * can read the page, the Problems panel's own total is findings + notices: nothing else lists there.
 */
async function statusBarAgreesWithProblemsPanel(expected: { findings: number; notices: number }, tooltip: string): Promise<void> {
  const api = await activatedApi();
  await waitFor(
    `${expected.findings} findings and ${expected.notices} notices of Fourfold's for the Problems panel`,
    () => same([JSON.stringify(fourfoldInProblemsPanel())], [JSON.stringify(expected)]),
    () => JSON.stringify(fourfoldInProblemsPanel()),
  );
  // The status bar refreshes shortly after the diagnostics change (debounced): wait for both texts.
  await waitFor(
    `the status bar to show ${expected.findings} with the tooltip "${tooltip}"`,
    () => api.statusBar.text === `$(shield) Fourfold: ${expected.findings}` && api.statusBar.tooltip === tooltip,
    () => `status bar: "${api.statusBar.text}", tooltip "${api.statusBar.tooltip}"`,
  );
  assert.deepEqual(otherProblems(), [], 'only Fourfold lists problems in this workspace');
  if (probesAnswered) await waitForProblemsPanel(expected.findings + expected.notices);
  else console.log('      (not under scripts/vscode-shim.mjs: the Problems panel itself is not read, the extension API stands in)');
}
