// Text and JSON reports of a scan, for terminals and scripts. Positions come from LineIndex:
// lines and columns are 1-based, columns count UTF-16 code units (as editors and SARIF do).
//
// The JSON shape (`version` changes only when a field changes meaning or goes away):
//   {
//     "version": 1,
//     "tool": { "name": "fourfold", "version": "0.1.0" },
//     "files": [ { "path": "app/Dockerfile",
//                  "findings": [ { "ruleId", "severity", "message", "line", "column", "endLine", "endColumn",
//                                  "layer"?, "fixable"?,
//                                  "suppressed"?: { "kind": "inline" | "file" | "baseline", "reason"? } } ] } ],
//     "skipped": [ { "path", "reason" } ],
//     "ruleErrors": [ { "path", "ruleId", "error" } ],     (a rule that threw: a bug in Fourfold)
//     "summary": { "files": checked, "findings": not suppressed, "suppressed",
//                  "bySeverity": { critical, high, medium, low, info }, "byLayer": { <layer>: n },
//                  "parseErrors", "skipped", "ruleErrors" }
//   }
// Files are sorted by path and findings by position; suppressed findings are listed with
// `suppressed` set (and not counted in `findings`).
import { SEVERITIES, type Finding, type Layer, type Rule, type Severity } from './api';
import { LineIndex } from '../core/text';

export interface ReportFile {
  /** Relative path with forward slashes, as shown. */
  path: string;
  text: string;
  findings: readonly Finding[];
}

export interface ReportInput {
  files: readonly ReportFile[];
  skipped: readonly { path: string; reason: string }[];
  rules: readonly Rule[];
  ruleErrors?: readonly { path: string; ruleId: string; error: string }[];
  toolVersion: string;
}

export interface TextOptions {
  color: boolean;
  showSuppressed: boolean;
  /** Findings only: no summary, no notes. */
  quiet?: boolean;
}

const PARSE_ERROR = 'fourfold/parse-error';

export interface Summary {
  files: number;
  findings: number;
  suppressed: number;
  bySeverity: Record<Severity, number>;
  byLayer: Partial<Record<Layer, number>>;
  parseErrors: number;
  skipped: number;
  ruleErrors: number;
}

