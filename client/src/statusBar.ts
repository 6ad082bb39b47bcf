// "$(shield) Fourfold: N": the number of Fourfold findings the Problems panel lists, across all
// files (open or scanned), with the split by severity and what is left out (hints, files not checked,
// .fourfold.yaml problems) in the tooltip; see findingCounts.ts. Clicking it scans the workspace.
import * as vscode from 'vscode';
import { ClientCommand, DIAGNOSTIC_SOURCE } from '../../server/src/lsp/protocol';
import { countFindings, statusText, statusTooltip, type FindingCounts } from './findingCounts';

export class FindingsStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('fourfold.findings', vscode.StatusBarAlignment.Left, 50);
  private readonly subscription: vscode.Disposable;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private scanning = false;
  private counts: FindingCounts = countFindings([], DIAGNOSTIC_SOURCE);

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
    this.counts = countFindings(
      vscode.languages.getDiagnostics().map(([, diagnostics]) => diagnostics),
      DIAGNOSTIC_SOURCE,
    );
    this.render();
  }

  private render(): void {
    this.item.text = statusText(this.counts, this.scanning);
    this.item.tooltip = statusTooltip(this.counts);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.subscription.dispose();
    this.item.dispose();
  }
}
