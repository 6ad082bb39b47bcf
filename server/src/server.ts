// The language server: LSP wiring only. Every handler calls into the engine (server/src/engine) or the
// workspace scan (server/src/workspace); conversions live in server/src/lsp/convert.ts.
import fs from 'node:fs';
import path from 'node:path';
import {
  CodeActionKind,
  createConnection,
  DidChangeConfigurationNotification,
  DiagnosticSeverity,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type CodeAction,
  type Diagnostic,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { allRules } from '../../rules/index';
import type { Finding } from './engine/api';
import { createBaseline } from './engine/baseline';
import { compatibleEdits } from './engine/edits';
import type { CheckResult } from './engine/engine';
import { toSarif } from './engine/sarif';
import { ignoreFileInsertion, ignoreLineInsertion } from './engine/suppress';
import { LineIndex } from './core/text';
import {
  DEFAULT_SEVERITY_MAPPING,
  fixAction,
  insertionAction,
  severityMapping,
  toDiagnostic,
  toRange,
  toTextEdits,
  type DiagnosticData,
  type SeverityMapping,
} from './lsp/convert';
import { ClientCommand, DIAGNOSTIC_SOURCE, ServerCommand, TRUST_CHANGED_NOTIFICATION, type RuleInfo, type ScanSummary } from './lsp/protocol';
import { pathToUri, Projects, uriToPath, type EditorSettings, type Project } from './lsp/projects';
import { isExcluded } from './workspace/walk';
import { readSourceFile } from './workspace/project';
import { scanWorkspace } from './workspace/scan';

const VERSION = '0.1.0';

interface InitOptions {
  trusted?: boolean;
  /** Our VS Code client's command that inserts a snippet: "ignore" comments get a reason placeholder. */
  snippetCommand?: string;
  /** File URI of the folder with the rule pages; defaults to the docs shipped beside this server. */
  docsBase?: string;
}

/** The last check of a document or a scanned file. */
interface Checked {
  uri: string;
  relPath: string;
  text: string;
  lines: LineIndex;
  result: CheckResult;
  project: Project;
  version?: number;
}

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const projects = new Projects(allRules);
let options: InitOptions = {};
let trusted = true;
let settings: EditorSettings = { fourfold: {}, filesExclude: {} };
let mapping: SeverityMapping = DEFAULT_SEVERITY_MAPPING;
let pullConfiguration = false;
const pending = new Map<string, NodeJS.Timeout>();
const live = new Map<string, Checked>();
/** The last workspace scan, by uri; kept current as scanned files are edited. */
let scanned: Map<string, Checked> | undefined;
/** Settles once the first configuration is loaded: no document is checked with defaults before that. */
let markReady: () => void;
const ready = new Promise<void>((resolve) => (markReady = resolve));
/** Uris that hold a config-problem diagnostic, so fixed files get cleared. */
const configDiagnosticUris = new Set<string>();

const RULE_IDS = new Set(allRules.map((r) => r.id));

function docsUri(ruleId: string): string | undefined {
  if (!RULE_IDS.has(ruleId)) return undefined;
  const base = options.docsBase ?? pathToUri(path.resolve(__dirname, '..', 'docs', 'rules'));
  return `${base.replace(/\/$/, '')}/${ruleId}.md`;
}

function setting<T>(name: string, fallback: T): T {
  const value = settings.fourfold[name];
  return value === undefined || value === null ? fallback : (value as T);
}

function check(uri: string, text: string, languageId?: string, version?: number): Checked {
  const located = projects.locate(uri);
  const { project, relPath } = located;
  const excluded = project.root !== '' && isExcluded(relPath, project.engine.getConfig().exclude);
  const result: CheckResult =
    setting('enable', true) && !excluded
      ? project.engine.check({ path: relPath, text, languageId }, projects.facts(located))
      : { findings: [], ruleErrors: [] };
  for (const failure of result.ruleErrors) connection.console.error(`Rule ${failure.ruleId} failed on ${relPath}: ${failure.error}`);
  return { uri, relPath, text, lines: new LineIndex(text), result, project, version };
}

function diagnosticsOf(checked: Checked): Diagnostic[] {
  const diagnostics = checked.result.findings
    .filter((f) => !f.suppression)
    .map((f) => toDiagnostic(f, checked.lines, mapping, docsUri));
  if (checked.result.skipped) {
    diagnostics.push({
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      severity: DiagnosticSeverity.Information,
      source: DIAGNOSTIC_SOURCE,
      message: `Fourfold did not check this file: ${checked.result.skipped}.`,
    });
  }
  return diagnostics;
}

function publish(checked: Checked): void {
  void connection.sendDiagnostics({ uri: checked.uri, version: checked.version, diagnostics: diagnosticsOf(checked) });
}

function validate(document: TextDocument): Checked {
  const timer = pending.get(document.uri);
  if (timer) clearTimeout(timer);
  pending.delete(document.uri);
  const checked = check(document.uri, document.getText(), document.languageId, document.version);
  live.set(document.uri, checked);
  if (scanned?.has(document.uri)) scanned.set(document.uri, checked);
  publish(checked);
  return checked;
}

function scheduleValidation(document: TextDocument): void {
  const previous = pending.get(document.uri);
  if (previous) clearTimeout(previous);
  const delay = Math.max(0, Number(setting('debounceMs', 250)) || 0);
  pending.set(
    document.uri,
    setTimeout(() => {
      void ready.then(() => {
        const latest = documents.get(document.uri);
        if (latest) validate(latest);
      });
    }, delay),
  );
}

/** Fresh results for a document, checking it again when it changed since the last check. */
function current(document: TextDocument): Checked {
  const known = live.get(document.uri);
  return known && known.version === document.version ? known : validate(document);
}

async function loadSettings(): Promise<void> {
  if (pullConfiguration) {
    const [fourfold, files] = await connection.workspace.getConfiguration([{ section: 'fourfold' }, { section: 'files' }]);
    settings = { fourfold: (fourfold as Record<string, unknown>) ?? {}, filesExclude: (files as { exclude?: Record<string, unknown> })?.exclude ?? {} };
  }
  mapping = severityMapping(settings.fourfold.severityMapping);
  projects.reload(settings, trusted);
  publishConfigProblems();
}

function publishConfigProblems(): void {
  const seen = new Set<string>();
  for (const project of projects.all()) {
    if (!project.configText && project.configProblems.length === 0) continue;
    const uri = projects.configUri(project);
    const lines = new LineIndex(project.configText ?? '');
    seen.add(uri);
    void connection.sendDiagnostics({
      uri,
      diagnostics: project.configProblems.map((problem) => ({
        range: toRange(lines, problem.span),
        severity: DiagnosticSeverity.Error,
        source: DIAGNOSTIC_SOURCE,
        code: 'fourfold/config',
        message: problem.message,
      })),
    });
  }
  for (const uri of configDiagnosticUris) if (!seen.has(uri)) void connection.sendDiagnostics({ uri, diagnostics: [] });
  configDiagnosticUris.clear();
  for (const uri of seen) configDiagnosticUris.add(uri);
}

async function refreshEverything(): Promise<void> {
  await loadSettings();
  for (const document of documents.all()) validate(document);
  if (scanned) {
    for (const [uri, entry] of scanned) {
      if (documents.get(uri)) continue;
      const again = check(uri, entry.text);
      scanned.set(uri, again);
      publish(again);
    }
  }
}

connection.onInitialize((params): InitializeResult => {
  options = (params.initializationOptions as InitOptions) ?? {};
  trusted = options.trusted !== false;
  pullConfiguration = Boolean(params.capabilities.workspace?.configuration);
  const folders = params.workspaceFolders?.map((f) => uriToPath(f.uri)).filter((p): p is string => Boolean(p));
  const root = params.rootUri ? uriToPath(params.rootUri) : (params.rootPath ?? undefined);
  projects.setRoots(folders?.length ? folders : root ? [root] : []);
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL], resolveProvider: false },
      executeCommandProvider: { commands: Object.values(ServerCommand) },
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
    },
    serverInfo: { name: 'fourfold', version: VERSION },
  };
});

