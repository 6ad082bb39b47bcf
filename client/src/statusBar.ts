// "$(shield) Fourfold: N" — the number of Fourfold diagnostics across all files (open or scanned),
// with the split by severity in the tooltip. Clicking it scans the workspace.
import * as vscode from 'vscode';
import { ClientCommand, DIAGNOSTIC_SOURCE } from '../../server/src/lsp/protocol';

const SEVERITY_NAMES: Record<vscode.DiagnosticSeverity, string> = {
  [vscode.DiagnosticSeverity.Error]: 'errors',
  [vscode.DiagnosticSeverity.Warning]: 'warnings',
  [vscode.DiagnosticSeverity.Information]: 'information',
  [vscode.DiagnosticSeverity.Hint]: 'hints',
};

export interface FindingCounts {
  total: number;
  bySeverity: Record<vscode.DiagnosticSeverity, number>;
}

export function countFindings(all: readonly [vscode.Uri, readonly vscode.Diagnostic[]][]): FindingCounts {
  const bySeverity = { 0: 0, 1: 0, 2: 0, 3: 0 } as Record<vscode.DiagnosticSeverity, number>;
  let total = 0;
  for (const [, diagnostics] of all) {
    for (const d of diagnostics) {
      if (d.source !== DIAGNOSTIC_SOURCE) continue;
      total++;
      bySeverity[d.severity]++;
    }
  }
  return { total, bySeverity };
}

export class FindingsStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('fourfold.findings', vscode.StatusBarAlignment.Left, 50);
  private readonly subscription: vscode.Disposable;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private scanning = false;
  private counts: FindingCounts = countFindings([]);

  constructor(private readonly debounceMs = 150) {
    this.item.name = 'Fourfold findings';
    this.item.command = { command: ClientCommand.scanWorkspace, title: 'Scan Workspace' };
    this.subscription = vscode.languages.onDidChangeDiagnostics(() => this.schedule());
    this.refresh();
    this.item.show();
  }

  /** Shows a spinner while `work` runs (a scan), then the fresh count. */
  async whileScanning<T>(work: () => Promise<T>): Promise<T> {
    this.scanning = true;
    this.render();
    try {
      return await work();
    } finally {
      this.scanning = false;
      this.refresh();
    }
  }

  get text(): string {
    return this.item.text;
  }

  get tooltip(): string {
    return typeof this.item.tooltip === 'string' ? this.item.tooltip : (this.item.tooltip?.value ?? '');
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh(), this.debounceMs);
  }

  private refresh(): void {
    this.timer = undefined;
    this.counts = countFindings(vscode.languages.getDiagnostics());
    this.render();
  }

  private render(): void {
    const { total, bySeverity } = this.counts;
    this.item.text = this.scanning ? '$(sync~spin) Fourfold: scanning…' : `$(shield) Fourfold: ${total}`;
    const split = (Object.keys(SEVERITY_NAMES) as unknown as vscode.DiagnosticSeverity[])
      .map((s) => `${bySeverity[s]} ${SEVERITY_NAMES[s]}`)
      .join(', ');
    this.item.tooltip = `Fourfold: ${total} finding${total === 1 ? '' : 's'} (${split}). Click to scan the workspace.`;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.subscription.dispose();
    this.item.dispose();
  }
}
