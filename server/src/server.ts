// The language server: LSP wiring only. Every handler calls into the engine (server/src/engine) or the
// workspace scan (server/src/workspace); conversions live in server/src/lsp/convert.ts.
//
// It survives any client and any file: every message is checked before it is used (a malformed one
// is refused with an error answer or a logged warning), every handler contains its own failures,
// a framing error ends the process with a non-zero code (the client starts it again) instead of
// leaving it deaf, and a client that never answers a request of ours is not waited for forever.
// Per open document it keeps the text and the last findings; parsed models, line indexes and built
// fixes are kept for the few documents checked last (`derived`).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import {
  CodeActionKind,
  createConnection,
  DidChangeConfigurationNotification,
  DiagnosticSeverity,
  ProposedFeatures,
  TextDocumentSyncKind,
  type CodeAction,
  type Connection,
  type Diagnostic,
  type InitializeResult,
  type Location,
} from 'vscode-languageserver/node';
import { allRules } from '../../rules/index';
import type { Finding, Related } from './engine/api';
import { Analysis } from './engine/analysis';
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
import { documentUri, OpenDocuments, type OpenDocument } from './lsp/documents';
import { FramingError } from './lsp/framing';
import { describe, Guard, invalidParams, isObject, TIMED_OUT, withTimeout } from './lsp/guard';
import { ClientCommand, DIAGNOSTIC_SOURCE, ServerCommand, TRUST_CHANGED_NOTIFICATION, type RuleInfo, type ScanSummary } from './lsp/protocol';
import { Recent } from './lsp/recent';
import { ipcTransport, streamTransport } from './lsp/transport';
import { pathToUri, uriToPath } from './lsp/uri';
import { loadShippedData } from './workspace/data';
import { readSourceFile } from './workspace/project';
import { Session, type ScannedFile } from './workspace/session';
import type { Workspace } from './workspace/workspace';

const VERSION = '0.1.0';

// What the server keeps live is small (texts, findings, a dozen parsed models: ~15 MB for 200 open
// documents), but every check makes garbage, and V8 by default lets the old generation grow to
// several times the live size before it collects: 200 open documents sat at 250-370 MB of RSS.
// Collecting once the heap has grown by a quarter keeps RSS near what is live, at no measurable
// cost per check (npm run bench:memory).
v8.setFlagsFromString('--heap-growing-percent=25');

/** How long a request of ours to the client (settings, folders, progress) is waited for. */
const CLIENT_ANSWER_TIMEOUT_MS = 2000;
/** Documents whose parsed model, line index and built fixes are kept (the ones checked last). */
const DERIVED_KEPT = 12;
/** Malformed messages logged one by one; after that only a count is kept. */
const WARNINGS_LOGGED = 50;
/** Skipped files the scan lists in the log one by one. */
const SKIPPED_LOGGED = 500;

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

/** The last check of a document or a scanned file: its findings, not its model. */
interface Checked {
  uri: string;
  relPath: string;
  /** The text checked; '' for a scanned file without findings. */
  text: string;
  languageId?: string;
  /** Findings and notes; `analysis` is never kept here (see `derived`). */
  result: CheckResult;
  workspace: Workspace;
  version?: number;
}

/** What is derived from one text of a document, kept for the documents checked last. */
interface Derived {
  text: string;
  analysis?: Analysis;
  lines?: LineIndex;
  /** The findings with their fixes built (code actions). */
  fixed?: Finding[];
}

// ---------------------------------------------------------------------------------------------
// Transport and failure containment

let shutdownRequested = false;
const readerOptions = { onInvalid: (reason: string) => protocolWarning(`ignored a message: ${reason}`) };
const transport = streamTransport(process.argv.slice(2), readerOptions);
const ipc = transport ? undefined : ipcTransport(process.argv.slice(2), readerOptions);
const chosen = transport ?? ipc;
const connection: Connection = chosen ? createConnection(ProposedFeatures.all, chosen.reader, chosen.writer) : createConnection(ProposedFeatures.all);

