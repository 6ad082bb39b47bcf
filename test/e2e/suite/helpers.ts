// Shared by the editor tests: find the workspace, wait for what the user would see, never sleep.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'fourfold.fourfold';
export const SOURCE = 'fourfold';
/** Generous: the first check waits for the extension host, the server and the rule set to load. */
export const DEADLINE_MS = 30_000;

export interface FourfoldApi {
  ready: Promise<void>;
  statusBar: { readonly text: string; readonly tooltip: string };
}

export function workspaceRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the tests run with a workspace folder open (runTests launchArgs)');
  return folder.uri;
}

export function fileUri(relative: string): vscode.Uri {
  return vscode.Uri.joinPath(workspaceRoot(), ...relative.split('/'));
}

export async function activatedApi(): Promise<FourfoldApi> {
  const extension = vscode.extensions.getExtension<FourfoldApi>(EXTENSION_ID);
  assert.ok(extension, `extension ${EXTENSION_ID} is loaded`);
  const api = await extension.activate();
  await api.ready;
  return api;
}

/**
 * Opens a file in an editor the way a user does. Not through workspace.openTextDocument: VS Code
 * keeps documents the extension host opened alive for minutes after their editor closes, so a
 * close would not reach the language server.
 */
export async function open(relative: string): Promise<vscode.TextEditor> {
  const uri = fileUri(relative);
  await vscode.commands.executeCommand('vscode.open', uri, { preview: false });
  return waitFor(`an editor on ${relative}`, () => {
    const editor = vscode.window.activeTextEditor;
    return editor?.document.uri.toString() === uri.toString() ? editor : undefined;
  });
}

export function findings(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE);
}

export function ruleId(diagnostic: vscode.Diagnostic): string {
  const code = diagnostic.code;
  return String(typeof code === 'object' && code !== null ? code.value : code);
}

export function describe(diagnostics: readonly vscode.Diagnostic[]): string {
  if (diagnostics.length === 0) return '(none)';
  return diagnostics.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${ruleId(d)} ${d.message}`).join('\n  ');
}

/**
 * Resolves with `probe()`'s first truthy value. Checks again on every diagnostics change and every
 * 100 ms (documents and editors change without a diagnostics event), fails at the deadline with
 * what `explain()` says about the state at that moment.
 */
export function waitFor<T>(
  what: string,
  probe: () => T | undefined | null | false,
  explain: () => string = () => '',
  timeoutMs = DEADLINE_MS,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      subscription.dispose();
      clearInterval(poll);
      clearTimeout(deadline);
      fn();
    };
    const check = () => {
      try {
        const value = probe();
        if (value) finish(() => resolve(value));
      } catch (error) {
        finish(() => reject(error));
      }
    };
    const subscription = vscode.languages.onDidChangeDiagnostics(check);
    const poll = setInterval(check, 100);
    const deadline = setTimeout(
      () => finish(() => reject(new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}. ${explain()}`))),
      timeoutMs,
    );
    check();
  });
}

/** Waits until the Fourfold diagnostics of `uri` satisfy `accept`, and returns them. */
export function waitForFindings(
  uri: vscode.Uri,
  what: string,
  accept: (diagnostics: vscode.Diagnostic[]) => boolean,
  timeoutMs = DEADLINE_MS,
): Promise<vscode.Diagnostic[]> {
  return waitFor(
    `${what} in ${vscode.workspace.asRelativePath(uri)}`,
    () => {
      const current = findings(uri);
      return accept(current) ? current : undefined;
    },
    () => `Fourfold diagnostics now:\n  ${describe(findings(uri))}`,
    timeoutMs,
  );
}

export async function codeActionsAt(uri: vscode.Uri, range: vscode.Range): Promise<vscode.CodeAction[]> {
  const actions = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
    'vscode.executeCodeActionProvider',
    uri,
    range,
  );
  return (actions ?? []).filter((a): a is vscode.CodeAction => !('command' in a && typeof a.command === 'string'));
}

/** Applies a code action the way the editor does: its edit first, then its command. */
export async function apply(action: vscode.CodeAction): Promise<void> {
  if (action.edit) assert.ok(await vscode.workspace.applyEdit(action.edit), `applying "${action.title}"`);
  if (action.command) await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
}

