// What a user sees when working on Dockerfiles in a real VS Code with Fourfold installed.
// The tests run in order, as one session: open and fix a Dockerfile, edit another, scan the
// workspace, export SARIF, close files, accept a baseline. Each waits on the editor's own state
// (diagnostics, documents, tabs) with a deadline; none sleeps.
import * as assert from 'node:assert/strict';
import { suite, suiteSetup, test } from 'mocha';
import * as vscode from 'vscode';
import {
  activatedApi,
  apply,
  codeActionsAt,
  describe,
  EXTENSION_ID,
  fileUri,
  findings,
  open,
  openTabs,
  ruleId,
  waitFor,
  waitForFindings,
  workspaceRoot,
  type FourfoldApi,
} from './helpers';

const isOpen = (uri: vscode.Uri) => vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString());
const countOf = (uri: vscode.Uri, id: string) => findings(uri).filter((d) => ruleId(d) === id).length;

interface ScanSummary {
  files: number;
  findings: number;
  cancelled: boolean;
}

suite('Fourfold in VS Code', () => {
  let api: FourfoldApi;

  test('the extension activates when a Dockerfile is opened', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is loaded from the development path`);
    const editor = await open('Dockerfile');
    assert.equal(editor.document.languageId, 'dockerfile');
    await waitFor('the extension to activate (onLanguage:dockerfile)', () => extension.isActive);
    api = await activatedApi();
  });

  test('an open Dockerfile shows findings with a rule id and a documentation link', async () => {
    const uri = fileUri('Dockerfile');
    const shown = await waitForFindings(uri, 'Dockerfile rule findings', (ds) => ds.some((d) => ruleId(d).startsWith('docker/')));
    for (const d of shown) {
      const code = d.code;
      assert.ok(typeof code === 'object' && code !== null, `${ruleId(d)} has a code with a documentation link`);
      assert.equal(code.target.scheme, 'file');
      assert.ok(code.target.path.endsWith(`/docs/rules/${ruleId(d)}.md`), `${code.target.toString()} is the page of ${ruleId(d)}`);
      assert.ok(d.message.length > 0);
    }
    // The status bar counts every Fourfold diagnostic, in all files.
    const total = () => vscode.languages.getDiagnostics().reduce((n, [, ds]) => n + ds.filter((d) => d.source === 'fourfold').length, 0);
    await waitFor(
      'the status bar to show the finding count',
      () => api.statusBar.text === `$(shield) Fourfold: ${total()}`,
      () => `status bar: "${api.statusBar.text}", diagnostics: ${total()}`,
    );
    assert.match(api.statusBar.tooltip, /finding/);
  });

  test("a finding's quick fixes: the rule's fix (preferred), ignore on this line, ignore in this file, documentation", async () => {
    const uri = fileUri('Dockerfile');
    const { document } = await open('Dockerfile');
    // vscode.executeCodeActionProvider does not return an action's diagnostics, so actions are
    // matched to a finding by their title (which names the rule) and by the range asked for.
    let chosen: { diagnostic: vscode.Diagnostic; actions: vscode.CodeAction[]; fix: vscode.CodeAction } | undefined;
    const seen: string[] = [];
    for (const diagnostic of findings(uri)) {
      const actions = await codeActionsAt(uri, diagnostic.range);
      seen.push(`${ruleId(diagnostic)}: ${JSON.stringify(actions.map((a) => `${a.isPreferred ? '*' : ''}${a.title}`))}`);
      const fix = actions.find((a) => a.isPreferred);
      if (fix) {
        chosen = { diagnostic, actions, fix };
        break;
      }
    }
    assert.ok(chosen, `some finding offers a preferred fix; actions per finding:\n  ${seen.join('\n  ')}`);
    const id = ruleId(chosen.diagnostic);
    const titles = chosen.actions.map((a) => a.title);
    for (const expected of [`Ignore ${id} on this line`, `Ignore ${id} in this file`, `Show documentation for ${id}`]) {
      assert.ok(titles.includes(expected), `${id} offers "${expected}"; got ${JSON.stringify(titles)}`);
    }
    assert.equal(chosen.fix.kind?.value, vscode.CodeActionKind.QuickFix.value);

    // The fix may belong to another finding at the same range: one of those must go.
    const here = findings(uri).filter((d) => d.range.intersection(chosen!.diagnostic.range));
    const before = new Map(here.map((d) => [ruleId(d), countOf(uri, ruleId(d))]));
    const text = document.getText();
    await apply(chosen.fix);
    assert.notEqual(document.getText(), text, `"${chosen.fix.title}" changed the document`);
    await waitForFindings(uri, `a finding to go after "${chosen.fix.title}"`, () =>
      [...before].some(([rule, count]) => countOf(uri, rule) < count),
    );
    await document.save();
  });

  test('"Ignore … on this line" inserts a fourfold-ignore comment with the reason as a placeholder', async () => {
    const uri = fileUri('Dockerfile');
    const editor = await open('Dockerfile');
    const diagnostic = findings(uri)[0];
    assert.ok(diagnostic, 'the Dockerfile still has a finding');
    const id = ruleId(diagnostic);
    const actions = await codeActionsAt(uri, diagnostic.range);
    const ignore = actions.find((a) => a.title === `Ignore ${id} on this line`);
    assert.ok(ignore, `${id} offers "Ignore ${id} on this line"; got ${JSON.stringify(actions.map((a) => a.title))}`);
    assert.equal(ignore.command?.command, 'fourfold.insertSnippet', 'the action inserts a snippet through the extension');
    const countBefore = countOf(uri, id);
    await apply(ignore);
    const text = editor.document.getText();
    assert.ok(text.includes(`# fourfold-ignore ${id}: reason`), text);
    assert.equal(editor.document.getText(editor.selection), 'reason', 'the reason placeholder is selected, ready to type over');
    await waitForFindings(uri, `the ${id} finding to be suppressed`, () => countOf(uri, id) === countBefore - 1);
    await editor.document.save();
  });

  test('"Show documentation" opens the rule page in the Markdown preview', async () => {
    const uri = fileUri('Dockerfile');
    const diagnostic = findings(uri)[0];
    assert.ok(diagnostic, 'the Dockerfile still has a finding');
    const show = (await codeActionsAt(uri, diagnostic.range)).find((a) => a.title === `Show documentation for ${ruleId(diagnostic)}`);
    assert.ok(show?.command, `${ruleId(diagnostic)} offers "Show documentation for ${ruleId(diagnostic)}"`);
    await apply(show);
    await waitFor(
      'a Markdown preview tab',
      () => openTabs().find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.includes('markdown.preview')),
      () => `tabs: ${openTabs().map((t) => t.label).join(', ')}`,
    );
  });

  test('editing a Dockerfile updates its findings (Dockerfile-dev is a Dockerfile too)', async () => {
    const uri = fileUri('services/Dockerfile-dev');
    const editor = await open('services/Dockerfile-dev');
    assert.equal(editor.document.languageId, 'dockerfile', 'the Dockerfile-* name pattern gives the dockerfile language');
    const initial = await waitForFindings(uri, 'findings', (ds) => ds.length > 0);
    const onLine1 = () => findings(uri).filter((d) => d.range.start.line === 1);
    assert.equal(onLine1().length, 0, `no finding on line 2 yet:\n  ${describe(initial)}`);

    const insert = new vscode.WorkspaceEdit();
    insert.insert(uri, new vscode.Position(1, 0), 'EXPOSE 22\n');
    assert.ok(await vscode.workspace.applyEdit(insert));
    await waitForFindings(uri, 'a finding on the inserted line 2', () => onLine1().length > 0);

    const remove = new vscode.WorkspaceEdit();
    remove.delete(uri, new vscode.Range(1, 0, 2, 0));
    assert.ok(await vscode.workspace.applyEdit(remove));
    await waitForFindings(uri, 'the findings as before the edit', (ds) => ds.length === initial.length && onLine1().length === 0);
    await editor.document.save();
  });

  test('an untitled Dockerfile is checked too', async () => {
    const document = await vscode.workspace.openTextDocument({ language: 'dockerfile', content: 'FROM node:latest\nEXPOSE 22\n' });
    await vscode.window.showTextDocument(document, { preview: false });
    assert.equal(document.uri.scheme, 'untitled');
    await waitForFindings(document.uri, 'findings in the untitled document', (ds) => ds.some((d) => d.range.start.line === 1));
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
    assert.ok(await vscode.workspace.applyEdit(broken));
    const errors = await waitForFindings(uri, 'a parse error in main.tf', (ds) => ds.some((d) => ruleId(d) === 'fourfold/parse-error'));
    assert.equal(errors.find((d) => ruleId(d) === 'fourfold/parse-error')!.range.start.line, 1);
    const mended = new vscode.WorkspaceEdit();
    mended.insert(uri, new vscode.Position(1, start + '"unterminated'.length), '"');
    assert.ok(await vscode.workspace.applyEdit(mended));
    await waitForFindings(uri, 'no parse error in main.tf', (ds) => !ds.some((d) => ruleId(d) === 'fourfold/parse-error'));
  });

  suite('workspace scan', () => {
    let summary: ScanSummary;

    suiteSetup(async () => {
      assert.ok(!isOpen(fileUri('sub/Containerfile')), 'sub/Containerfile is not open before the scan');
      summary = await vscode.commands.executeCommand<ScanSummary>('fourfold.scanWorkspace');
    });

    test('"Fourfold: Scan Workspace" reports files and findings and fills in unopened files', async () => {
      assert.ok(summary, 'the command returns its summary');
      assert.equal(summary.cancelled, false);
      assert.ok(summary.files >= 3, `scanned ${summary.files} files (Dockerfile, services/Dockerfile-dev, sub/Containerfile)`);
      assert.ok(summary.findings >= 1, `found ${summary.findings}`);
      const uri = fileUri('sub/Containerfile');
      await waitForFindings(uri, 'scan findings for the unopened Containerfile', (ds) => ds.length > 0);
      assert.ok(!isOpen(uri), 'the scan does not open the file');
    });

    test('"Fourfold: Export SARIF Report" writes SARIF 2.1.0 of the scan', async () => {
      const target = vscode.Uri.joinPath(workspaceRoot(), 'reports', 'fourfold.sarif');
      const written = await vscode.commands.executeCommand<vscode.Uri>('fourfold.exportSarif', target);
      assert.equal(written?.toString(), target.toString());
      const log = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(target)));
      assert.equal(log.version, '2.1.0');
      assert.match(String(log.$schema), /sarif/i);
      const run = log.runs?.[0];
      assert.ok(run?.tool?.driver?.name, 'names the tool');
      assert.ok(Array.isArray(run.results) && run.results.length > 0, 'has results');
      const files = run.results.map((r: { locations?: { physicalLocation?: { artifactLocation?: { uri?: string } } }[] }) => r.locations?.[0]?.physicalLocation?.artifactLocation?.uri);
      assert.ok(files.some((f: unknown) => String(f).endsWith('sub/Containerfile')), `a result for sub/Containerfile among ${JSON.stringify(files)}`);
    });

    test('closing a file keeps the findings the scan found, and clears those of a file it did not cover', async () => {
      const scannedUri = fileUri('sub/Containerfile');
      const scannedCount = findings(scannedUri).length;
      await open('sub/Containerfile');
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      await waitFor('sub/Containerfile to close', () => !isOpen(scannedUri));
      assert.equal(findings(scannedUri).length, scannedCount, 'the scan findings stay in the Problems panel');

      const lateUri = fileUri('late/Dockerfile');
      await vscode.workspace.fs.writeFile(lateUri, new TextEncoder().encode('FROM ubuntu:latest\nRUN wget -qO- https://x.example/a.sh | bash\n'));
      await open('late/Dockerfile');
      await waitForFindings(lateUri, 'findings for a file created after the scan', (ds) => ds.length > 0);
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      await waitForFindings(lateUri, 'no findings once it is closed', (ds) => ds.length === 0);
    });

    test('"Accept Current Findings as Baseline" writes the baseline and hides what it lists', async () => {
      const uri = fileUri('sub/Containerfile');
      assert.ok(findings(uri).length > 0);
      const written = await vscode.commands.executeCommand<string[]>('fourfold.writeBaseline', workspaceRoot());
      assert.equal(written.length, 1, `one baseline file: ${JSON.stringify(written)}`);
      const baseline = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(written[0]))));
      assert.ok(baseline && typeof baseline === 'object');
      await waitForFindings(uri, 'the baselined findings to be hidden', (ds) => ds.length === 0);
    });
  });
});