connection.onInitialized(async () => {
  if (pullConfiguration) {
    void connection.client.register(DidChangeConfigurationNotification.type, { section: 'fourfold' }).catch(() => undefined);
  }
  connection.workspace.onDidChangeWorkspaceFolders(async () => {
    const folders = (await connection.workspace.getWorkspaceFolders()) ?? [];
    projects.setRoots(folders.map((f) => uriToPath(f.uri)).filter((p): p is string => Boolean(p)));
    await refreshEverything();
  });
  await loadSettings();
  markReady();
});

connection.onDidChangeConfiguration(async (change) => {
  if (!pullConfiguration) {
    const all = (change.settings ?? {}) as { fourfold?: Record<string, unknown>; files?: { exclude?: Record<string, unknown> } };
    settings = { fourfold: all.fourfold ?? {}, filesExclude: all.files?.exclude ?? {} };
  }
  await refreshEverything();
});

connection.onDidChangeWatchedFiles(async () => {
  // .fourfold.yaml, .gitignore, .dockerignore or the baseline changed: configuration and facts may differ.
  await refreshEverything();
});

connection.onNotification(TRUST_CHANGED_NOTIFICATION, async (params: { trusted?: boolean }) => {
  trusted = params?.trusted !== false;
  await refreshEverything();
});