if (transport) {
  // Standard output carries the protocol; stray console output goes to standard error.
  if (transport.stdio) console.log = console.info = console.debug = console.warn = console.error;
  transport.reader.onError((error) => {
    const message = error instanceof FramingError ? `${error.message}. Exiting so that the client starts a new server.` : `Fourfold: reading the connection failed: ${describe(error)}`;
    process.stderr.write(`${message}\n`);
    process.exit(1);
  });
  const gone = () => process.exit(shutdownRequested ? 0 : 1);
  transport.input.on('end', gone);
  transport.input.on('close', gone);
}
connection.onShutdown(() => {
  shutdownRequested = true;
});

const guard = new Guard(() => connection.console, WARNINGS_LOGGED);
const { protocolWarning, internalError, background, notification, request } = guard;

// ---------------------------------------------------------------------------------------------
// State

const documents = new OpenDocuments();
const session = new Session({ rules: allRules, loadData: loadShippedData });
let options: InitOptions = {};
let trusted = true;
let settings: EditorSettings = { fourfold: {}, filesExclude: {} };
let mapping: SeverityMapping = DEFAULT_SEVERITY_MAPPING;
let pullConfiguration = false;
const pending = new Map<string, NodeJS.Timeout>();
const live = new Map<string, Checked>();
const derived = new Recent<string, Derived>(DERIVED_KEPT);
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
  return value === undefined || value === null || typeof value !== typeof fallback ? fallback : (value as T);
}

/** Where a document belongs: its workspace (configuration root) and path there. */
function locate(uri: string): { workspace: Workspace; relPath: string } {
  const absPath = uriToPath(uri);
  return absPath ? session.locate(absPath) : { workspace: session.locate('').workspace, relPath: uri };
}

// ---------------------------------------------------------------------------------------------
// Checking and publishing

function check(uri: string, text: string, languageId?: string, version?: number): Checked {
  const { workspace, relPath } = locate(uri);
  const result: CheckResult =
    setting('enable', true) && !workspace.isExcluded(relPath)
      ? workspace.check({ path: relPath, text, languageId, version })
      : { findings: [], ruleErrors: [] };
  for (const failure of result.ruleErrors) connection.console.error(`Rule ${failure.ruleId} failed on ${relPath}: ${failure.error}`);
  if (result.analysis) derived.set(uri, { text, analysis: result.analysis });
  return { uri, relPath, text, languageId, result: { ...result, analysis: undefined }, workspace, version };
}

/** What is derived from a check's text, computed again when it is no longer kept. */
function derivedOf(checked: Checked): Derived {
  const known = derived.get(checked.uri);
  if (known && known.text === checked.text) return known;
  const fresh: Derived = { text: checked.text };
  derived.set(checked.uri, fresh);
  return fresh;
}

function linesOf(checked: Checked): LineIndex {
  const d = derivedOf(checked);
  return (d.lines ??= d.analysis?.lines ?? new LineIndex(checked.text));
}

function analysisOf(checked: Checked): Analysis {
  const d = derivedOf(checked);
  return (d.analysis ??= new Analysis({ path: checked.relPath, text: checked.text, languageId: checked.languageId, version: checked.version }));
}

const FILE_START = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/**
 * Where a related location is: in the finding's own file, or in another file of the same workspace,
 * placed in that file's text as the editor or the disk has it (its start when it cannot be read).
 * Other files' line indexes are built once per publication (`others`).
 */
function relatedLocation(checked: Checked, lines: LineIndex, related: Related, others: Map<string, LineIndex | undefined>): Location {
  const other = related.path ? checked.workspace.resolveInside(related.path) : undefined;
  if (!related.path || !other) return { uri: checked.uri, range: related.path ? FILE_START : toRange(lines, related.span) };
  if (!others.has(related.path)) {
    const text = checked.workspace.read(related.path);
    others.set(related.path, text === undefined ? undefined : new LineIndex(text));
  }
  const otherLines = others.get(related.path);
  return { uri: pathToUri(other), range: otherLines && related.span.end <= otherLines.text.length ? toRange(otherLines, related.span) : FILE_START };
}

function diagnosticsOf(checked: Checked): Diagnostic[] {
  const shown = checked.result.findings.filter((f) => !f.suppression);
  const lines = shown.length > 0 ? linesOf(checked) : new LineIndex('');
  const others = new Map<string, LineIndex | undefined>();
  const diagnostics = shown.map((f) => toDiagnostic(f, lines, mapping, docsUri, (related) => relatedLocation(checked, lines, related, others)));
  if (checked.result.skipped) {
    diagnostics.push({
      range: FILE_START,
      severity: DiagnosticSeverity.Information,
      source: DIAGNOSTIC_SOURCE,
      message: `Fourfold did not check this file: ${checked.result.skipped}.`,
    });
  }
  return diagnostics;
}

