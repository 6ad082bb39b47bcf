// The editor-agnostic core: snapshot -> analysis -> rules -> findings. The language server, the
// workspace scan and the CLI all call `Engine.check`; the project (other files, summaries, units)
// reaches rules through a ProjectView that the host builds (see server/src/workspace/project.ts).
import { clampSpan, type Span } from '../core/span';
import { Analysis, type Snapshot } from './analysis';
import {
  formatMessage,
  type AnyRule,
  type DataFile,
  type Finding,
  type Fix,
  type ModelKind,
  type ProjectView,
  type Report,
  type RuleSettings,
  type Severity,
  type Summary,
} from './api';
import { baselineIndex, fingerprint, type Baseline, type BaselineIndex } from './baseline';
import { defaultConfig, type Config } from './config';
import type { DocumentKind } from './languages';
import { findSuppressions, suppressionsFor } from './suppress';

export const PARSE_ERROR_RULE_ID = 'fourfold/parse-error';
export const TOO_MANY_RULE_ID = 'fourfold/too-many-findings';

export type { Snapshot } from './analysis';
export { Analysis } from './analysis';

/** The old name of a snapshot, kept for the hosts' readability: a file's path and text. */
export type SourceFile = Snapshot;

export interface CheckOptions {
  /** Other files, summaries and units; a lone file when absent. */
  project?: ProjectView;
  /** Build fixes (code actions, `--fix`, fixture tests); otherwise findings only say they are fixable. */
  fixes?: boolean;
  /** A parse of this very snapshot to reuse. */
  analysis?: Analysis;
}

export interface CheckResult {
  kind?: DocumentKind;
  /** All findings, suppressed ones included (with `suppression` set), sorted by position. */
  findings: Finding[];
  analysis?: Analysis;
  /** Why the file was not checked (binary, too large, minified), if it was not. */
  skipped?: string;
  /** Rules that threw: a bug in the rule, never the user's fault. */
  ruleErrors: { ruleId: string; error: string }[];
}

/** Reads a shipped data file's JSON by file name (`eol.json`); the host decides where from. */
export type DataLoader = (file: string) => unknown;

export interface EngineOptions {
  /** The day checks run on, `YYYY-MM-DD`; today by default. */
  today?: () => string;
  /** Where data files come from; rules that read data see an error when there is none. */
  loadData?: DataLoader;
}

/** A rule as configured: what it reports at, and its options with defaults filled in. */
interface ActiveRule {
  rule: AnyRule;
  severity: Severity;
  options: object;
}

export function looksBinary(text: string): boolean {
  const head = text.slice(0, 8192);
  if (head.includes('\u0000')) return true;
  let replacement = 0;
  for (let i = 0; i < head.length; i++) if (head.charCodeAt(i) === 0xfffd) replacement++;
  return head.length > 0 && replacement / head.length > 0.1;
}

const MINIFIED_NAME = /\.min\.(?:[cm]?js|css)$/i;

/** Bundled or minified code: one enormous line, where a finding could not be shown or fixed anyway. */
export function looksMinified(path: string, text: string): boolean {
  if (MINIFIED_NAME.test(path)) return true;
  if (text.length < 20_000) return false;
  // The average length of the first 50 lines (or of all, when there are fewer): bundles start long.
  let lines = 0;
  let sampled = 0;
  for (let at = text.indexOf('\n'); at >= 0 && lines < 50; at = text.indexOf('\n', at + 1)) {
    lines++;
    sampled = at + 1;
  }
  if (lines < 50) {
    lines++;
    sampled = text.length;
  }
  return sampled / lines > 1000;
}

const LONE_FILE: ProjectView = {
  exists: () => undefined,
  summaries: () => new Map(),
  unit: () => [],
};

export class Engine {
  private config: Config;
  private baseline: BaselineIndex = new Map();
  private active = new Map<ModelKind, ActiveRule[]>();
  /** The parse-error pseudo-rule and its severity, when it is on. */
  private parseErrors?: { rule: AnyRule; severity: Severity };
  /** The summaries enabled rules read, and the models whose rules read the project. */
  private summaryKeys: Summary<ModelKind, unknown>[] = [];
  private projectModels = new Set<ModelKind>();
  private readonly data = new Map<DataFile<unknown>, unknown>();
  private readonly today: () => string;

  constructor(
    readonly rules: readonly AnyRule[],
    config: Config = defaultConfig(),
    private readonly options: EngineOptions = {},
  ) {
    this.today = options.today ?? (() => new Date().toISOString().slice(0, 10));
    this.config = config;
    this.configure();
  }

  getConfig(): Config {
    return this.config;
  }

  setConfig(config: Config): void {
    this.config = config;
    this.configure();
  }

  setBaseline(baseline: Baseline): void {
    this.baseline = baselineIndex(baseline);
  }