/** Opened documents whose accompanying content event is still to come. */
const justOpened = new Set<string>();
documents.onDidOpen((event) => {
  justOpened.add(event.document.uri);
  void ready.then(() => {
    const document = documents.get(event.document.uri);
    if (document && live.get(document.uri)?.version !== document.version) validate(document);
  });
});
documents.onDidChangeContent((event) => {
  // The open event also reports content; that one is checked at once, not after a delay.
  if (justOpened.delete(event.document.uri)) return;
  scheduleValidation(event.document);
});
documents.onDidClose((event) => {
  const uri = event.document.uri;
  const timer = pending.get(uri);
  if (timer) clearTimeout(timer);
  pending.delete(uri);
  live.delete(uri);
  const entry = scanned?.get(uri);
  const file = uriToPath(uri);
  if (entry && file) {
    // The scan found this file: show what is on disk now, as the scan would.
    const read = readSourceFile(file, entry.project.engine.getConfig().maxFileSizeKb);
    const again = 'text' in read && read.text !== undefined ? check(uri, read.text) : undefined;
    if (again) {
      scanned!.set(uri, again);
      publish(again);
      return;
    }
  }
  void connection.sendDiagnostics({ uri, diagnostics: [] });
});

/** `source.fixAll.fourfold`: every safe fix in the file at once (on save, or "Fix All" in the editor). */
const FIX_ALL = `${CodeActionKind.SourceFixAll}.fourfold`;

function wants(only: string[] | undefined, kind: string): boolean {
  return !only || only.some((requested) => kind === requested || kind.startsWith(`${requested}.`));
}

/** One action applying the fixes of `findings` that fit together; undefined when none has a fix. */
function fixAllAction(title: string, kind: string, checked: Checked, findings: Finding[]): CodeAction | undefined {
  const fixes = findings.filter((f) => !f.suppression && f.fix).map((f) => f.fix!.edits);
  if (fixes.length === 0) return undefined;
  const { edits } = compatibleEdits(fixes);
  return { title, kind, edit: { changes: { [checked.uri]: toTextEdits(checked.lines, { title, edits }) } } };
}

connection.onCodeAction((params) => {
  const document = documents.get(params.textDocument.uri);
  if (!document) return [];
  const only = params.context.only;
  const checked = current(document);
  const actions: CodeAction[] = [];
  if (only && wants(only, FIX_ALL)) {
    const all = fixAllAction('Fix all auto-fixable Fourfold problems', FIX_ALL, checked, checked.result.findings);
    if (all) actions.push(all);
  }
  if (!wants(only, CodeActionKind.QuickFix)) return actions;
  const analysis = checked.result.analysis;
  const fileWideOffered = new Set<string>();
  const fixAllOffered = new Set<string>();
  for (const diagnostic of params.context.diagnostics) {
    const data = diagnostic.data as DiagnosticData | undefined;
    if (diagnostic.source !== DIAGNOSTIC_SOURCE || !data?.ruleId) continue;
    const finding = checked.result.findings.find(
      (f) => !f.suppression && f.ruleId === data.ruleId && f.span.start === data.start && f.span.end === data.end,
    );
    if (!finding) continue;
    const name = finding.ruleId;
    if (finding.fix) {
      actions.push(fixAction(document.uri, checked.lines, finding.fix, diagnostic));
      const same = checked.result.findings.filter((f) => f.ruleId === finding.ruleId && f.fix && !f.suppression);
      if (same.length > 1 && !fixAllOffered.has(finding.ruleId)) {
        fixAllOffered.add(finding.ruleId);
        const all = fixAllAction(`Fix all ${name} problems in this file`, CodeActionKind.QuickFix, checked, same);
        if (all) actions.push({ ...all, diagnostics: [diagnostic] });
      }
    }
    if (analysis?.commentPrefix) {
      const line = ignoreLineInsertion(checked.text, analysis.commentPrefix, finding.ruleId, finding.span, analysis.units);
      actions.push(insertionAction(`Ignore ${name} on this line`, document.uri, checked.lines, line, diagnostic, options.snippetCommand));
      if (!fileWideOffered.has(finding.ruleId)) {
        fileWideOffered.add(finding.ruleId);
        const file = ignoreFileInsertion(checked.text, analysis.commentPrefix, finding.ruleId, analysis.headerEnd);
        actions.push(insertionAction(`Ignore ${name} in this file`, document.uri, checked.lines, file, diagnostic, options.snippetCommand));
      }
    }
    if (options.snippetCommand) {
      actions.push({
        title: `Show documentation for ${name}`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        command: { title: `Show documentation for ${name}`, command: ClientCommand.showRuleDocumentation, arguments: [finding.ruleId] },
      });
    }
  }
  return actions;
});

