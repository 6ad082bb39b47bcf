// The one place where engine values (spans, findings, fixes) become LSP values and back.
import {
  CodeAction,
  CodeActionKind,
  DiagnosticSeverity,
  type Diagnostic,
  type Location,
  type Range,
  type TextEdit,
} from 'vscode-languageserver';
import type { Finding, Fix, Related, Severity, Span } from '../engine/api';
import type { CommentInsertion } from '../engine/suppress';
import { insertionText } from '../engine/suppress';
import { LineIndex } from '../core/text';
import { DIAGNOSTIC_SOURCE } from './protocol';

export type SeverityMapping = Record<Severity, DiagnosticSeverity>;

export const DEFAULT_SEVERITY_MAPPING: SeverityMapping = {
  critical: DiagnosticSeverity.Error,
  high: DiagnosticSeverity.Error,
  medium: DiagnosticSeverity.Warning,
  low: DiagnosticSeverity.Information,
  info: DiagnosticSeverity.Hint,
};

const BY_NAME: Record<string, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** `fourfold.severityMapping` ({"low": "Warning", …}) over the defaults; unknown values are ignored. */
export function severityMapping(setting: unknown): SeverityMapping {
  const mapping = { ...DEFAULT_SEVERITY_MAPPING };
  if (setting && typeof setting === 'object') {
    for (const [severity, name] of Object.entries(setting as Record<string, unknown>)) {
      const level = typeof name === 'string' ? BY_NAME[name.toLowerCase()] : undefined;
      if (level && severity in mapping) mapping[severity as Severity] = level;
    }
  }
  return mapping;
}

export function toRange(lines: LineIndex, span: Span): Range {
  return { start: lines.position(span.start), end: lines.position(span.end) };
}

export function toSpan(lines: LineIndex, range: Range): Span {
  return { start: lines.offset(range.start), end: lines.offset(range.end) };
}

/** What rides along in `Diagnostic.data`, so a code action finds its finding again. */
export interface DiagnosticData {
  ruleId: string;
  start: number;
  end: number;
}

export function toDiagnostic(
  finding: Finding,
  lines: LineIndex,
  mapping: SeverityMapping,
  docsUri: (ruleId: string) => string | undefined,
  relatedLocation: (related: Related) => Location,
): Diagnostic {
  const href = docsUri(finding.ruleId);
  const data: DiagnosticData = { ruleId: finding.ruleId, start: finding.span.start, end: finding.span.end };
  const related = [...(finding.related ?? []), ...(finding.flow ?? [])].map((r) => ({ location: relatedLocation(r), message: r.message }));
  return {
    ...(related.length ? { relatedInformation: related } : {}),
    range: toRange(lines, finding.span),
    severity: mapping[finding.severity],
    source: DIAGNOSTIC_SOURCE,
    code: finding.ruleId,
    ...(href ? { codeDescription: { href } } : {}),
    message: finding.message,
    data,
  };
}

/** The edits of a fix in its own file (edits of other files are left to `fixAction`). */
export function toTextEdits(lines: LineIndex, fix: Fix): TextEdit[] {
  return fix.edits.filter((edit) => !edit.path).map((edit) => ({ range: toRange(lines, edit.span), newText: edit.newText }));
}

/**
 * A fix as a workspace edit: edits in the finding's file by range; a file the fix creates as a
 * CreateFile plus its content. Edits inside other existing files need their text, which the
 * server reads when it builds the fix, so rules give those as whole-file creations.
 */
export function fixAction(uri: string, lines: LineIndex, fix: Fix, diagnostic: Diagnostic, uriOf: (path: string) => string): CodeAction {
  const created = fix.edits.filter((edit) => edit.path && edit.create);
  const own = toTextEdits(lines, fix);
  const edit = created.length
    ? {
        documentChanges: [
          { textDocument: { uri, version: null }, edits: own },
          ...created.flatMap((e) => [
            { kind: 'create' as const, uri: uriOf(e.path!), options: { ignoreIfExists: true } },
            { textDocument: { uri: uriOf(e.path!), version: null }, edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: e.newText }] },
          ]),
        ],
      }
    : { changes: { [uri]: own } };
  const action = CodeAction.create(fix.title, edit, CodeActionKind.QuickFix);
  action.diagnostics = [diagnostic];
  action.isPreferred = true;
  return action;
}

/** Escapes text for a snippet, where `$`, `}` and `\` are special. */
function snippetEscape(text: string): string {
  return text.replace(/[$}\\]/g, '\\$&');
}

export function insertionSnippet(insertion: CommentInsertion): string {
  return `${snippetEscape(insertion.before)}\${1:${snippetEscape(insertion.placeholder)}}${snippetEscape(insertion.after)}`;
}

/**
 * A comment-inserting action. With a snippet command (our VS Code client) the reason becomes a
 * placeholder to type over; other clients get a plain edit with the word "reason" to replace.
 */
export function insertionAction(
  title: string,
  uri: string,
  lines: LineIndex,
  insertion: CommentInsertion,
  diagnostic: Diagnostic,
  snippetCommand: string | undefined,
): CodeAction {
  const position = lines.position(insertion.offset);
  const action = snippetCommand
    ? CodeAction.create(title, { title, command: snippetCommand, arguments: [{ uri, position, snippet: insertionSnippet(insertion) }] }, CodeActionKind.QuickFix)
    : CodeAction.create(title, { changes: { [uri]: [{ range: { start: position, end: position }, newText: insertionText(insertion) }] } }, CodeActionKind.QuickFix);
  action.diagnostics = [diagnostic];
  return action;
}