export function openTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((group) => group.tabs);
}

const SEVERITY_NAMES = ['Error', 'Warning', 'Information', 'Hint'];

/** `line:column rule-id Severity` (1-based) for each Fourfold diagnostic of `uri`, sorted: what the user sees. */
export function shown(uri: vscode.Uri): string[] {
  return findings(uri)
    .map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${ruleId(d)} ${SEVERITY_NAMES[d.severity]}`)
    .sort();
}

/** Diagnostics of other sources that the Problems panel lists (it lists errors, warnings and information). */
export function otherProblems(): string[] {
  return vscode.languages
    .getDiagnostics()
    .flatMap(([uri, ds]) => ds.filter((d) => d.source !== SOURCE && d.severity !== vscode.DiagnosticSeverity.Hint).map((d) => `${uri.toString()}: ${d.source} ${d.message}`));
}

/** Fourfold diagnostics in the Problems panel by kind, counted from the extension API. */
export function fourfoldInProblemsPanel(): { findings: number; notices: number } {
  let findingCount = 0;
  let notices = 0;
  for (const [, ds] of vscode.languages.getDiagnostics()) {
    for (const d of ds) {
      if (d.source !== SOURCE || d.severity === vscode.DiagnosticSeverity.Hint) continue;
      if (d.code === undefined) notices++;
      else findingCount++;
    }
  }
  return { findings: findingCount, notices };
}

/** True when the workbench runs under scripts/vscode-shim.mjs, which answers probes of the page. */
export const probesAnswered = process.env.FOURFOLD_E2E_PROBES === '1';

let probes = 0;

/** Asks the shim for the Problems panel's own count (its tab's badge, "Total N Problems"). */
async function probeProblemsPanel(): Promise<{ label: string; total: number }> {
  const reply = path.join(os.tmpdir(), `fourfold-e2e-probe-${process.pid}-${++probes}.json`);
  console.log(`[fourfold-e2e probe] ${JSON.stringify({ probe: 'problems', reply })}`);
  const text = await waitFor(`the shim's answer in ${reply}`, () => fs.existsSync(reply) && fs.readFileSync(reply, 'utf8'));
  fs.rmSync(reply);
  const answer = JSON.parse(text) as { label: string; total: number; error?: string };
  if (answer.error) throw new Error(`the shim could not read the Problems panel: ${answer.error}`);
  return answer;
}

/**
 * Opens the Problems panel and waits until its own count (read from the page, not from the
 * extension API) is `expected`; fails at the deadline with the last label seen. Closes the panel.
 */
export async function waitForProblemsPanel(expected: number): Promise<void> {
  await vscode.commands.executeCommand('workbench.actions.view.problems');
  const deadline = Date.now() + DEADLINE_MS;
  let last = '(none)';
  try {
    for (;;) {
      const { label, total } = await probeProblemsPanel();
      last = label;
      if (total === expected) return void console.log(`      Problems panel: "${label}"`);
      if (Date.now() > deadline) assert.fail(`the Problems panel shows "${last}", expected a total of ${expected}`);
    }
  } finally {
    await vscode.commands.executeCommand('workbench.action.closePanel');
  }
}

/**
 * `line:column rule-id message` (1-based, sorted) of what `fourfold scan` reports for a workspace
 * file, run with the packaged extension's own dist/cli.js: the editor must show the same.
 */
export function cliFindings(relative: string): string[] {
  const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
  const run = spawnSync(process.execPath, [path.join(extension.extensionPath, 'dist', 'cli.js'), 'scan', relative, '--format', 'json', '--fail-on', 'none'], {
    cwd: workspaceRoot().fsPath,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', NODE_OPTIONS: '' },
  });
  assert.equal(run.status, 0, `fourfold scan ${relative}: ${run.stderr}`);
  const report = JSON.parse(run.stdout) as { files: { path: string; findings: { line: number; column: number; ruleId: string; message: string; suppressed?: unknown }[] }[] };
  return report.files
    .flatMap((f) => f.findings.filter((x) => !x.suppressed).map((x) => `${x.line}:${x.column} ${x.ruleId} ${x.message}`))
    .sort();
}
