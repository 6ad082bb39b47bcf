// A small LSP client for the protocol tests: it starts the real bundled server (dist/server.js,
// rebuilt first when it is older than the sources) over stdio, speaks JSON-RPC to it, answers its
// requests as an editor would, and lets a test wait on events (published diagnostics, progress),
// never on timers.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CodeActionRequest,
  createProtocolConnection,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidChangeWatchedFilesNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ErrorCodes,
  ExecuteCommandRequest,
  ExitNotification,
  FileChangeType,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  ResponseError,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type CodeAction,
  type Command,
  type Diagnostic,
  type ProtocolConnection,
  type Range,
  type ServerCapabilities,
} from 'vscode-languageserver-protocol/node';
import { URI } from 'vscode-uri';
import { ensureFreshBundles, repoRoot } from '../bundle';
import { SERVER_NODE_FLAGS } from '../../server/src/lsp/protocol';

export { repoRoot };

let bundle: string | undefined;

/**
 * The server bundle this test process runs: dist/server.js, rebuilt when stale (a test fails
 * saying why when it cannot be), copied once per process so a rebuild while tests run cannot swap
 * the program under them; the rule pages (docs/) sit beside it as in the package.
 */
export function serverBundle(): string {
  if (bundle) return bundle;
  const problem = ensureFreshBundles();
  if (problem) throw new Error(`the LSP tests run dist/server.js built from the current sources: ${problem}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fourfold-lsp-bundle-'));
  fs.mkdirSync(path.join(dir, 'dist'));
  fs.copyFileSync(path.join(repoRoot, 'dist', 'server.js'), path.join(dir, 'dist', 'server.js'));
  fs.symlinkSync(path.join(repoRoot, 'docs'), path.join(dir, 'docs'));
  fs.symlinkSync(path.join(repoRoot, 'data'), path.join(dir, 'data'));
  bundle = path.join(dir, 'dist', 'server.js');
  return bundle;
}

export interface ClientOptions {
  /** Workspace folder (absolute path). */
  root: string;
  initializationOptions?: Record<string, unknown>;
  /** What `workspace/configuration` answers: `fourfold` and `files` sections. */
  settings?: { fourfold?: Record<string, unknown>; files?: Record<string, unknown> };
  /**
   * How the client answers `workspace/configuration`: with the settings (default), with an error,
   * never, or with something that is not a list of settings.
   */
  configuration?: 'answer' | 'error' | 'never' | 'garbage';
}

export interface LogMessage {
  type: number;
  message: string;
}

export interface ProgressEvent {
  token: string | number;
  value: { kind: 'begin' | 'report' | 'end'; title?: string; message?: string; cancellable?: boolean };
}

type Waiter = { check: () => boolean; resolve: () => void };

export function fileUri(file: string): string {
  return URI.file(file).toString();
}

export class LspClient {
  readonly diagnostics = new Map<string, Diagnostic[]>();
  readonly publishCount = new Map<string, number>();
  /** The document version of the last publication for each uri, when the server gave one. */
  readonly publishedVersion = new Map<string, number | undefined>();
  readonly progress: ProgressEvent[] = [];
  readonly stderr: string[] = [];
  /** `window/logMessage` notifications, in order. */
  readonly logs: LogMessage[] = [];
  /** Settles with the server's exit code (null when it was killed by a signal). */
  readonly exited: Promise<number | null>;
  private waiters: Waiter[] = [];
  /** What the server answered to `initialize`. */
  capabilities: ServerCapabilities = {};
  private versions = new Map<string, number>();

  private constructor(
    private readonly child: ChildProcess,
    readonly connection: ProtocolConnection,
    public settings: NonNullable<ClientOptions['settings']>,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /** The server's process id (for memory measurements). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Whether the server process has exited, and with which code. */
  get exitCode(): number | null {
    return this.child.exitCode;
  }

  static async start(options: ClientOptions): Promise<LspClient> {
    const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, serverBundle(), '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const client = new LspClient(child, connection, options.settings ?? {});
    child.stderr!.on('data', (chunk: Buffer) => client.stderr.push(chunk.toString()));
    connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
      client.diagnostics.set(params.uri, params.diagnostics);
      client.publishedVersion.set(params.uri, params.version);
      client.publishCount.set(params.uri, (client.publishCount.get(params.uri) ?? 0) + 1);
      client.wake();
    });
    connection.onRequest('workspace/configuration', (params: { items: { section?: string }[] }) => {
      switch (options.configuration ?? 'answer') {
        case 'error':
          throw new ResponseError(ErrorCodes.InternalError, 'the client cannot read its settings');
        case 'never':
          return new Promise(() => undefined);
        case 'garbage':
          return 42;
        default:
          return params.items.map((item) => (item.section === 'files' ? (client.settings.files ?? {}) : (client.settings.fourfold ?? {})));
      }
    });
    connection.onRequest('window/workDoneProgress/create', () => null);
    connection.onRequest('client/registerCapability', () => null);
    connection.onRequest('workspace/workspaceFolders', () => [{ uri: fileUri(options.root), name: path.basename(options.root) }]);
    connection.onNotification('$/progress', (params: ProgressEvent) => {
      client.progress.push(params);
      client.wake();
    });
    connection.onNotification('window/logMessage', (params: LogMessage) => {
      client.logs.push(params);
      client.wake();
    });
    connection.onError(() => undefined);
    connection.listen();
    const initialized = await connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: fileUri(options.root),
      workspaceFolders: [{ uri: fileUri(options.root), name: path.basename(options.root) }],
      capabilities: {
        workspace: { configuration: true, workspaceFolders: true, didChangeConfiguration: { dynamicRegistration: true } },
        window: { workDoneProgress: true },
        textDocument: { publishDiagnostics: { relatedInformation: true, codeDescriptionSupport: true, dataSupport: true } },
      },
      initializationOptions: options.initializationOptions ?? {},
    });
    client.capabilities = initialized.capabilities;
    await connection.sendNotification(InitializedNotification.type, {});
    return client;
  }

  private wake(): void {
    this.waiters = this.waiters.filter((w) => {
      if (!w.check()) return true;
      w.resolve();
      return false;
    });
  }

  /** Resolves once `check` holds; fails after `deadlineMs` (a deadline for a hung server, not a wait). */
  waitFor(what: string, check: () => boolean, deadlineMs = 10000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out waiting for ${what}; server stderr: ${this.stderr.join('').slice(-2000)}`));
      }, deadlineMs);
      const waiter: Waiter = {
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.waiters.push(waiter);
    });
  }

  /**
   * Waits for the next publication for `uri` after `trigger`, then returns its diagnostics. With
   * `version`, only a publication for that document version counts, so a late publication for an
   * older version cannot be mistaken for the answer.
   */
  async nextDiagnostics(uri: string, trigger: () => Promise<void> | void, version?: number): Promise<Diagnostic[]> {
    const before = this.publishCount.get(uri) ?? 0;
    await trigger();
    await this.waitFor(
      `diagnostics for ${uri}${version === undefined ? '' : ` version ${version}`}`,
      () => (this.publishCount.get(uri) ?? 0) > before && (version === undefined || this.publishedVersion.get(uri) === version),
    );
    return this.diagnostics.get(uri) ?? [];
  }

  open(uri: string, languageId: string, text: string): Promise<Diagnostic[]> {
    this.versions.set(uri, 1);
    return this.nextDiagnostics(
      uri,
      () => this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version: 1, text } }),
      1,
    );
  }

  /** Replaces `range` with `text`, as an editor sends a keystroke or a paste. */
  edit(uri: string, range: Range, text: string): Promise<Diagnostic[]> {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    return this.nextDiagnostics(
      uri,
      () =>
        this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
          textDocument: { uri, version },
          contentChanges: [{ range, text }],
        }),
      version,
    );
  }

  close(uri: string): Promise<Diagnostic[]> {
    return this.nextDiagnostics(uri, () => this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } }));
  }

  async changeSettings(settings: NonNullable<ClientOptions['settings']>, watchUri: string): Promise<Diagnostic[]> {
    this.settings = settings;
    return this.nextDiagnostics(watchUri, () => this.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: {} }));
  }

  fileChanged(changedUri: string, watchUri: string): Promise<Diagnostic[]> {
    return this.nextDiagnostics(watchUri, () =>
      this.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: changedUri, type: FileChangeType.Changed }] }),
    );
  }

  codeActions(uri: string, diagnostic: Diagnostic): Promise<(CodeAction | Command)[] | null> {
    return this.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: diagnostic.range,
      context: { diagnostics: [diagnostic], only: undefined },
    });
  }

  /** Writes bytes to the server's standard input as they are: for malformed framing. */
  writeRaw(data: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.child.stdin!.write(data, (error) => (error ? reject(error) : resolve())));
  }

  /** The server's exit code; fails after `deadlineMs` (a deadline for a server that should have exited). */
  waitForExit(deadlineMs = 10000): Promise<number | null> {
    let timer: NodeJS.Timeout;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the server did not exit; stderr: ${this.stderr.join('').slice(-2000)}`)), deadlineMs);
    });
    return Promise.race([this.exited, deadline]).finally(() => clearTimeout(timer));
  }

  /** Closes the server's standard input, as a client that went away. */
  closeInput(): Promise<void> {
    return new Promise((resolve) => this.child.stdin!.end(resolve));
  }

  /** Log messages so far that contain `text`. */
  logged(text: string): LogMessage[] {
    return this.logs.filter((l) => l.message.includes(text));
  }

  executeCommand<T>(command: string, args: unknown[] = []): Promise<T> {
    return this.connection.sendRequest(ExecuteCommandRequest.type, { command, arguments: args }) as Promise<T>;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) {
      this.connection.dispose();
      return;
    }
    try {
      // A deaf server never answers: it is killed below.
      let timer: NodeJS.Timeout | undefined;
      const answered = await Promise.race([
        this.connection.sendRequest(ShutdownRequest.type).then(() => true),
        new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), 2000))),
      ]);
      clearTimeout(timer);
      if (answered) await this.connection.sendNotification(ExitNotification.type);
    } catch {
      // already gone
    }
    this.connection.dispose();
    if (this.child.exitCode === null) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.child.kill();
          resolve();
        }, 2000);
        this.child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

/** Applies LSP text edits (any order) to a text, for checking what a quick fix does. */
export function applyTextEdits(text: string, edits: { range: Range; newText: string }[]): string {
  const offsets = lineStarts(text);
  const toOffset = (p: { line: number; character: number }) => (offsets[p.line] ?? text.length) + p.character;
  const sorted = [...edits].sort((a, b) => toOffset(b.range.start) - toOffset(a.range.start));
  let out = text;
  for (const edit of sorted) out = out.slice(0, toOffset(edit.range.start)) + edit.newText + out.slice(toOffset(edit.range.end));
  return out;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  return starts;
}