/** Problems in each `.fourfold.yaml`, by URI: published with whatever else that file shows. */
const configDiagnostics = new Map<string, Diagnostic[]>();

/**
 * A digest of what was last published per URI, so a re-check caused by another file publishes only
 * a change. A digest, not the JSON: 200 open documents' diagnostics as JSON are tens of megabytes.
 */
const lastPublished = new Map<string, string>();

function publish(checked: Checked, onlyIfChanged = false): void {
  const diagnostics = [...(configDiagnostics.get(checked.uri) ?? []), ...diagnosticsOf(checked)];
  const key = createHash('sha256').update(JSON.stringify([checked.version, diagnostics])).digest('base64');
  if (onlyIfChanged && lastPublished.get(checked.uri) === key) return;
  // Remembered for open documents only: a scan's thousands of files keep nothing here.
  if (live.has(checked.uri)) lastPublished.set(checked.uri, key);
  else lastPublished.delete(checked.uri);
  background('publishing diagnostics', connection.sendDiagnostics({ uri: checked.uri, version: checked.version, diagnostics }));
}

function clearDiagnostics(uri: string): void {
  lastPublished.delete(uri);
  background('clearing diagnostics', connection.sendDiagnostics({ uri, diagnostics: [] }));
}

function validate(document: OpenDocument): Checked {
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
    if (!models.has(languageOf(detectKind(entry.relPath, entry.languageId, entry.text)).model)) continue;
    const document = documents.get(uri);
    if (document) revalidate(document, true);
  }
}

/** Open documents of the same unit (a Terraform module folder) as `relPath`, which read it. */
function recheckUnit(workspace: Workspace, relPath: string): void {
  const members = workspace.unitMembers(relPath);
  if (members.length <= 1) return;
  for (const [uri, entry] of live) {
    if (entry.workspace !== workspace || entry.relPath === relPath || !members.includes(entry.relPath)) continue;
    const document = documents.get(uri);
    if (document) revalidate(document, true);
  }
}

/**
 * Checks a document again without cascading to its dependents (they are being re-checked already).
 * `onlyIfChanged`: another file caused it, so an unchanged result is not published again.
 */
function revalidate(document: OpenDocument, onlyIfChanged = false): void {
  const checked = check(document.uri, document.getText(), document.languageId, document.version);
  live.set(document.uri, checked);
  if (scanned?.has(document.uri)) scanned.set(document.uri, checked);
  publish(checked, onlyIfChanged);
}

function scheduleValidation(uri: string): void {
  const previous = pending.get(uri);
  if (previous) clearTimeout(previous);
  const delay = Math.min(5000, Math.max(0, Number(setting('debounceMs', 250)) || 0));
  pending.set(
    uri,
    setTimeout(() => {
      pending.delete(uri);
      background(
        'checking a document',
        ready.then(() => {
          const latest = documents.get(uri);
          if (latest) validate(latest);
        }),
      );
    }, delay),
  );
}

/** Fresh results for a document, checking it again when it changed since the last check. */
function current(document: OpenDocument): Checked {
  const known = live.get(document.uri);
  return known && known.version === document.version && known.text === document.getText() ? known : validate(document);
}

// ---------------------------------------------------------------------------------------------
// Configuration

let configurationWarned = false;
/** Goes up with every load, so a late answer to an older request cannot win over a newer one. */
let settingsRequest = 0;

/** Says once that the editor's settings could not be read and defaults (or the last good ones) apply. */
function configurationProblem(reason: string): void {
  if (configurationWarned) return;
  configurationWarned = true;
  connection.console.warn(`Fourfold: could not read the editor settings (${reason}); checking with ${settingsRequest > 1 ? 'the last settings read' : 'defaults'}.`);
}

