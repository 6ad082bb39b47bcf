// SARIF 2.1.0 (OASIS) for CI and code-scanning services: the rules with their metadata, and every
// finding as a result with a 1-based UTF-16 region, a stable partial fingerprint, its suppression
// and its fix. Positions come from LineIndex only.
import type { AnyRule as Rule, Edit, Finding, Related, Severity, Span } from './api';
import { fingerprint } from './baseline';
import { LineIndex } from '../core/text';

export interface SarifFile {
  /** Path relative to the scan root, forward slashes (written against `%SRCROOT%`). */
  relPath?: string;
  /** Or an absolute URI, written as is. */
  uri?: string;
  text: string;
  findings: readonly Finding[];
}

export interface SarifOptions {
  toolVersion: string;
  /** Absolute `file:` URI of the scan root, ending in '/': becomes `originalUriBaseIds['%SRCROOT%']`. */
  baseUri?: string;
  /** The tool's home page, an absolute URI. */
  informationUri?: string;
  /** Absolute URI of a rule's documentation, when there is one to point at. */
  helpUri?: (rule: Rule) => string | undefined;
  /** The rule's documentation in Markdown (its README), for `help.markdown`. */
  helpMarkdown?: (rule: Rule) => string | undefined;
  /** The severity a rule runs at after configuration; undefined means off. Defaults to its own. */
  ruleSeverity?: (rule: Rule) => Severity | undefined;
  /** Problems of the run (files skipped, rules that threw), as tool execution notifications. */
  notifications?: { message: string; level: 'error' | 'warning' | 'note'; relPath?: string }[];
}

export type SarifLevel = 'error' | 'warning' | 'note';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const FINGERPRINT_KEY = 'fourfold/v1';

export function sarifLevel(severity: Severity): SarifLevel {
  return severity === 'critical' || severity === 'high' ? 'error' : severity === 'medium' ? 'warning' : 'note';
}

/** The scale GitHub code scanning reads (`security-severity`, 0.0–10.0, as a string). */
export const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: '1.0',
};

/** Percent-encodes each segment of a relative path (RFC 3986), keeping the slashes. */
export function encodeRelativeUri(relPath: string): string {
  return relPath
    .split('/')
    .map((segment) => (segment === '..' || segment === '.' ? segment : encodeURIComponent(segment)))
    .join('/');
}

/** A `file:` URI for an absolute path (POSIX or Windows). */
export function fileUri(absPath: string): string {
  let p = absPath.replace(/\\/g, '/');
  if (!p.startsWith('/')) p = `/${p}`;
  return `file://${p
    .split('/')
    .map((s, i) => (i === 1 && /^[A-Za-z]:$/.test(s) ? s : encodeURIComponent(s)))
    .join('/')}`;
}

interface Region {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
  snippet?: { text: string };
}

function region(lines: LineIndex, span: Span, withSnippet: boolean): Region {
  const start = lines.position(span.start);
  const end = lines.position(span.end);
  const out: Region = {
    startLine: start.line + 1,
    startColumn: start.character + 1,
    endLine: end.line + 1,
    endColumn: end.character + 1,
  };
  if (withSnippet && span.end > span.start && span.end - span.start <= 1000) out.snippet = { text: lines.text.slice(span.start, span.end) };
  return out;
}

function descriptor(rule: Rule, options: SarifOptions): Record<string, unknown> {
  const severity = options.ruleSeverity ? options.ruleSeverity(rule) : rule.severity;
  const refs = rule.references ?? {};
  const cwe = (refs.cwe ?? []).map((c) => (/^\d+$/.test(c) ? `CWE-${c}` : c));
  const tags = [rule.layer, 'security', ...cwe.map((c) => `external/cwe/${c.toLowerCase()}`)];
  const properties: Record<string, unknown> = {
    tags,
    'security-severity': SECURITY_SEVERITY[severity ?? rule.severity],
    precision: 'high',
    kics: [...(refs.kics ?? [])],
  };
  if (cwe.length) properties.cwe = cwe;
  for (const key of ['cis', 'checkov', 'trivy', 'hadolint', 'kubeLinter'] as const) {
    if (refs[key]?.length) properties[key] = [...refs[key]!];
  }
  const out: Record<string, unknown> = {
    id: rule.id,
    name: rule.id.replace(/^.*\//, '').replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase()),
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.description },
  };
  const helpUri = options.helpUri?.(rule);
  if (helpUri) out.helpUri = helpUri;
  const markdown = options.helpMarkdown?.(rule);
  out.help = markdown ? { text: rule.description, markdown } : { text: rule.description };
  out.defaultConfiguration = severity ? { level: sarifLevel(severity) } : { enabled: false, level: sarifLevel(rule.severity) };
  out.properties = properties;
  return out;
}