async function runScan(): Promise<ScanSummary> {
  const progress = await connection.window.createWorkDoneProgress();
  progress.begin('Fourfold: scanning workspace', 0, 'Looking for files…', true);
  const controller = new AbortController();
  progress.token.onCancellationRequested(() => controller.abort());
  const next = new Map<string, Checked>();
  let files = 0;
  let cancelled = false;
  let lastReport = 0;
  try {
    for (const project of projects.all()) {
      const result = await scanWorkspace({
        engine: project.engine,
        roots: [project.root],
        exclude: [...project.engine.getConfig().exclude, ...project.filesExclude],
        signal: controller.signal,
        onProgress(done, file) {
          const now = Date.now();
          if (now - lastReport > 100) {
            lastReport = now;
            progress.report(`${files + done} files checked · ${file}`);
          }
        },
      });
      files += result.files.length;
      cancelled ||= result.cancelled;
      for (const file of result.files) {
        const uri = pathToUri(file.absPath);
        const open = documents.get(uri);
        const entry: Checked = open
          ? current(open)
          : { uri, relPath: file.relPath, text: file.text, lines: new LineIndex(file.text), result: file.result, project };
        next.set(uri, entry);
        if (!open) publish(entry);
      }
      if (cancelled) break;
    }
  } finally {
    progress.done();
  }
  for (const uri of scanned?.keys() ?? []) {
    if (!next.has(uri) && !documents.get(uri)) void connection.sendDiagnostics({ uri, diagnostics: [] });
  }
  scanned = next;
  let findings = 0;
  for (const entry of next.values()) findings += entry.result.findings.filter((f) => !f.suppression).length;
  return { files, findings, cancelled };
}

function sarifOfLastScan(): string | null {
  if (!scanned) return null;
  // Paths relative to the first workspace folder (%SRCROOT%); files of other folders by absolute URI.
  const first = projects.all()[0];
  const files = [...scanned.values()].map((entry) => ({
    ...(entry.project === first ? { relPath: entry.relPath } : { uri: entry.uri }),
    text: entry.text,
    findings: entry.result.findings,
  }));
  const log = toSarif(files, allRules, { toolVersion: VERSION, baseUri: first ? pathToUri(first.root) + '/' : undefined });
  return JSON.stringify(log, null, 2);
}

function writeBaseline(): string[] {
  const written: string[] = [];
  const entries = new Map<string, Checked>(scanned ?? []);
  for (const [uri, entry] of live) entries.set(uri, entry);
  for (const project of projects.all()) {
    const mine = [...entries.values()].filter((e) => e.project.root === project.root);
    const baseline = createBaseline(mine.map((e) => ({ path: e.relPath, text: e.text, findings: e.result.findings })));
    const file = path.resolve(project.root, project.engine.getConfig().baseline);
    fs.writeFileSync(file, JSON.stringify(baseline, null, 2) + '\n');
    written.push(file);
  }
  return written;
}

connection.onExecuteCommand(async (params) => {
  switch (params.command) {
    case ServerCommand.scanWorkspace:
      return runScan();
    case ServerCommand.sarif:
      return sarifOfLastScan();
    case ServerCommand.writeBaseline: {
      const written = writeBaseline();
      await refreshEverything();
      return written;
    }
    case ServerCommand.ruleList:
      return allRules.map((r): RuleInfo => ({ id: r.id, title: r.title, severity: r.severity, layer: r.layer, docsPath: `docs/rules/${r.id}.md` }));
    default:
      return null;
  }
});

documents.listen(connection);
connection.listen();