/** Editor settings from a `workspace/configuration` answer; undefined when it is not one. */
function settingsFrom(answer: unknown): EditorSettings | undefined {
  // One value per section asked for; a section the editor does not know may be null.
  if (!Array.isArray(answer) || answer.length !== 2) return undefined;
  const [fourfold, files] = answer as unknown[];
  if (fourfold !== null && fourfold !== undefined && !isObject(fourfold)) return undefined;
  const exclude = isObject(files) ? files.exclude : undefined;
  return {
    fourfold: isObject(fourfold) ? fourfold : {},
    filesExclude: isObject(exclude) ? exclude : {},
  };
}

/** Asks the editor for its settings; never waits longer than CLIENT_ANSWER_TIMEOUT_MS. */
async function pullSettings(): Promise<void> {
  const mine = ++settingsRequest;
  let request: Promise<unknown>;
  try {
    request = connection.workspace.getConfiguration([{ section: 'fourfold' }, { section: 'files' }]);
  } catch (error) {
    configurationProblem(describe(error));
    return;
  }
  const apply = (answer: unknown): boolean => {
    const read = settingsFrom(answer);
    if (!read) {
      configurationProblem('the answer to workspace/configuration is not a list of settings');
      return false;
    }
    settings = read;
    return true;
  };
  let answer: unknown;
  try {
    answer = await withTimeout(request, CLIENT_ANSWER_TIMEOUT_MS);
  } catch (error) {
    configurationProblem(describe(error));
    return;
  }
  if (answer !== TIMED_OUT) {
    apply(answer);
    return;
  }
  configurationProblem(`no answer to workspace/configuration within ${CLIENT_ANSWER_TIMEOUT_MS} ms`);
  // A late answer still counts, unless settings were asked for again since.
  background(
    'applying late settings',
    request.then(
      async (late) => {
        if (mine === settingsRequest && apply(late)) await refreshEverything(false);
      },
      () => undefined,
    ),
  );
}

async function loadSettings(pull = true): Promise<void> {
  if (pullConfiguration && pull) await pullSettings();
  mapping = severityMapping(settings.fourfold.severityMapping);
  const filesExclude = Object.entries(settings.filesExclude ?? {})
    .filter(([, on]) => on === true)
    .map(([glob]) => glob);
  session.configure({ settings: configFromSettings(settings.fourfold), trusted, extraExcludes: filesExclude });
  derived.clear();
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
    background(
      `indexing ${workspace.root}`,
      workspace.buildIndex().then(() => recheckDependents(workspace, '')),
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
    else background('publishing configuration problems', connection.sendDiagnostics({ uri, diagnostics: configDiagnostics.get(uri) ?? [] }));
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

async function refreshEverything(pull = true): Promise<void> {
  await loadSettings(pull);
  for (const document of documents.all()) revalidate(document);
  if (scanned) {
    for (const uri of [...scanned.keys()]) {
      if (documents.get(uri)) continue;
      const text = diskText(uri);
      if (text === undefined) {
        scanned.delete(uri);
        clearDiagnostics(uri);
        continue;
      }
      const again = check(uri, text);
      scanned.set(uri, again);
      publish(again);
    }
  }
  indexWorkspaces();
}

/** Folder paths of a `workspaceFolders` value; anything that is not a folder URI is left out. */
function folderPaths(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value
    .map((f) => (isObject(f) && typeof f.uri === 'string' ? uriToPath(f.uri) : undefined))
    .filter((p): p is string => Boolean(p));
}

connection.onInitialize(
  (params): InitializeResult => {
    const init: Record<string, unknown> = isObject(params as unknown) ? (params as unknown as Record<string, unknown>) : {};
    const given = isObject(init.initializationOptions) ? init.initializationOptions : {};
    options = {
      trusted: typeof given.trusted === 'boolean' ? given.trusted : undefined,
      snippetCommand: typeof given.snippetCommand === 'string' ? given.snippetCommand : undefined,
      docsBase: typeof given.docsBase === 'string' ? given.docsBase : undefined,
    };
    trusted = options.trusted !== false;
    const capabilities = isObject(init.capabilities) ? init.capabilities : {};
    pullConfiguration = isObject(capabilities.workspace) && Boolean(capabilities.workspace.configuration);
    const folders = folderPaths(init.workspaceFolders);
    const root = typeof init.rootUri === 'string' ? uriToPath(init.rootUri) : typeof init.rootPath === 'string' ? init.rootPath : undefined;
    session.setFolders(folders.length ? folders : root ? [root] : []);
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL], resolveProvider: false },
        executeCommandProvider: { commands: Object.values(ServerCommand) },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'fourfold', version: VERSION },
    };
  },
);

