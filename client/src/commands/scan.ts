// Fourfold: Scan Workspace. The server walks the folders and reports cancellable progress itself
// (server-initiated work-done progress, shown by vscode-languageclient); this only reports the result.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { executeServerCommand } from '../server';
import { ServerCommand, type ScanSummary } from '../../../server/src/lsp/protocol';

export async function scanWorkspace(client: LanguageClient): Promise<ScanSummary> {
  const summary = await executeServerCommand<ScanSummary>(client, ServerCommand.scanWorkspace);
  void vscode.window.showInformationMessage(describeScan(summary));
  return summary;
}

export function describeScan({ files, findings, cancelled }: ScanSummary): string {
  const counted = `${plural(files, 'file')}, ${plural(findings, 'finding')}`;
  return cancelled ? `Fourfold: scan cancelled after ${counted}.` : `Fourfold: scanned ${counted}.`;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
