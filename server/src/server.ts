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
import type { Finding, Related } from './engine/api';
import { configFromSettings } from './engine/config';
import { compatibleEdits } from './engine/edits';
import type { CheckResult } from './engine/engine';
import { detectKind, languageOf } from './engine/languages';
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
import { pathToUri, uriToPath } from './lsp/uri';
import { loadShippedData } from './workspace/data';
import { readSourceFile } from './workspace/project';
import { Session, type ScannedFile } from './workspace/session';
import type { Workspace } from './workspace/workspace';

const VERSION = '0.1.0';

interface InitOptions {
  trusted?: boolean;
  /** Our VS Code client's command that inserts a snippet: "ignore" comments get a reason placeholder. */
  snippetCommand?: string;
  /** File URI of the folder with the rule pages; defaults to the docs shipped beside this server. */
  docsBase?: string;
}

/** Editor settings: `fourfold.*` and `files.exclude`. */
interface EditorSettings {
  fourfold: Record<string, unknown>;
  filesExclude: Record<string, unknown>;
}

/** The last check of a document or a scanned file. */
interface Checked {
  uri: string;
  relPath: string;
  text: string;
  lines: LineIndex;
  result: CheckResult;
  workspace: Workspace;
  version?: number;
}

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const session = new Session({ rules: allRules, loadData: loadShippedData });
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

/** Where a document belongs: its workspace (configuration root) and path there. */
function locate(uri: string): { workspace: Workspace; relPath: string } {
  const absPath = uriToPath(uri);
  return absPath ? session.locate(absPath) : { workspace: session.locate('').workspace, relPath: uri };
}

function check(uri: string, text: string, languageId?: string, version?: number): Checked {
  const { workspace, relPath } = locate(uri);
  const result: CheckResult =
    setting('enable', true) && !workspace.isExcluded(relPath)
      ? workspace.check({ path: relPath, text, languageId, version })
      : { findings: [], ruleErrors: [] };
  for (const failure of result.ruleErrors) connection.console.error(`Rule ${failure.ruleId} failed on ${relPath}: ${failure.error}`);
  return { uri, relPath, text, lines: result.analysis?.lines ?? new LineIndex(text), result, workspace, version };
}

/** A related location's URI: its own file's, or another file of the same workspace. */
function relatedUri(checked: Checked, related: Related): string {
  return related.path ? pathToUri(checked.workspace.absolute(related.path)) : checked.uri;
}

