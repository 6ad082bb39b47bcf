// The editor-agnostic core: document -> kind -> parser -> model -> rules -> findings.
// The language server, the workspace scan and the CLI all call `Engine.check`.
import { formatMessage, type FileFacts, type Finding, type ModelKind, type ParseError, type Rule, type Severity, type Span } from './api';
import { fingerprint, type Baseline } from './baseline';
import { defaultConfig, type Config } from './config';
import { detectKind, LINE_COMMENT, type DocumentKind } from './detect';
import { findSuppressions, suppressionFor } from './suppress';
import { LineIndex } from '../core/text';
import { parseDockerfile } from '../parsers/dockerfile';
import { parseHcl, type Body } from '../parsers/hcl';

export const PARSE_ERROR_RULE_ID = 'fourfold/parse-error';

export interface SourceFile {
  /** Workspace-relative path with forward slashes (absolute when there is no workspace). */
  path: string;
  text: string;
  languageId?: string;
}

/** A parsed document with what suppressions and quick fixes need to know about its syntax. */
export interface Analysis {
  kind: DocumentKind;
  model: unknown;
  modelKind: ModelKind;
  parseErrors: ParseError[];
  /** Statements a suppression comment above them covers: instructions, blocks, attributes. */
  units: Span[];
  /** Where file-wide comments may be inserted: after lines that must come first. */
  headerEnd: number;
  commentPrefix?: string;
}

export interface CheckResult {
  kind?: DocumentKind;
  /** All findings, suppressed ones included (with `suppression` set), sorted by position. */
  findings: Finding[];
  analysis?: Analysis;
  /** Why the file was not checked (binary, too large), if it was not. */
  skipped?: string;
  /** Rules that threw: a bug in the rule, never the user's fault. */
  ruleErrors: { ruleId: string; error: string }[];
}

interface ParserEntry {
  modelKind: ModelKind;
  analyze(text: string): Omit<Analysis, 'kind' | 'modelKind' | 'commentPrefix'>;
}

/** Blocks and attributes, nested ones included: what a suppression comment above them covers. */
function hclUnits(body: Body, out: Span[] = []): Span[] {
  for (const item of body.items) {
    out.push(item.span);
    if (item.kind === 'block') hclUnits(item.body, out);
  }
  return out;
}

function analyzeHcl(text: string, json: boolean): Omit<Analysis, 'kind' | 'modelKind' | 'commentPrefix'> {
  const { model, errors } = parseHcl(text, { json });
  return { model, parseErrors: errors, units: hclUnits(model.body), headerEnd: 0 };
}

const PARSERS: Record<DocumentKind, ParserEntry> = {
  dockerfile: {
    modelKind: 'dockerfile',
    analyze(text) {
      const { model, errors } = parseDockerfile(text);
      const lastDirective = model.directives.at(-1);
      let headerEnd = 0;
      if (lastDirective) {
        const lines = new LineIndex(text);
        const line = lines.position(lastDirective.span.end).line;
        headerEnd = line + 1 < lines.lineCount ? lines.lineStart(line + 1) : text.length;
      }
      return { model, parseErrors: errors, units: model.instructions.map((i) => i.span), headerEnd };
    },
  },
  terraform: { modelKind: 'hcl', analyze: (text) => analyzeHcl(text, false) },
  'terraform-json': { modelKind: 'hcl', analyze: (text) => analyzeHcl(text, true) },
};

const NO_FACTS: FileFacts = { path: '', siblingExists: () => undefined };

export function looksBinary(text: string): boolean {
  const head = text.slice(0, 8192);
  if (head.includes('\u0000')) return true;
  let replacement = 0;
  for (let i = 0; i < head.length; i++) if (head.charCodeAt(i) === 0xfffd) replacement++;
  return head.length > 0 && replacement / head.length > 0.1;
}

export class Engine {
  private config: Config;
  private baseline: Baseline = { findings: [] };
  private readonly byId = new Map<string, Rule>();

  constructor(
    readonly rules: readonly Rule[],
    config: Config = defaultConfig(),
    private readonly today: () => string = () => new Date().toISOString().slice(0, 10),
  ) {
    this.config = config;
    for (const rule of rules) this.byId.set(rule.id, rule);
  }

  getConfig(): Config {
    return this.config;
  }

  setConfig(config: Config): void {
    this.config = config;
  }

