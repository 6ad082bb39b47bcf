// Fourfold: Show Rule Documentation. Opens docs/rules/<id>.md of the installed extension in the
// built-in Markdown preview; without a rule id, the user picks one from the server's rule list.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { executeServerCommand } from '../server';
import { ServerCommand, type RuleInfo } from '../../../server/src/lsp/protocol';

export async function showRuleDocumentation(
  client: LanguageClient,
  extensionUri: vscode.Uri,
  ruleId?: string,
): Promise<vscode.Uri | undefined> {
  let docsPath: string | undefined;
  if (typeof ruleId === 'string' && ruleId) {
    docsPath = `docs/rules/${ruleId}.md`;
  } else {
    const rules = await executeServerCommand<RuleInfo[]>(client, ServerCommand.ruleList);
    const picked = await vscode.window.showQuickPick(
      rules.map((rule) => ({ label: rule.id, description: rule.title, detail: `${rule.severity} · ${rule.layer}`, rule })),
      { title: 'Fourfold rules', placeHolder: 'Rule to show the documentation of', matchOnDescription: true },
    );
    if (!picked) return undefined;
    docsPath = picked.rule.docsPath;
  }
  const uri = vscode.Uri.joinPath(extensionUri, ...docsPath.split('/'));
  try {
    await vscode.workspace.fs.stat(uri);
  } catch {
    void vscode.window.showErrorMessage(`Fourfold: no documentation found for ${ruleId ?? docsPath}.`);
    return undefined;
  }
  await vscode.commands.executeCommand('markdown.showPreview', uri);
  return uri;
}