let initialized = false;
connection.onInitialized(
  notification('initialized', async () => {
    if (initialized) return protocolWarning('a second initialized notification was ignored');
    initialized = true;
    if (pullConfiguration) {
      background('registering for configuration changes', connection.client.register(DidChangeConfigurationNotification.type, { section: 'fourfold' }).catch(() => undefined));
    }
    connection.workspace.onDidChangeWorkspaceFolders(
      notification('workspace/didChangeWorkspaceFolders', async () => {
        const folders = await withTimeout(connection.workspace.getWorkspaceFolders(), CLIENT_ANSWER_TIMEOUT_MS).catch((error: unknown) => describe(error));
        if (folders === TIMED_OUT || typeof folders === 'string') {
          protocolWarning(`the editor did not say which folders are open (${typeof folders === 'string' ? folders : 'no answer'}); keeping the folders known`);
          return;
        }
        session.setFolders(folderPaths(folders));
        await refreshEverything();
      }),
    );
    try {
      await loadSettings();
    } finally {
      markReady();
    }
    indexWorkspaces();
  }),
);

connection.onDidChangeConfiguration(
  notification('workspace/didChangeConfiguration', async (change: unknown) => {
    if (!pullConfiguration) {
      const all = isObject(change) && isObject(change.settings) ? change.settings : {};
      const files = isObject(all.files) ? all.files : {};
      settings = { fourfold: isObject(all.fourfold) ? all.fourfold : {}, filesExclude: isObject(files.exclude) ? files.exclude : {} };
    }
    await refreshEverything();
  }),
);

const CONFIGURATION_FILES = new Set(['.fourfold.yaml', '.fourfold-baseline.json', '.gitignore', '.dockerignore']);

connection.onDidChangeWatchedFiles(
  notification('workspace/didChangeWatchedFiles', async (params: unknown) => {
    const given = isObject(params) && Array.isArray(params.changes) ? params.changes : [];
    const changes = given.filter((c): c is { uri: string } => isObject(c) && typeof c.uri === 'string');
    if (changes.length < given.length) protocolWarning('didChangeWatchedFiles: a change without a uri was ignored');
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
  }),
);

connection.onNotification(
  TRUST_CHANGED_NOTIFICATION,
  notification(TRUST_CHANGED_NOTIFICATION, async (params: unknown) => {
    trusted = !(isObject(params) && params.trusted === false);
    await refreshEverything();
  }),
);

// ---------------------------------------------------------------------------------------------
// Document synchronization

connection.onDidOpenTextDocument(
  notification('textDocument/didOpen', (params: unknown) => {
    const opened = documents.didOpen(params);
    if (!opened.ok) return protocolWarning(`didOpen ignored: ${opened.reason}`);
    const document = opened.value;
    // Checked at once (not after the typing delay), and always: an open of an open document with
    // new text (even under the same version number) is a new text.
    background(
      'checking an opened document',
      ready.then(() => {
        if (documents.get(document.uri) === document) validate(document);
      }),
    );
  }),
);

connection.onDidChangeTextDocument(
  notification('textDocument/didChange', (params: unknown) => {
    const changed = documents.didChange(params);
    if (!changed.ok) return protocolWarning(`didChange ignored: ${changed.reason}`);
    if (changed.warning) protocolWarning(changed.warning);
    scheduleValidation(changed.value.uri);
  }),
);

connection.onDidCloseTextDocument(
  notification('textDocument/didClose', (params: unknown) => {
    const closedDocument = documents.didClose(params);
    if (!closedDocument.ok) return protocolWarning(`didClose ignored: ${closedDocument.reason}`);
    const uri = closedDocument.value.uri;
    const timer = pending.get(uri);
    if (timer) clearTimeout(timer);
    pending.delete(uri);
    derived.delete(uri);
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
    clearDiagnostics(uri);
  }),
);

// ---------------------------------------------------------------------------------------------
// Code actions

/** `source.fixAll.fourfold`: every safe fix in the file at once (on save, or "Fix All" in the editor). */
const FIX_ALL = `${CodeActionKind.SourceFixAll}.fourfold`;