function diagnosticsOf(checked: Checked): Diagnostic[] {
  const diagnostics = checked.result.findings
    .filter((f) => !f.suppression)
    .map((f) => toDiagnostic(f, checked.lines, mapping, docsUri, (related) => relatedUri(checked, related)));
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

/** Problems in each `.fourfold.yaml`, by URI: published with whatever else that file shows. */
const configDiagnostics = new Map<string, Diagnostic[]>();

function publish(checked: Checked): void {
  const diagnostics = [...(configDiagnostics.get(checked.uri) ?? []), ...diagnosticsOf(checked)];
  void connection.sendDiagnostics({ uri: checked.uri, version: checked.version, diagnostics });
}

function validate(document: TextDocument): Checked {
  const timer = pending.get(document.uri);
  if (timer) clearTimeout(timer);
  pending.delete(document.uri);
  const before = live.get(document.uri);
  const generation = before?.workspace.generation;
  const checked = check(document.uri, document.getText(), document.languageId, document.version);
  checked.workspace.setOpen(checked.relPath, checked.text);
  live.set(document.uri, checked);
  if (scanned?.has(document.uri)) scanned.set(document.uri, checked);
  publish(checked);
  if (generation !== undefined && generation !== checked.workspace.generation) recheckDependents(checked.workspace, checked.relPath);
  else recheckUnit(checked.workspace, checked.relPath);
  return checked;
}

/** Open documents (other than `except`) whose findings read the summaries of other files. */
function recheckDependents(workspace: Workspace, except: string): void {
  const models = workspace.dependentModels();
  for (const [uri, entry] of live) {
    if (entry.workspace !== workspace || entry.relPath === except) continue;
    if (!models.has(languageOf(detectKind(entry.relPath, undefined, entry.text)).model)) continue;
    const document = documents.get(uri);
    if (document) revalidate(document);
  }
}

/** Open documents of the same unit (a Terraform module folder) as `relPath`, which read it. */
function recheckUnit(workspace: Workspace, relPath: string): void {
  const members = workspace.unitMembers(relPath);
  if (members.length <= 1) return;
  for (const [uri, entry] of live) {
    if (entry.workspace !== workspace || entry.relPath === relPath || !members.includes(entry.relPath)) continue;
    const document = documents.get(uri);
    if (document) revalidate(document);
  }
}

/** Checks a document again without cascading to its dependents (they are being re-checked already). */
function revalidate(document: TextDocument): void {
  const checked = check(document.uri, document.getText(), document.languageId, document.version);
  live.set(document.uri, checked);
  if (scanned?.has(document.uri)) scanned.set(document.uri, checked);
  publish(checked);
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

let configurationWarned = false;

async function loadSettings(): Promise<void> {
  if (pullConfiguration) {
    try {
      const [fourfold, files] = await connection.workspace.getConfiguration([{ section: 'fourfold' }, { section: 'files' }]);
      settings = { fourfold: (fourfold as Record<string, unknown>) ?? {}, filesExclude: (files as { exclude?: Record<string, unknown> })?.exclude ?? {} };
    } catch (error) {
      // The client failed to answer: check with the settings we have (defaults at first), and say so once.
      if (!configurationWarned) {
        configurationWarned = true;
        connection.console.warn(`Fourfold: could not read the editor settings (${error instanceof Error ? error.message : String(error)}); using defaults.`);
      }
    }
  }
  mapping = severityMapping(settings.fourfold.severityMapping);
  const filesExclude = Object.entries(settings.filesExclude ?? {})
    .filter(([, on]) => on === true)
    .map(([glob]) => glob);
  session.configure({ settings: configFromSettings(settings.fourfold), trusted, extraExcludes: filesExclude });
  for (const document of documents.all()) {
    const { workspace, relPath } = locate(document.uri);
    workspace.setOpen(relPath, document.getText());
  }
  publishConfigProblems();
}

/** Builds every folder's workspace index in the background; open documents are checked again once it is there. */
function indexWorkspaces(): void {
  for (const info of session.all()) {
    const workspace = info.workspace;
    if (workspace.indexed || workspace.dependentModels().size === 0) continue;
    void workspace.buildIndex().then(
      () => recheckDependents(workspace, ''),
      (error) => connection.console.error(`Fourfold: indexing ${workspace.root} failed: ${String(error)}`),
    );
  }
}

function publishConfigProblems(): void {
  const before = new Set(configDiagnostics.keys());
  configDiagnostics.clear();
  for (const info of session.all()) {
    if (!info.configText && info.problems.length === 0) continue;
    const uri = pathToUri(info.configPath ?? path.join(info.workspace.root, '.fourfold.yaml'));
    const lines = new LineIndex(info.configText ?? '');
    configDiagnostics.set(
      uri,
      info.problems.map((problem) => ({
        range: toRange(lines, problem.span),
        severity: DiagnosticSeverity.Error,
        source: DIAGNOSTIC_SOURCE,
        code: 'fourfold/config',
        message: problem.message,
      })),
    );
  }
  for (const uri of new Set([...before, ...configDiagnostics.keys()])) {
    const open = live.get(uri);
    if (open) publish(open);
    else void connection.sendDiagnostics({ uri, diagnostics: configDiagnostics.get(uri) ?? [] });
  }
}

/** The text of a scanned file that is not open: read again from disk (a scan keeps no text without findings). */
function diskText(uri: string): string | undefined {
  const file = uriToPath(uri);
  if (!file) return undefined;
  const { workspace } = session.locate(file);
  const read = readSourceFile(file, workspace.engine.getConfig().maxFileSizeKb);
  return read.text;
}

async function refreshEverything(): Promise<void> {
  await loadSettings();
  for (const document of documents.all()) revalidate(document);
  if (scanned) {
    for (const uri of [...scanned.keys()]) {
      if (documents.get(uri)) continue;
      const text = diskText(uri);
      if (text === undefined) {
        scanned.delete(uri);
        void connection.sendDiagnostics({ uri, diagnostics: [] });
        continue;
      }
      const again = check(uri, text);
      scanned.set(uri, again);
      publish(again);
    }
  }
  indexWorkspaces();
}

connection.onInitialize((params): InitializeResult => {
  options = (params.initializationOptions as InitOptions) ?? {};
  trusted = options.trusted !== false;
  pullConfiguration = Boolean(params.capabilities.workspace?.configuration);
  const folders = params.workspaceFolders?.map((f) => uriToPath(f.uri)).filter((p): p is string => Boolean(p));
  const root = params.rootUri ? uriToPath(params.rootUri) : (params.rootPath ?? undefined);
  session.setFolders(folders?.length ? folders : root ? [root] : []);
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
    session.setFolders(folders.map((f) => uriToPath(f.uri)).filter((p): p is string => Boolean(p)));
    await refreshEverything();
  });
  await loadSettings();
  markReady();
  indexWorkspaces();
});