  /** Rules on, by model, with their severity and options: worked out once per configuration. */
  private configure(): void {
    this.active = new Map();
    this.parseErrors = undefined;
    const summaries = new Set<Summary<ModelKind, unknown>>();
    this.projectModels = new Set();
    for (const rule of this.rules) {
      const severity = this.effectiveSeverity(rule);
      if (!severity) continue;
      if (rule.id === PARSE_ERROR_RULE_ID) {
        this.parseErrors = { rule, severity };
        continue;
      }
      const options = { ...(rule.options?.defaults ?? {}), ...(this.config.options[rule.id] ?? {}) };
      let list = this.active.get(rule.model);
      if (!list) this.active.set(rule.model, (list = []));
      list.push({ rule, severity, options });
      for (const summary of rule.summaries ?? []) summaries.add(summary);
      if (rule.scope === 'unit' || rule.scope === 'workspace') this.projectModels.add(rule.model);
    }
    this.summaryKeys = [...summaries];
  }

  /** The severity a rule's findings get after configuration, or undefined when the rule is off. */
  effectiveSeverity(rule: AnyRule, reported?: Severity): Severity | undefined {
    const setting = this.config.rules[rule.id];
    if (setting === 'off') return undefined;
    if (setting === undefined && this.config.categories[rule.category as keyof Config['categories']] === 'off') return undefined;
    if (setting === undefined || setting === 'on') return reported ?? rule.severity;
    return setting;
  }

  /** The summaries that enabled rules read: the workspace index computes these for every file. */
  summaries(): readonly Summary<ModelKind, unknown>[] {
    return this.summaryKeys;
  }

  /** Whether enabled rules of files of this model read other files (units or summaries). */
  readsProject(model: ModelKind): boolean {
    return this.projectModels.has(model);
  }

  /** Parses a snapshot. Never throws. */
  analyze(snapshot: Snapshot): Analysis {
    return new Analysis(snapshot);
  }

  /** Why a snapshot is not checked, if it is not: too large, binary or minified. */
  skipReason(snapshot: Snapshot): string | undefined {
    if (snapshot.text.length > this.config.maxFileSizeKb * 1024) return `larger than ${this.config.maxFileSizeKb} KB (fourfold.maxFileSizeKb)`;
    if (looksBinary(snapshot.text)) return 'binary content';
    if (looksMinified(snapshot.path, snapshot.text)) return 'minified or generated code (lines of thousands of characters)';
    return undefined;
  }

  private readData<T>(file: DataFile<T>): T {
    if (this.data.has(file)) return this.data.get(file) as T;
    if (!this.options.loadData) throw new Error(`no data loader: the rule needs data/${file.file}`);
    const value = file.read(this.options.loadData(file.file));
    this.data.set(file, value);
    return value;
  }

