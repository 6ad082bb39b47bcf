// Shared by the editor tests: find the workspace, wait for what the user would see, never sleep.
import * as assert from 'node:assert/strict';
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