connection.onDidChangeConfiguration(async (change) => {
  if (!pullConfiguration) {
    const all = (change.settings ?? {}) as { fourfold?: Record<string, unknown>; files?: { exclude?: Record<string, unknown> } };
    settings = { fourfold: all.fourfold ?? {}, filesExclude: all.files?.exclude ?? {} };
  }
  await refreshEverything();
});

const CONFIGURATION_FILES = new Set(['.fourfold.yaml', '.fourfold-baseline.json', '.gitignore', '.dockerignore']);

connection.onDidChangeWatchedFiles(async (params) => {
  const changes = Array.isArray(params?.changes) ? params.changes : [];
  const names = changes.map((c) => path.basename(uriToPath(c.uri) ?? ''));
  if (changes.length === 0 || names.some((n) => CONFIGURATION_FILES.has(n) || n.endsWith('.json'))) {
    // Configuration, ignore files or the baseline changed: everything may differ.
    await refreshEverything();
    return;
  }
  // A file of a parsed kind changed on disk: its summary and its unit may feed open documents.
  await ready;
  for (const change of changes) {
    const file = uriToPath(change.uri);
    if (!file || documents.get(change.uri)) continue;
    const { workspace, relPath } = session.locate(file);
    if (workspace.updateIndex(relPath, diskText(change.uri))) recheckDependents(workspace, relPath);
    recheckUnit(workspace, relPath);
  }
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
  const closed = live.get(uri);
  live.delete(uri);
  closed?.workspace.setOpen(closed.relPath, undefined);
  const entry = scanned?.get(uri);
  if (entry) {
    // The scan found this file: show what is on disk now, as the scan would.
    const text = diskText(uri);
    if (text !== undefined) {
      const again = check(uri, text);
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

/** The findings of a check with their fixes built: what code actions need, once per document version. */
const withFixes = new Map<string, { version?: number; text: string; findings: Finding[] }>();

function fixedFindings(checked: Checked): Finding[] {
  const known = withFixes.get(checked.uri);
  if (known && known.version === checked.version && known.text === checked.text) return known.findings;
  if (!checked.result.findings.some((f) => f.fixable)) return checked.result.findings;
  const again = checked.workspace.check({ path: checked.relPath, text: checked.text, version: checked.version }, { fixes: true, analysis: checked.result.analysis });
  withFixes.clear();
  withFixes.set(checked.uri, { version: checked.version, text: checked.text, findings: again.findings });
  return again.findings;
}

/** One action applying the safe fixes of `findings` that fit together; undefined when none has one. */
function fixAllAction(title: string, kind: string, checked: Checked, findings: Finding[]): CodeAction | undefined {
  const fixes = findings.filter((f) => !f.suppression && f.fix && f.fix.safety !== 'suggestion').map((f) => f.fix!.edits.filter((e) => !e.path));
  if (fixes.length === 0) return undefined;
  const { edits } = compatibleEdits(fixes);
  return { title, kind, edit: { changes: { [checked.uri]: toTextEdits(checked.lines, { title, edits }) } } };
}

connection.onCodeAction((params) => {
  const document = documents.get(params.textDocument.uri);
  if (!document) return [];
  const only = params.context.only;
  const checked = current(document);
  const findings = fixedFindings(checked);
  const actions: CodeAction[] = [];
  if (only && wants(only, FIX_ALL)) {
    const all = fixAllAction('Fix all auto-fixable Fourfold problems', FIX_ALL, checked, findings);
    if (all) actions.push(all);
  }
  if (!wants(only, CodeActionKind.QuickFix)) return actions;
  const analysis = checked.result.analysis;
  const fileWideOffered = new Set<string>();
  const fixAllOffered = new Set<string>();
  for (const diagnostic of params.context.diagnostics) {
    const data = diagnostic.data as DiagnosticData | undefined;
    if (diagnostic.source !== DIAGNOSTIC_SOURCE || !data?.ruleId) continue;
    const finding = findings.find((f) => !f.suppression && f.ruleId === data.ruleId && f.span.start === data.start && f.span.end === data.end);
    if (!finding) continue;
    const name = finding.ruleId;
    if (finding.fix) {
      actions.push(fixAction(document.uri, checked.lines, finding.fix, diagnostic, (p) => pathToUri(checked.workspace.absolute(p))));
      const same = findings.filter((f) => f.ruleId === finding.ruleId && f.fix && !f.suppression);
      if (same.length > 1 && !fixAllOffered.has(finding.ruleId)) {
        fixAllOffered.add(finding.ruleId);
        const all = fixAllAction(`Fix all ${name} problems in this file`, CodeActionKind.QuickFix, checked, same);
        if (all) actions.push({ ...all, diagnostics: [diagnostic] });
      }
    }
    if (analysis?.commentPrefix) {
      const line = ignoreLineInsertion(checked.lines, analysis.commentPrefix, finding.ruleId, finding.span, analysis.units);
      actions.push(insertionAction(`Ignore ${name} on this line`, document.uri, checked.lines, line, diagnostic, options.snippetCommand));
      if (!fileWideOffered.has(finding.ruleId)) {
        fileWideOffered.add(finding.ruleId);
        const file = ignoreFileInsertion(checked.lines, analysis.commentPrefix, finding.ruleId, analysis.headerEnd);
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
  let lastReport = 0;
  let result;
  try {
    result = await session.scan({
      paths: session.all().filter((info) => info.workspace.root !== '').map((info) => info.workspace.root),
      signal: controller.signal,
      onProgress(done, absPath) {
        const now = Date.now();
        if (now - lastReport > 100) {
          lastReport = now;
          progress.report(`${done} files checked · ${path.basename(absPath)}`);
        }
      },
    });
  } finally {
    progress.done();
  }
  for (const file of result.files) {
    const uri = pathToUri(file.absPath);
    const open = documents.get(uri);
    const entry: Checked = open ? current(open) : scannedEntry(uri, file);
    next.set(uri, entry);
    if (!open) publish(entry);
  }
  for (const uri of scanned?.keys() ?? []) {
    if (!next.has(uri) && !documents.get(uri)) void connection.sendDiagnostics({ uri, diagnostics: [] });
  }
  scanned = next;
  let findings = 0;
  for (const entry of next.values()) findings += entry.result.findings.filter((f) => !f.suppression).length;
  return { files: result.files.length, findings, cancelled: result.cancelled };
}

function scannedEntry(uri: string, file: ScannedFile): Checked {
  return { uri, relPath: file.relPath, text: file.text, lines: new LineIndex(file.text), result: file.result, workspace: file.workspace };
}

/** The last scan's files with what the editor holds now. */
function scannedFiles(): ScannedFile[] {
  const entries = new Map<string, Checked>(scanned ?? []);
  for (const [uri, entry] of live) entries.set(uri, entry);
  const out: ScannedFile[] = [];
  for (const [uri, entry] of entries) {
    const absPath = uriToPath(uri);
    if (absPath && entry.workspace.root !== '') out.push({ absPath, relPath: entry.relPath, workspace: entry.workspace, text: entry.text, result: entry.result });
  }
  return out;
}

function sarifOfLastScan(): string | null {
  if (!scanned) return null;
  // Paths relative to the first workspace folder (%SRCROOT%); files of other folders by absolute URI.
  const first = session.all().find((info) => info.workspace.root !== '');
  const base = first?.workspace.root ?? '/';
  const log = session.sarif(scannedFiles(), base, { toolVersion: VERSION, baseUri: pathToUri(base) + '/' });
  return JSON.stringify(log, null, 2);
}

function writeBaseline(): string[] {
  const written: string[] = [];
  for (const { path: file, baseline } of session.baselines(scannedFiles())) {
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
