// The contract between the engine, the rules and the hosts. Nothing here knows about an editor.
// Rules import it through rules/_api.ts and nothing else of the server.
import type { Edit, ParseError, Parsed, Span } from '../core/span';
import type { DockerfileModel, Instruction } from '../parsers/dockerfile/model';
import type { Block, HclFile } from '../parsers/hcl/ast';
import type { YamlDocument, YamlModel } from '../parsers/yaml';

export type { Edit, ParseError, Parsed, Span };

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** The four layers, plus the concerns that cut across them. */
export type Layer = 'cloud' | 'cluster' | 'container' | 'code' | 'supply-chain' | 'secrets' | 'general';

/** What a finding is about: users can turn a whole category off (`categories: { hygiene: off }`). */
export type Category = 'security' | 'hygiene';
export const CATEGORIES: readonly Category[] = ['security', 'hygiene'];

/** The model each parser builds, by kind: a rule names one and gets that type, with no cast. */
export interface Models {
  dockerfile: DockerfileModel;
  hcl: HclFile;
  yaml: YamlModel;
  /** Every text file, whatever its kind: the secret rules read it. */
  text: string;
}
export type ModelKind = keyof Models;

/**
 * What a rule may visit in each model, handed to it in `ctx.nodes`: Dockerfile instructions by
 * keyword (`RUN`), HCL blocks by type and first label (`resource.aws_s3_bucket`, `provider`),
 * YAML documents by `kind` (`Deployment`). A rule with `visits` is skipped when none is present.
 */
export interface Nodes {
  dockerfile: Instruction;
  hcl: Block;
  yaml: YamlDocument;
  text: never;
}

/** A rule's own fix: minimal edits that keep the user's formatting and comments. */
export interface Fix {
  title: string;
  edits: Edit[];
  /**
   * `safe` (the default) fixes run unattended: on save and with `--fix`. A `suggestion` is offered
   * as a quick fix only, because it changes behaviour the user must confirm.
   */
  safety?: 'safe' | 'suggestion';
}

/** A fix, or a function that builds it: fixes are built only when a code action or `--fix` asks. */
export type FixSource = Fix | (() => Fix | undefined);