export function summarize(input: ReportInput): Summary {
  const layerOf = new Map(input.rules.map((r) => [r.id, r.layer]));
  const summary: Summary = {
    files: input.files.length,
    findings: 0,
    suppressed: 0,
    bySeverity: { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
    byLayer: {},
    parseErrors: 0,
    skipped: input.skipped.length,
    ruleErrors: input.ruleErrors?.length ?? 0,
  };
  for (const file of input.files) {
    for (const f of file.findings) {
      if (f.suppression) {
        summary.suppressed++;
        continue;
      }
      summary.findings++;
      summary.bySeverity[f.severity]++;
      const layer = layerOf.get(f.ruleId) ?? 'general';
      summary.byLayer[layer] = (summary.byLayer[layer] ?? 0) + 1;
      if (f.ruleId === PARSE_ERROR) summary.parseErrors++;
    }
  }
  return summary;
}

const sortedFiles = (files: readonly ReportFile[]) => [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

// ---------- JSON ----------

export function formatJson(input: ReportInput): string {
  const layerOf = new Map(input.rules.map((r) => [r.id, r.layer]));
  const fixable = new Set<string>();
  const files = sortedFiles(input.files)
    .filter((file) => file.findings.length > 0)
    .map((file) => {
      const lines = new LineIndex(file.text);
      return {
        path: file.path,
        findings: file.findings.map((f) => {
          const start = lines.position(f.span.start);
          const end = lines.position(f.span.end);
          if (f.fix || f.fixable) fixable.add(f.ruleId);
          return {
            ruleId: f.ruleId,
            severity: f.severity,
            message: f.message,
            line: start.line + 1,
            column: start.character + 1,
            endLine: end.line + 1,
            endColumn: end.character + 1,
            ...(layerOf.has(f.ruleId) ? { layer: layerOf.get(f.ruleId) } : {}),
            ...(f.fix ? { fixable: true } : {}),
            ...(f.suppression ? { suppressed: { kind: f.suppression.kind, ...(f.suppression.reason ? { reason: f.suppression.reason } : {}) } } : {}),
          };
        }),
      };
    });
  const out = {
    version: 1,
    tool: { name: 'fourfold', version: input.toolVersion },
    files,
    skipped: input.skipped.map((s) => ({ path: s.path, reason: s.reason })),
    ruleErrors: (input.ruleErrors ?? []).map((e) => ({ path: e.path, ruleId: e.ruleId, error: e.error.split('\n')[0] })),
    summary: summarize(input),
  };
  return JSON.stringify(out, null, 2) + '\n';
}

// ---------- text ----------

const ANSI = { reset: '\x1b[0m', bold: '\x1b[1m', dim: '\x1b[2m', red: '\x1b[31m', yellow: '\x1b[33m', blue: '\x1b[34m', magenta: '\x1b[35m', cyan: '\x1b[36m' };
const SEVERITY_COLOR: Record<Severity, string> = { critical: ANSI.magenta, high: ANSI.red, medium: ANSI.yellow, low: ANSI.blue, info: ANSI.dim };

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function formatText(input: ReportInput, options: TextOptions): string {
  const paint = (code: string, s: string) => (options.color ? `${code}${s}${ANSI.reset}` : s);
  const out: string[] = [];
  const width = Math.max(0, ...SEVERITIES.map((s) => s.length));

  for (const file of sortedFiles(input.files)) {
    const shown = file.findings.filter((f) => options.showSuppressed || !f.suppression);
    if (shown.length === 0) continue;
    const lines = new LineIndex(file.text);
    const rows = shown.map((f) => {
      const { line, character } = lines.position(f.span.start);
      return { where: `${file.path}:${line + 1}:${character + 1}`, f };
    });
    const whereWidth = Math.max(...rows.map((r) => r.where.length));
    const ruleWidth = Math.max(...rows.map((r) => r.f.ruleId.length));
    if (out.length) out.push('');
    for (const { where, f } of rows) {
      const severity = paint(SEVERITY_COLOR[f.severity], f.severity.padEnd(width));
      let message = f.message;
      if (f.suppression) message += paint(ANSI.dim, ` (suppressed: ${f.suppression.kind}${f.suppression.reason ? `: ${f.suppression.reason}` : ''})`);
      out.push(`${paint(ANSI.bold, where.padEnd(whereWidth))}  ${severity}  ${paint(ANSI.cyan, f.ruleId.padEnd(ruleWidth))}  ${message}`);
    }
  }
  if (options.quiet) return out.length ? out.join('\n') + '\n' : '';

  const summary = summarize(input);
  const notes: string[] = [];
  for (const s of input.skipped) notes.push(`note: skipped ${s.path}: ${s.reason}`);
  for (const e of input.ruleErrors ?? []) notes.push(`note: rule ${e.ruleId} failed on ${e.path} (a bug in Fourfold): ${e.error.split('\n')[0]}`);
  if (notes.length) {
    if (out.length) out.push('');
    out.push(...notes.map((n) => paint(ANSI.dim, n)));
  }

  if (out.length) out.push('');
  const checked = `${plural(summary.files, 'file')} checked`;
  if (summary.findings === 0) {
    out.push(`${paint(ANSI.bold, 'No findings')} (${checked}${summary.suppressed ? `, ${summary.suppressed} suppressed` : ''}).`);
  } else {
    const withFindings = input.files.filter((f) => f.findings.some((x) => !x.suppression)).length;
    const bySeverity = SEVERITIES.filter((s) => summary.bySeverity[s] > 0)
      .map((s) => paint(SEVERITY_COLOR[s], `${summary.bySeverity[s]} ${s}`))
      .join(', ');
    out.push(`${paint(ANSI.bold, plural(summary.findings, 'finding'))} in ${plural(withFindings, 'file')} (${checked}): ${bySeverity}`);
    const byLayer = Object.entries(summary.byLayer)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .map(([layer, n]) => `${layer} ${n}`)
      .join(', ');
    out.push(`  by layer: ${byLayer}`);
  }
  const extra: string[] = [];
  if (summary.suppressed && !options.showSuppressed && summary.findings > 0) extra.push(`${summary.suppressed} suppressed (not shown; --show-suppressed lists them)`);
  if (summary.parseErrors) extra.push(`${plural(summary.parseErrors, 'parse error')}`);
  if (summary.skipped) extra.push(`${plural(summary.skipped, 'file')} skipped`);
  if (summary.ruleErrors) extra.push(`${plural(summary.ruleErrors, 'rule error')}`);
  if (extra.length) out.push(`  ${extra.join('; ')}`);
  return out.join('\n') + '\n';
}