function wants(only: string[] | undefined, kind: string): boolean {
  return !only || only.some((requested) => kind === requested || kind.startsWith(`${requested}.`));
}

/** The findings of a check with their fixes built: what code actions need, kept with the derived data. */
function fixedFindings(checked: Checked): Finding[] {
  if (!checked.result.findings.some((f) => f.fixable)) return checked.result.findings;
  const d = derivedOf(checked);
  if (d.fixed) return d.fixed;
  const again = checked.workspace.check(
    { path: checked.relPath, text: checked.text, languageId: checked.languageId, version: checked.version },
    { fixes: true, analysis: analysisOf(checked) },
  );
  d.fixed = again.findings;
  return again.findings;
}

/** Whether every file a fix names lies inside its workspace (a rule's bug could name `../x`). */
function fixStaysInside(checked: Checked, finding: Finding): boolean {
  const outside = finding.fix!.edits.filter((e) => e.path !== undefined && !checked.workspace.resolveInside(e.path));
  if (outside.length === 0) return true;
  connection.console.error(`Fourfold: the fix of ${finding.ruleId} names a file outside the workspace (${outside.map((e) => JSON.stringify(e.path)).join(', ')}); not offered.`);
  return false;
}

/** One action applying the safe fixes of `findings` that fit together; undefined when none has one. */
function fixAllAction(title: string, kind: string, checked: Checked, findings: Finding[]): CodeAction | undefined {
  const fixes = findings.filter((f) => !f.suppression && f.fix && f.fix.safety !== 'suggestion').map((f) => f.fix!.edits.filter((e) => !e.path));
  if (fixes.length === 0) return undefined;
  const { edits } = compatibleEdits(fixes);
  return { title, kind, edit: { changes: { [checked.uri]: toTextEdits(linesOf(checked), { title, edits }) } } };
}

/** `Diagnostic.data` as we wrote it, or undefined for anything else (another source, a stale client). */
function diagnosticData(diagnostic: Record<string, unknown>): DiagnosticData | undefined {
  if (diagnostic.source !== DIAGNOSTIC_SOURCE || !isObject(diagnostic.data)) return undefined;
  const { ruleId, start, end } = diagnostic.data;
  return typeof ruleId === 'string' && Number.isInteger(start) && Number.isInteger(end) ? { ruleId, start: start as number, end: end as number } : undefined;
}