/** Another place that explains a finding: "the bucket is declared here", a step of a data flow. */
export interface Related {
  /** Workspace-relative path; the finding's own file when absent. */
  path?: string;
  span: Span;
  message: string;
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

/** The settings every rule may read. Filled by the engine from VS Code settings and `.fourfold.yaml`. */
export interface RuleSettings {
  /** Registries (e.g. "docker.io", "ghcr.io/acme") whose images are trusted; empty means no restriction. */
  trustedRegistries: readonly string[];
  /** The date the check runs on, `YYYY-MM-DD`: rules never read the clock themselves. */
  today: string;
}

/** The schema of one rule option: a small JSON-Schema subset, checked when configuration is read. */
export type OptionSchema =
  | { type: 'boolean'; description: string }
  | { type: 'number'; description: string; minimum?: number; maximum?: number }
  | { type: 'string'; description: string; enum?: readonly string[] }
  | { type: 'string[]'; description: string };

/** A rule's options: each one's schema and default. Users set them under `rules: <id>: options:`. */
export interface RuleOptions<O extends object> {
  schema: { [K in keyof O]: OptionSchema };
  defaults: O;
}

/**
 * A data file that rules read (end-of-life dates, advisories), shipped in `data/` and loaded by
 * the host on first use; fixtures may replace it. `read` turns the file's JSON into what rules use.
 */
export interface DataFile<T> {
  /** Key in fixture settings and in the host's loader, e.g. `eol`. */
  name: string;
  /** File name under `data/`. */
  file: string;
  read(json: unknown): T;
}

/** What indexes and summaries are computed from: one parsed file. */
export interface Source<K extends ModelKind = ModelKind> {
  path: string;
  text: string;
  model: Models[K];
  /** A shared index of this file, computed at most once per analysis. */
  index<T>(key: Index<K, T>): T;
}

/**
 * A named index over one model (every RUN command classified, the stage graph, resources by type),
 * computed at most once per analysis, on first use, and shared by every rule that asks for it.
 */
export interface Index<K extends ModelKind, T> {
  name: string;
  compute(source: Source<K>): T;
}

/**
 * A small fact about one file that rules of other files read (the image a Dockerfile builds and the
 * USER it ends with, a manifest's namespaces). Kept per file in the workspace index, by content hash.
 */
export interface Summary<K extends ModelKind, S> {
  name: string;
  model: K;
  /**
   * The file names (not paths) this summary is about, when only some files of its model are: a
   * summary of `text` files (shell scripts) names them, so the index reads those and no others.
   */
  fileNames?: RegExp;
  /** Undefined when the file has nothing to say. Must be small and JSON-like. */
  compute(source: Source<K>): S | undefined;
}

/** One file of a unit (a Terraform module folder), parsed. */
export interface UnitFile<K extends ModelKind = ModelKind> {
  path: string;
  text: string;
  model: Models[K];
}

/** What a rule may know beyond its own file, supplied by the project (editor, scan and CLI alike). */
export interface ProjectView {
  /** Whether a file exists at this workspace-relative path (forward slashes); undefined when unknown. */
  exists(path: string): boolean | undefined;
  /** The summaries of every file of the workspace that has one, by path. Rules with `scope: 'workspace'`. */
  summaries<K extends ModelKind, S>(key: Summary<K, S>): ReadonlyMap<string, S>;
  /** Every file of this file's unit, this one included, in path order. Rules with `scope: 'unit'`. */
  unit(): readonly UnitFile[];
}

export interface Report {
  /** Key into the rule's `messages`. */
  messageId: string;
  /** Values for `{{name}}` placeholders in the message template. */
  data?: Record<string, string | number>;
  span: Span;
  fix?: FixSource;
  /** Overrides the rule's default severity for this one finding (e.g. a worse variant). */
  severity?: Severity;
  /** Other places that explain the finding (LSP relatedInformation, SARIF relatedLocations). */
  related?: Related[];
  /** The steps of a data flow, source first (SARIF codeFlows). */
  flow?: Related[];
}

export interface RuleContext<K extends ModelKind = ModelKind, O extends object = object> {
  model: Models[K];
  text: string;
  /** The file's workspace-relative path, forward slashes. */
  path: string;
  /** The nodes the rule visits (see `Rule.visits`), in file order; empty when it visits none. */
  nodes: readonly Nodes[K][];
  settings: RuleSettings;
  /** The rule's options: its defaults, overridden by configuration. */
  options: O;
  index<T>(key: Index<K, T>): T;
  data<T>(file: DataFile<T>): T;
  project: ProjectView;
  report(report: Report): void;
}

export interface Rule<K extends ModelKind = ModelKind, O extends object = object> {
  /** `<folder>/<name>`, equal to the rule's folder under rules/. */
  id: string;
  title: string;
  severity: Severity;
  layer: Layer;
  category: Category;
  model: K;
  /** One sentence: what is wrong. The rule's README.md says why it matters and how to fix it. */
  description: string;
  references: References;
  /** Message templates keyed by id; `{{name}}` is replaced from `Report.data`. */
  messages: Record<string, string>;
  /** Whether some findings carry a fix. */
  fixable?: boolean;
  /** What the rule looks at (see `Nodes`); the engine skips the rule when none of them is present. */
  visits?: readonly string[];
  /**
   * `file` (the default): the rule reads its file only. `unit`: also the other files of its unit
   * (`ctx.project.unit()`). `workspace`: also summaries of other files (`ctx.project.summaries`).
   * An edit re-checks the units that depend on what changed.
   */
  scope?: 'file' | 'unit' | 'workspace';
  /** The summaries a workspace-scope rule reads: the workspace index computes them for every file. */
  summaries?: readonly Summary<ModelKind, unknown>[];
  /** The data files the rule reads through `ctx.data`. */
  data?: readonly DataFile<unknown>[];
  options?: RuleOptions<O>;
  /**
   * One problem, one finding: where this rule and one of these report overlapping spans in a file,
   * only this rule's finding is shown and the other's message becomes its related information.
   */
  supersedes?: readonly string[];
  check(ctx: RuleContext<K, O>): void;
}

/** Any rule, whatever its model and options. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRule = Rule<any, any>;

/** A finding after the engine has applied messages, severity overrides and suppressions. */
export interface Finding {
  ruleId: string;
  messageId: string;
  message: string;
  severity: Severity;
  span: Span;
  /** The fix, when the check was asked to build fixes. */
  fix?: Fix;
  /** Whether the rule offers a fix for this finding (built or not). */
  fixable?: boolean;
  related?: Related[];
  flow?: Related[];
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
