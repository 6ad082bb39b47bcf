// The extension side of Fourfold: starts the language server, contributes the palette commands and
// the status bar item. Checking happens in the server; nothing here knows about rules.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { writeBaseline } from './commands/baseline';
import { insertSnippet } from './commands/insertSnippet';
import { showRuleDocumentation } from './commands/ruleDocs';
import { exportSarif } from './commands/sarif';
import { scanWorkspace } from './commands/scan';
import { ClientCommand, type InsertSnippetArgs } from '../../server/src/lsp/protocol';
import { createLanguageClient } from './server';
import { FindingsStatusBar } from './statusBar';

/** What `vscode.extensions.getExtension('fourfold.fourfold').exports` gives, for tests and other extensions. */
export interface FourfoldApi {
  /** Resolves once the language server has started. */
  ready: Promise<void>;
  statusBar: { readonly text: string; readonly tooltip: string };
}

let client: LanguageClient | undefined;

export function activate(context: vscode.ExtensionContext): FourfoldApi {
  const languageClient = createLanguageClient(context);
  client = languageClient;
  const ready = languageClient.start();
  const started = async () => {
    await ready;
    return languageClient;
  };

  const statusBar = new FindingsStatusBar();
  context.subscriptions.push(
    statusBar,
    vscode.commands.registerCommand(ClientCommand.scanWorkspace, async () =>
      statusBar.whileScanning(async () => scanWorkspace(await started())),
    ),
    vscode.commands.registerCommand(ClientCommand.exportSarif, async (target?: vscode.Uri | string) =>
      exportSarif(await started(), target),
    ),
    vscode.commands.registerCommand(ClientCommand.showRuleDocumentation, async (ruleId?: string) =>
      showRuleDocumentation(await started(), context.extensionUri, ruleId),
    ),
    vscode.commands.registerCommand(ClientCommand.writeBaseline, async (folder?: vscode.Uri) =>
      writeBaseline(await started(), folder instanceof vscode.Uri ? folder : undefined),
    ),
    vscode.commands.registerCommand(ClientCommand.insertSnippet, (args: InsertSnippetArgs) => insertSnippet(args)),
  );
  ready.catch((error: unknown) => {
    void vscode.window.showErrorMessage(`Fourfold: the language server did not start: ${String(error)}`);
  });
  return { ready, statusBar };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
