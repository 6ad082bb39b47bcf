// Fourfold: Accept Current Findings as Baseline. The server writes the baseline file of the chosen
// workspace folder; findings listed there are hidden until the code they point at changes.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { executeServerCommand } from '../server';
import { ServerCommand } from '../../../server/src/lsp/protocol';

/** Returns the baseline files written (one per workspace folder the server wrote for). */
export async function writeBaseline(client: LanguageClient, folder?: vscode.Uri): Promise<string[]> {
  const target = folder ?? (await pickFolder());
  if (target === null) return [];
  const result = await executeServerCommand<string | string[] | null>(client, ServerCommand.writeBaseline, [
    target ? { uri: target.toString() } : {},
  ]);
  const written = result === null ? [] : Array.isArray(result) ? result : [result];
  if (folder === undefined && written.length > 0) {
    const where = written.length === 1 ? written[0] : `${written.length} baseline files`;
    void vscode.window.showInformationMessage(`Fourfold: current findings accepted as the baseline in ${where}.`, 'Open').then((choice) => {
      if (choice === 'Open') for (const file of written) void vscode.window.showTextDocument(vscode.Uri.file(file));
    });
  }
  return written;
}

/** The folder to write the baseline for; undefined lets the server choose, null means the user cancelled. */
async function pickFolder(): Promise<vscode.Uri | undefined | null> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length <= 1) return folders[0]?.uri;
  const picked = await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Workspace folder to write the baseline for' });
  return picked ? picked.uri : null;
}
