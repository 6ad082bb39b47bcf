// The contract between the engine, the parsers and the rules. Nothing here knows about an editor.

/** Half-open range of UTF-16 code-unit offsets into a document's text. */
export interface Span {
  start: number;
  end: number;
}

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** The four layers, plus the two concerns that cut across them. */
export type Layer = 'cloud' | 'cluster' | 'container' | 'code' | 'supply-chain' | 'secrets' | 'general';

/** What a parser produces and a rule reads. `text` is for rules that look at raw text (secrets). */
export type ModelKind = 'dockerfile' | 'hcl' | 'yaml' | 'typescript' | 'packagejson' | 'text';

/** A replacement of `span` by `newText`. An insertion has `start === end`. */
export interface Edit {
  span: Span;
  newText: string;
}

/** A rule's own fix: minimal edits that keep the user's formatting and comments. */
export interface Fix {
  title: string;
  edits: Edit[];
}

export interface ParseError {
  message: string;
  span: Span;
}

/** Every parser returns this and never throws on user input. */
export interface Parsed<M> {
  model: M;
  errors: ParseError[];
}

/** Equivalent checks elsewhere: for users migrating suppressions, and for scoring against KICS. */
export interface References {
  cwe?: string[];
  /** CIS benchmark items, e.g. "CIS Docker 4.1". */
  cis?: string[];
  kics?: string[];
  checkov?: string[];
  trivy?: string[];
  hadolint?: string[];
  kubeLinter?: string[];
  /** Further reading: URLs. */
  links?: string[];
}

/** The settings a rule may read. Filled by the engine from VS Code settings and `.fourfold.yaml`. */
export interface RuleSettings {
  /** Registries (e.g. "docker.io", "ghcr.io/acme") whose images are trusted; empty means no restriction. */
  trustedRegistries: readonly string[];
  /** The date the check runs on, `YYYY-MM-DD`: rules never read the clock themselves. */
  today: string;
}

/** What a rule may know about the file beyond its text, supplied by the host (editor or CLI). */
export interface FileFacts {
  /** Workspace-relative (or absolute) path with forward slashes. */
  path: string;
  /** Whether a file of that name exists in the same folder, e.g. ".dockerignore". Unknown -> undefined. */
  siblingExists(name: string): boolean | undefined;
}

export interface Report {
  /** Key into the rule's `messages`. */
  messageId: string;
  /** Values for `{{name}}` placeholders in the message template. */
  data?: Record<string, string | number>;
  span: Span;
  fix?: Fix;
  /** Overrides the rule's default severity for this one finding (e.g. a worse variant). */
  severity?: Severity;
}

export interface RuleContext<M> {
  model: M;
  text: string;
  file: FileFacts;
  settings: RuleSettings;
  report(report: Report): void;
}

export interface Rule<M = unknown> {
  /** `<folder>/<name>`, equal to the rule's folder under rules/. */
  id: string;
  title: string;
  severity: Severity;
  layer: Layer;
  model: ModelKind;
  /** One sentence: what is wrong. The rule's README.md says why it matters and how to fix it. */
  description: string;
  references: References;
  /** Message templates keyed by id; `{{name}}` is replaced from `Report.data`. */
  messages: Record<string, string>;
  /** Whether some findings carry a fix. */
  fixable?: boolean;
  check(ctx: RuleContext<M>): void;
}

/** A finding after the engine has applied messages, severity overrides and suppressions. */
export interface Finding {
  ruleId: string;
  messageId: string;
  message: string;
  severity: Severity;
  span: Span;
  fix?: Fix;
  /** Set when a `fourfold-ignore` comment or the baseline hides this finding. */
  suppression?: Suppression;
}

export interface Suppression {
  kind: 'inline' | 'file' | 'baseline';
  reason?: string;
  /** Span of the suppressing comment, for inline and file suppressions. */
  span?: Span;
}

export function formatMessage(template: string, data: Record<string, string | number> = {}): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) =>
    name in data ? String(data[name]) : whole,
  );
}