  check(snapshot: Snapshot, options: CheckOptions = {}): CheckResult {
    const skipped = this.skipReason(snapshot);
    if (skipped) return { findings: [], ruleErrors: [], skipped };
    const analysis = options.analysis ?? this.analyze(snapshot);
    const findings: Finding[] = [];
    const ruleErrors: CheckResult['ruleErrors'] = [];
    const today = this.today();
    const settings: RuleSettings = { trustedRegistries: this.config.trustedRegistries, today };
    const project = options.project ?? LONE_FILE;
    const text = snapshot.text;

    this.reportParseErrors(analysis, findings);

    const candidates = [...(this.active.get(analysis.modelKind) ?? []), ...(analysis.modelKind === 'text' ? [] : (this.active.get('text') ?? []))];
    for (const { rule, severity, options: ruleOptions } of candidates) {
      const nodes = analysis.nodes(rule.visits);
      if (nodes && nodes.length === 0) continue;
      // A finding's own severity (a worse variant) stands unless configuration set the rule's.
      const setting = this.config.rules[rule.id];
      const ownSeverity = setting === undefined || setting === 'on';
      const report = (report: Report) => {
        const template = rule.messages[report.messageId] ?? report.messageId;
        const finding: Finding = {
          ruleId: rule.id,
          messageId: report.messageId,
          message: formatMessage(template, report.data),
          severity: report.severity && ownSeverity ? report.severity : severity,
          span: clampSpan(report.span, text.length),
        };
        if (report.fix) {
          finding.fixable = true;
          if (options.fixes) {
            const fix = buildFix(report.fix);
            if (fix) finding.fix = fix;
            else finding.fixable = false;
          }
        }
        if (report.related?.length) finding.related = report.related;
        if (report.flow?.length) finding.flow = report.flow;
        findings.push(finding);
      };
      try {
        rule.check({
          model: rule.model === 'text' ? text : analysis.model,
          text,
          path: snapshot.path,
          nodes: nodes ?? [],
          settings,
          options: ruleOptions,
          index: (key) => analysis.index(key),
          data: (file) => this.readData(file),
          project,
          report,
        });
      } catch (error) {
        ruleErrors.push({ ruleId: rule.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      }
    }

    findings.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end || a.ruleId.localeCompare(b.ruleId));
    const kept = this.withoutSuperseded(candidates.map((c) => c.rule), findings);
    this.applySuppressions(analysis, kept, today);
    return { kind: analysis.kind, findings: this.capped(kept), analysis, ruleErrors };
  }

  /**
   * Drops the findings that a more specific rule's finding covers (`Rule.supersedes`): the covering
   * finding keeps the other's message as related information. `findings` are sorted by start.
   */
  private withoutSuperseded(rules: readonly AnyRule[], findings: Finding[]): Finding[] {
    const superseding = new Map<string, readonly string[]>();
    for (const rule of rules) if (rule.supersedes?.length) superseding.set(rule.id, rule.supersedes);
    if (superseding.size === 0) return findings;
    // Only findings of these rules can cover or be covered: the others (parse errors on a Terraform
    // file, say) neither enter the sweep nor take places in its bounded window.
    const involved = new Set<string>();
    for (const [id, covered] of superseding) for (const ruleId of [id, ...covered]) involved.add(ruleId);
    const dropped = new Set<Finding>();
    // Sweep in start order: the findings whose spans are still open at each start.
    const open: Finding[] = [];
    for (const finding of findings) {
      if (!involved.has(finding.ruleId)) continue;
      for (let i = open.length - 1; i >= 0; i--) if (open[i].span.end <= finding.span.start) open.splice(i, 1);
      for (const other of open) {
        const [winner, loser] = superseding.get(finding.ruleId)?.includes(other.ruleId)
          ? [finding, other]
          : superseding.get(other.ruleId)?.includes(finding.ruleId)
            ? [other, finding]
            : [];
        if (!winner || !loser || dropped.has(loser) || dropped.has(winner)) continue;
        dropped.add(loser);
        (winner.related ??= []).push({ span: loser.span, message: `${loser.ruleId}: ${loser.message}` });
      }
      open.push(finding);
      if (open.length > 64) open.shift(); // bounded: nesting deeper than this is not one problem
    }
    return dropped.size ? findings.filter((f) => !dropped.has(f)) : findings;
  }

  private reportParseErrors(analysis: Analysis, findings: Finding[]): void {
    if (!this.parseErrors || !analysis.language.reportsParseErrors) return;
    const { rule: parseRule, severity } = this.parseErrors;
    const max = this.config.maxParseErrorsPerFile;
    const errors = analysis.parseErrors;
    for (const error of errors.slice(0, max)) {
      findings.push({ ruleId: parseRule.id, messageId: 'parseError', message: error.message, severity, span: clampSpan(error.span, analysis.text.length) });
    }
    if (errors.length > max) {
      // Where the first error not shown is: the user sees the count where the list stops.
      const next = errors[max].span;
      findings.push({
        ruleId: parseRule.id,
        messageId: 'moreParseErrors',
        message: formatMessage(parseRule.messages.moreParseErrors ?? '… and {{count}} more parse errors', { count: errors.length - max }),
        severity,
        span: clampSpan({ start: next.start, end: next.start }, analysis.text.length),
      });
    }
  }

  /** At most `maxFindingsPerFile` unsuppressed findings, then one that says how many were left out. */
  private capped(findings: Finding[]): Finding[] {
    const max = this.config.maxFindingsPerFile;
    let shown = 0;
    const out: Finding[] = [];
    let dropped = 0;
    let lastSpan: Span = { start: 0, end: 0 };
    for (const finding of findings) {
      if (finding.suppression) {
        out.push(finding);
        continue;
      }
      if (shown < max) {
        shown++;
        out.push(finding);
        lastSpan = finding.span;
      } else dropped++;
    }
    if (dropped > 0) {
      out.push({
        ruleId: TOO_MANY_RULE_ID,
        messageId: 'tooMany',
        message: `… and ${dropped} more findings in this file, not shown (at most ${max} per file: fourfold.maxFindingsPerFile).`,
        severity: 'info',
        span: { start: lastSpan.start, end: lastSpan.start },
      });
    }
    return out;
  }

  private applySuppressions(analysis: Analysis, findings: Finding[], today: string): void {
    const prefix = analysis.commentPrefix;
    const comments = prefix ? findSuppressions(analysis.lines, prefix, analysis.units) : [];
    const accepted = this.baseline.get(analysis.path);
    const left = accepted && new Map(accepted);
    const suppressing = suppressionsFor(comments, findings, today);
    for (const [i, finding] of findings.entries()) {
      const comment = suppressing[i];
      if (comment) {
        finding.suppression = { kind: comment.fileWide ? 'file' : 'inline', reason: comment.reason, span: comment.span };
        continue;
      }
      if (left && left.size > 0) {
        const print = fingerprint(finding, analysis.lines);
        const count = left.get(print) ?? 0;
        if (count > 0) {
          left.set(print, count - 1);
          finding.suppression = { kind: 'baseline' };
        }
      }
    }
  }
}

function buildFix(source: NonNullable<Report['fix']>): Fix | undefined {
  return typeof source === 'function' ? source() : source;
}
