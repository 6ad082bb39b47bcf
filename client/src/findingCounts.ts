// What the status bar counts: the Fourfold findings that the Problems panel lists. No import of
// vscode, so it is unit-tested directly (test/unit/finding-counts.test.ts).
//
// The Problems panel lists diagnostics of severity Error, Warning and Information, never Hint:
// VS Code's markers view reads `markerService.read({ severities: Error | Warning | Info })`
// (src/vs/workbench/contrib/markers/browser/markersView.ts, MIT), and its badge counts the same
// three. So a finding shown as a Hint (info severity, by default) is in the editor only, and is not
// counted. The panel does list two other kinds of Fourfold diagnostic, which are not findings and
// are not counted either: the "Fourfold did not check this file" notice (no code) and a problem in
// .fourfold.yaml (code `fourfold/config`). The tooltip names everything left out.

/** VS Code's DiagnosticSeverity values. */
export const Severity = { Error: 0, Warning: 1, Information: 2, Hint: 3 } as const;

/** The diagnostic `code` the server gives problems in .fourfold.yaml (server/src/server.ts, publishConfigProblems). */
export const CONFIG_PROBLEM_CODE = 'fourfold/config';

export interface DiagnosticLike {
  source?: string;
  severity: number;
  code?: string | number | { value: string | number };
}

export interface FindingCounts {
  /** Findings the Problems panel lists: errors + warnings + information. */
  findings: number;
  errors: number;
  warnings: number;
  information: number;
  /** Findings shown as hints: in the editor, not in the Problems panel. */
  hints: number;
  /** "Fourfold did not check this file" notices (binary or oversized files). */
  notices: number;
  /** Problems in .fourfold.yaml. */
  configProblems: number;
}

function codeOf(d: DiagnosticLike): string | undefined {
  const code = typeof d.code === 'object' && d.code !== null ? d.code.value : d.code;
  return code === undefined || code === '' ? undefined : String(code);
}

/** Counts the diagnostics of `source` across all files (each entry: one file's diagnostics). */
export function countFindings(all: Iterable<readonly DiagnosticLike[]>, source: string): FindingCounts {
  const counts: FindingCounts = { findings: 0, errors: 0, warnings: 0, information: 0, hints: 0, notices: 0, configProblems: 0 };
  for (const diagnostics of all) {
    for (const d of diagnostics) {
      if (d.source !== source) continue;
      const code = codeOf(d);
      if (code === undefined) counts.notices++;
      else if (code === CONFIG_PROBLEM_CODE) counts.configProblems++;
      else if (d.severity === Severity.Error) counts.errors++;
      else if (d.severity === Severity.Warning) counts.warnings++;
      else if (d.severity === Severity.Information) counts.information++;
      else counts.hints++;
    }
  }
  counts.findings = counts.errors + counts.warnings + counts.information;
  return counts;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The status bar text: the number of findings in the Problems panel, or a spinner while scanning. */
export function statusText(counts: FindingCounts, scanning: boolean): string {
  return scanning ? '$(sync~spin) Fourfold: scanning…' : `$(shield) Fourfold: ${counts.findings}`;
}

/** The status bar tooltip: what the number counts, its split, and what it leaves out. */
export function statusTooltip(counts: FindingCounts): string {
  const split = [
    plural(counts.errors, 'error', 'errors'),
    plural(counts.warnings, 'warning', 'warnings'),
    `${counts.information} information`,
  ].join(', ');
  const left = [
    counts.hints ? `${plural(counts.hints, 'hint', 'hints')} (shown in the editor only)` : '',
    counts.notices ? `${plural(counts.notices, 'file', 'files')} not checked` : '',
    counts.configProblems ? plural(counts.configProblems, 'problem in .fourfold.yaml', 'problems in .fourfold.yaml') : '',
  ].filter(Boolean);
  return (
    `Fourfold: ${plural(counts.findings, 'finding', 'findings')} in the Problems panel (${split}).` +
    (left.length ? ` Not counted: ${left.join(', ')}.` : '') +
    ' Click to scan the workspace.'
  );
}