  setBaseline(baseline: Baseline): void {
    this.baseline = baseline;
  }

  /** The severity a rule's findings get after configuration, or undefined when the rule is off. */
  effectiveSeverity(rule: Rule, reported?: Severity): Severity | undefined {
    const setting = this.config.rules[rule.id];
    if (setting === 'off') return undefined;
    if (setting === undefined || setting === 'on') return reported ?? rule.severity;
    return setting;
  }

  /** Parses a file when Fourfold knows its kind. Never throws. */
  analyze(file: SourceFile): Analysis | undefined {
    const kind = detectKind(file.path, file.languageId);
    const entry = kind && PARSERS[kind];
    if (!kind || !entry) return undefined;
    return { kind, modelKind: entry.modelKind, commentPrefix: LINE_COMMENT[kind], ...entry.analyze(file.text) };
  }

  check(file: SourceFile, facts: FileFacts = NO_FACTS): CheckResult {
    const kind = detectKind(file.path, file.languageId);
    if (!kind || !PARSERS[kind]) return { findings: [], ruleErrors: [] };
    if (file.text.length > this.config.maxFileSizeKb * 1024) {
      return { kind, findings: [], ruleErrors: [], skipped: `larger than ${this.config.maxFileSizeKb} KB (fourfold.maxFileSizeKb)` };
    }
    if (looksBinary(file.text)) return { kind, findings: [], ruleErrors: [], skipped: 'binary content' };

    const analysis = this.analyze(file)!;
    const findings: Finding[] = [];
    const ruleErrors: CheckResult['ruleErrors'] = [];
    const today = this.today();
    const settings = { trustedRegistries: this.config.trustedRegistries, today };
    const fileFacts = facts === NO_FACTS ? { ...NO_FACTS, path: file.path } : facts;

    const parseRule = this.byId.get(PARSE_ERROR_RULE_ID);
    const parseSeverity = parseRule && this.effectiveSeverity(parseRule);
    if (parseRule && parseSeverity) {
      for (const error of analysis.parseErrors) {
        findings.push({ ruleId: parseRule.id, messageId: 'parseError', message: error.message, severity: parseSeverity, span: error.span });
      }
    }

    for (const rule of this.rules) {
      if (rule.model !== analysis.modelKind && rule.model !== 'text') continue;
      if (this.effectiveSeverity(rule) === undefined) continue;
      try {
        rule.check({
          model: rule.model === 'text' ? file.text : analysis.model,
          text: file.text,
          file: fileFacts,
          settings,
          report: (report) => {
            const template = rule.messages[report.messageId] ?? report.messageId;
            findings.push({
              ruleId: rule.id,
              messageId: report.messageId,
              message: formatMessage(template, report.data),
              severity: this.effectiveSeverity(rule, report.severity)!,
              span: clampSpan(report.span, file.text.length),
              fix: report.fix,
            });
          },
        });
      } catch (error) {
        ruleErrors.push({ ruleId: rule.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      }
    }

    findings.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end || a.ruleId.localeCompare(b.ruleId));
    this.applySuppressions(file, analysis, findings, today);
    return { kind, findings, analysis, ruleErrors };
  }

  private applySuppressions(file: SourceFile, analysis: Analysis, findings: Finding[], today: string): void {
    const comments = analysis.commentPrefix ? findSuppressions(file.text, analysis.commentPrefix, analysis.units) : [];
    const accepted = new Map<string, number>();
    for (const entry of this.baseline.findings) {
      if (entry.path === file.path) accepted.set(entry.fingerprint, (accepted.get(entry.fingerprint) ?? 0) + 1);
    }
    const lines = accepted.size > 0 ? new LineIndex(file.text) : undefined;
    for (const finding of findings) {
      const comment = suppressionFor(comments, finding.ruleId, finding.span, today);
      if (comment) {
        finding.suppression = { kind: comment.fileWide ? 'file' : 'inline', reason: comment.reason, span: comment.span };
        continue;
      }
      if (lines) {
        const print = fingerprint(finding, lines);
        const left = accepted.get(print) ?? 0;
        if (left > 0) {
          accepted.set(print, left - 1);
          finding.suppression = { kind: 'baseline' };
        }
      }
    }
  }
}

function clampSpan(span: Span, length: number): Span {
  const start = Math.max(0, Math.min(span.start, length));
  return { start, end: Math.max(start, Math.min(span.end, length)) };
}