function fixOf(fix: NonNullable<Finding['fix']>, artifactLocation: Record<string, unknown>, lines: LineIndex) {
  return {
    description: { text: fix.title },
    artifactChanges: [
      {
        artifactLocation,
        replacements: fix.edits.map((edit: Edit) => ({
          deletedRegion: region(lines, edit.span, false),
          ...(edit.newText ? { insertedContent: { text: edit.newText } } : {}),
        })),
      },
    ],
  };
}

/**
 * A related location or flow step: a region in lines and columns in the finding's own file; in
 * another file (whose text is not at hand) a character range, which SARIF allows as well.
 */
function relatedLocation(step: Related, own: Record<string, unknown>, lines: LineIndex, id?: number): Record<string, unknown> {
  const physicalLocation = step.path
    ? {
        artifactLocation: { uri: encodeRelativeUri(step.path), ...(own.uriBaseId ? { uriBaseId: own.uriBaseId } : {}) },
        region: { charOffset: step.span.start, charLength: Math.max(0, step.span.end - step.span.start) },
      }
    : { artifactLocation: own, region: region(lines, step.span, false) };
  return { ...(id !== undefined ? { id } : {}), physicalLocation, message: { text: step.message } };
}

/** Builds the SARIF log (a plain object; JSON.stringify it). */
export function toSarif(files: readonly SarifFile[], rules: readonly Rule[], options: SarifOptions): Record<string, unknown> {
  const ruleIndex = new Map(rules.map((rule, i) => [rule.id, i]));
  const results: Record<string, unknown>[] = [];
  const sorted = [...files].sort((a, b) => ((a.relPath ?? a.uri ?? '') < (b.relPath ?? b.uri ?? '') ? -1 : 1));
  for (const file of sorted) {
    if (file.findings.length === 0) continue;
    const lines = new LineIndex(file.text);
    const artifactLocation: Record<string, unknown> = file.uri
      ? { uri: file.uri }
      : file.relPath && (file.relPath.startsWith('/') || /^[A-Za-z]:[\\/]/.test(file.relPath))
        ? { uri: fileUri(file.relPath) }
        : { uri: encodeRelativeUri(file.relPath ?? ''), ...(options.baseUri ? { uriBaseId: '%SRCROOT%' } : {}) };
    for (const finding of file.findings) {
      const result: Record<string, unknown> = {
        ruleId: finding.ruleId,
        ...(ruleIndex.has(finding.ruleId) ? { ruleIndex: ruleIndex.get(finding.ruleId) } : {}),
        level: sarifLevel(finding.severity),
        message: { text: finding.message },
        locations: [{ physicalLocation: { artifactLocation, region: region(lines, finding.span, true) } }],
        partialFingerprints: { [FINGERPRINT_KEY]: fingerprint(finding, lines) },
        properties: { severity: finding.severity },
      };
      if (finding.suppression) {
        const external = finding.suppression.kind === 'baseline';
        result.suppressions = [
          {
            kind: external ? 'external' : 'inSource',
            status: 'accepted',
            ...(finding.suppression.reason ? { justification: finding.suppression.reason } : {}),
            ...(finding.suppression.span
              ? { location: { physicalLocation: { artifactLocation, region: region(lines, finding.suppression.span, false) } } }
              : {}),
          },
        ];
      }
      if (finding.fix && finding.fix.edits.length) result.fixes = [fixOf(finding.fix, artifactLocation, lines)];
      const where = (step: Related, id?: number) => relatedLocation(step, artifactLocation, lines, id);
      if (finding.related?.length) result.relatedLocations = finding.related.map((r, i) => where(r, i + 1));
      if (finding.flow?.length) {
        result.codeFlows = [{ threadFlows: [{ locations: finding.flow.map((step) => ({ location: where(step) })) }] }];
      }
      results.push(result);
    }
  }

  const driver: Record<string, unknown> = {
    name: 'Fourfold',
    ...(options.informationUri ? { informationUri: options.informationUri } : {}),
    semanticVersion: options.toolVersion,
    version: options.toolVersion,
    rules: rules.map((rule) => descriptor(rule, options)),
  };
  const invocation: Record<string, unknown> = { executionSuccessful: true };
  if (options.notifications?.length) {
    invocation.toolExecutionNotifications = options.notifications.map((n) => ({
      level: n.level,
      message: { text: n.message },
      ...(n.relPath
        ? {
            locations: [
              { physicalLocation: { artifactLocation: { uri: encodeRelativeUri(n.relPath), ...(options.baseUri ? { uriBaseId: '%SRCROOT%' } : {}) } } },
            ],
          }
        : {}),
    }));
  }
  const run: Record<string, unknown> = {
    tool: { driver },
    invocations: [invocation],
    ...(options.baseUri ? { originalUriBaseIds: { '%SRCROOT%': { uri: options.baseUri } } } : {}),
    columnKind: 'utf16CodeUnits',
    results,
  };
  return { $schema: SARIF_SCHEMA, version: '2.1.0', runs: [run] };
}
