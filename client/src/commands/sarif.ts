// Fourfold: Export SARIF Report. Writes the server's SARIF 2.1.0 log of the last scan, scanning
// first when there has been none. A target URI argument skips the save dialog (tests, keybindings).
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { executeServerCommand } from '../server';
import { ServerCommand, type ScanSummary } from '../../../server/src/lsp/protocol';

export async function exportSarif(client: LanguageClient, target?: vscode.Uri | string): Promise<vscode.Uri | undefined> {
  let sarif = await executeServerCommand<string | null>(client, ServerCommand.sarif);
  if (sarif === null) {
    const summary = await executeServerCommand<ScanSummary>(client, ServerCommand.scanWorkspace);
    if (summary.cancelled) return undefined;
    sarif = await executeServerCommand<string | null>(client, ServerCommand.sarif);
    if (sarif === null) throw new Error('Fourfold: the server returned no SARIF log after scanning.');
  }
  const uri = toUri(target) ?? (await askForTarget());
  if (!uri) return undefined;
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(sarif));
  if (target === undefined) {
    void vscode.window.showInformationMessage(`Fourfold: SARIF report written to ${uri.fsPath}.`, 'Open').then((choice) => {
      if (choice === 'Open') void vscode.window.showTextDocument(uri);
    });
  }
  return uri;
}

function toUri(target: vscode.Uri | string | undefined): vscode.Uri | undefined {
  if (target === undefined) return undefined;
  if (typeof target !== 'string') return target;
  return /^[a-z][\w+.-]*:/i.test(target) && !/^[a-z]:[\\/]/i.test(target) ? vscode.Uri.parse(target) : vscode.Uri.file(target);
}

function askForTarget(): Thenable<vscode.Uri | undefined> {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  return vscode.window.showSaveDialog({
    title: 'Export Fourfold SARIF report',
    defaultUri: root ? vscode.Uri.joinPath(root, 'fourfold.sarif') : undefined,
    filters: { SARIF: ['sarif', 'json'] },
    saveLabel: 'Export',
  });
}
