// Starts the language server (dist/server.js, over IPC) and sends it what it cannot ask for itself.
import * as vscode from 'vscode';
import {
  ExecuteCommandRequest,
  LanguageClient,
  TransportKind,
  type DocumentSelector,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import {
  ClientCommand,
  DOCUMENT_SCHEMES,
  SERVER_NODE_FLAGS,
  TRUST_CHANGED_NOTIFICATION,
  WATCHED_FILES,
  type InitializationOptions,
} from '../../server/src/lsp/protocol';

export function documentSelector(): DocumentSelector {
  return DOCUMENT_SCHEMES.map((scheme) => ({ scheme }));
}

export function createLanguageClient(context: vscode.ExtensionContext): LanguageClient {
  const module = vscode.Uri.joinPath(context.extensionUri, 'dist', 'server.js').fsPath;
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc, options: { execArgv: [...SERVER_NODE_FLAGS] } },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: [...SERVER_NODE_FLAGS, '--nolazy', '--inspect=6009'] } },
  };
  const initializationOptions: InitializationOptions = {
    trusted: vscode.workspace.isTrusted,
    snippetCommand: ClientCommand.insertSnippet,
    docsBase: vscode.Uri.joinPath(context.extensionUri, 'docs', 'rules').toString(),
  };
  const watchers = WATCHED_FILES.map((glob) => vscode.workspace.createFileSystemWatcher(glob));
  context.subscriptions.push(...watchers);
  const clientOptions: LanguageClientOptions = {
    documentSelector: documentSelector(),
    synchronize: { fileEvents: watchers, configurationSection: 'fourfold' },
    initializationOptions,
    diagnosticCollectionName: 'fourfold',
  };
  const client = new LanguageClient('fourfold', 'Fourfold', serverOptions, clientOptions);
  context.subscriptions.push(
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      if (client.isRunning()) void client.sendNotification(TRUST_CHANGED_NOTIFICATION, { trusted: true });
    }),
  );
  return client;
}

/** Calls one of the server's `fourfold.server.*` commands. */
export function executeServerCommand<T>(
  client: LanguageClient,
  command: string,
  args: unknown[] = [],
  token?: vscode.CancellationToken,
): Promise<T> {
  return client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args }, token) as Promise<T>;
}