connection.onCodeAction(
  request('textDocument/codeAction', (params: unknown) => {
    const uri = documentUri(params);
    if (!uri) throw invalidParams('codeAction: textDocument.uri is missing');
    const document = documents.get(uri);
    if (!document) return [];
    const context = isObject(params) && isObject((params as Record<string, unknown>).context) ? ((params as Record<string, unknown>).context as Record<string, unknown>) : {};
    const only = Array.isArray(context.only) && context.only.every((k) => typeof k === 'string') ? (context.only as string[]) : undefined;
    const diagnostics = Array.isArray(context.diagnostics) ? context.diagnostics.filter(isObject) : [];
    const checked = current(document);
    const findings = fixedFindings(checked);
    const actions: CodeAction[] = [];
    if (only && wants(only, FIX_ALL)) {
      const all = fixAllAction('Fix all auto-fixable Fourfold problems', FIX_ALL, checked, findings);
      if (all) actions.push(all);
    }
    if (!wants(only, CodeActionKind.QuickFix)) return actions;
    const fileWideOffered = new Set<string>();
    const fixAllOffered = new Set<string>();
    for (const raw of diagnostics) {
      const data = diagnosticData(raw);
      if (!data) continue;
      const diagnostic = raw as unknown as Diagnostic;
      const finding = findings.find((f) => !f.suppression && f.ruleId === data.ruleId && f.span.start === data.start && f.span.end === data.end);
      if (!finding) continue;
      const name = finding.ruleId;
      const lines = linesOf(checked);
      if (finding.fix && fixStaysInside(checked, finding)) {
        actions.push(fixAction(document.uri, lines, finding.fix, diagnostic, (p) => pathToUri(checked.workspace.resolveInside(p)!)));
        const same = findings.filter((f) => f.ruleId === finding.ruleId && f.fix && !f.suppression);
        if (same.length > 1 && !fixAllOffered.has(finding.ruleId)) {
          fixAllOffered.add(finding.ruleId);
          const all = fixAllAction(`Fix all ${name} problems in this file`, CodeActionKind.QuickFix, checked, same);
          if (all) actions.push({ ...all, diagnostics: [diagnostic] });
        }
      }
      const analysis = analysisOf(checked);
      if (analysis.commentPrefix) {
        const line = ignoreLineInsertion(lines, analysis.commentPrefix, finding.ruleId, finding.span, analysis.units);
        actions.push(insertionAction(`Ignore ${name} on this line`, document.uri, lines, line, diagnostic, options.snippetCommand));
        if (!fileWideOffered.has(finding.ruleId)) {
          fileWideOffered.add(finding.ruleId);
          const file = ignoreFileInsertion(lines, analysis.commentPrefix, finding.ruleId, analysis.headerEnd);
          actions.push(insertionAction(`Ignore ${name} in this file`, document.uri, lines, file, diagnostic, options.snippetCommand));
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
  }),
);

// ---------------------------------------------------------------------------------------------
// Commands: the workspace scan and its reports

interface Progress {
  report(message: string): void;
  done(): void;
  readonly cancelled: AbortSignal;
}

/** Progress in the editor; without an answer from the client in time, a scan without progress. */
async function startProgress(title: string): Promise<Progress> {
  const controller = new AbortController();
  const created = await withTimeout(connection.window.createWorkDoneProgress(), CLIENT_ANSWER_TIMEOUT_MS).catch((): typeof TIMED_OUT => TIMED_OUT);
  if (typeof created === 'symbol') {
    protocolWarning('the editor did not create a progress indicator; scanning without one');
    return { report: () => undefined, done: () => undefined, cancelled: controller.signal };
  }
  created.begin(title, 0, 'Looking for files…', true);
  created.token.onCancellationRequested(() => controller.abort());
  return { report: (message) => created.report(message), done: () => created.done(), cancelled: controller.signal };
}

async function runScan(): Promise<ScanSummary> {
  const progress = await startProgress('Fourfold: scanning workspace');
  const next = new Map<string, Checked>();
  let lastReport = 0;
  let result;
  try {
    result = await session.scan({
      paths: session.all().filter((info) => info.workspace.root !== '').map((info) => info.workspace.root),
      signal: progress.cancelled,
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
    if (!next.has(uri) && !documents.get(uri)) clearDiagnostics(uri);
  }
  scanned = next;
  logSkipped(result.skipped, result.empty);
  if (result.cancelled) connection.console.info(`Fourfold: the scan was cancelled after ${result.files.length} files.`);
  let findings = 0;
  for (const entry of next.values()) findings += entry.result.findings.filter((f) => !f.suppression).length;
  return { files: result.files.length, findings, cancelled: result.cancelled, skipped: result.skipped.length };
}

/** Every file the scan did not check, with why, in the server's log (a count past SKIPPED_LOGGED). */
function logSkipped(skipped: { absPath: string; reason: string }[], empty: string[]): void {
  for (const s of skipped.slice(0, SKIPPED_LOGGED)) connection.console.info(`Fourfold: skipped ${s.absPath}: ${s.reason}`);
  if (skipped.length > SKIPPED_LOGGED) connection.console.info(`Fourfold: … and ${skipped.length - SKIPPED_LOGGED} more files skipped.`);
  for (const folder of empty) connection.console.info(`Fourfold: ${folder}: no file to check in this folder.`);
}

function scannedEntry(uri: string, file: ScannedFile): Checked {
  return { uri, relPath: file.relPath, text: file.text, result: file.result, workspace: file.workspace };
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

connection.onExecuteCommand(
  request('workspace/executeCommand', async (params: unknown) => {
    const command = isObject(params) ? params.command : undefined;
    if (typeof command !== 'string') throw invalidParams('executeCommand: command is missing');
    await ready;
    switch (command) {
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
        throw invalidParams(`executeCommand: unknown command ${JSON.stringify(command.slice(0, 100))}`);
    }
  }),
);

// A failure nothing else caught is a bug: it is logged, and the server keeps serving.
process.on('uncaughtException', (error) => internalError('an event handler', error));
process.on('unhandledRejection', (error) => internalError('a promise', error));

connection.listen();
