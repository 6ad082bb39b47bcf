// Internal command behind the server's "Ignore <rule> on this line" code action: a code action's
// WorkspaceEdit cannot carry a snippet, so the server asks for this command instead and the reason
// of the inserted `fourfold-ignore` comment becomes a placeholder the user types over.
import * as vscode from 'vscode';
import type { InsertSnippetArgs } from '../../../server/src/lsp/protocol';

export async function insertSnippet(args: InsertSnippetArgs): Promise<boolean> {
  if (!args || typeof args.uri !== 'string' || typeof args.snippet !== 'string' || !args.position) {
    throw new Error('fourfold.insertSnippet expects {uri, position: {line, character}, snippet}');
  }
  const uri = vscode.Uri.parse(args.uri);
  const position = new vscode.Position(args.position.line, args.position.character);
  const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
  const editor = visible
    ? await vscode.window.showTextDocument(visible.document, { viewColumn: visible.viewColumn, preserveFocus: false })
    : await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: false });
  return editor.insertSnippet(new vscode.SnippetString(args.snippet), position);
}
