// What the extension and the language server agree on, in one place, imported by both: command
// names, payloads, and which documents the server is given. The server registers the
// `fourfold.server.*` commands itself (executeCommandProvider), so the extension must never
// register those names. No import of vscode here: the server bundles this file too.
import { LANGUAGES } from '../engine/languages';

/** Commands implemented by the server, reached with `workspace/executeCommand`. */
export const ServerCommand = {
  scanWorkspace: 'fourfold.server.scanWorkspace',
  sarif: 'fourfold.server.sarif',
  writeBaseline: 'fourfold.server.writeBaseline',
  ruleList: 'fourfold.server.ruleList',
} as const;

/** Commands the extension contributes (package.json `contributes.commands`). */
export const ClientCommand = {
  scanWorkspace: 'fourfold.scanWorkspace',
  exportSarif: 'fourfold.exportSarif',
  showRuleDocumentation: 'fourfold.showRuleDocumentation',
  writeBaseline: 'fourfold.writeBaseline',
  /** Internal: the server's "Ignore … on this line" code action calls it so the reason is a placeholder. */
  insertSnippet: 'fourfold.insertSnippet',
} as const;

/** Notification sent when the user trusts the workspace after start-up. */
export const TRUST_CHANGED_NOTIFICATION = 'fourfold/trustChanged';

/** The diagnostic `source` of every finding the server publishes. */
export const DIAGNOSTIC_SOURCE = 'fourfold';

/**
 * Node flags the server is started with. Every check makes short-lived garbage, and V8's default
 * young generation (16 MB semi-spaces) keeps tens of megabytes of it resident: 200 open documents
 * sat at 154 MiB of RSS, 134 MiB with 4 MB semi-spaces, at no measurable cost per check
 * (npm run bench:memory). V8 reads this flag only when the process starts.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];

export interface InitializationOptions {
  trusted: boolean;
  snippetCommand: string;
  /** file: URI of the extension's docs/rules folder; `<docsBase>/<rule-id>.md` is a rule's page. */
  docsBase: string;
}

export interface ScanSummary {
  files: number;
  findings: number;
  cancelled: boolean;
  /** Files found but not checked (unreadable, binary, too large, links leaving the workspace); the server's log lists them. */
  skipped?: number;
}

export interface RuleInfo {
  id: string;
  title: string;
  severity: string;
  layer: string;
  /** Relative to the extension root, e.g. docs/rules/docker/user-root.md. */
  docsPath: string;
}

export interface InsertSnippetArgs {
  uri: string;
  position: { line: number; character: number };
  snippet: string;
}

/**
 * Every file on disk and every untitled document goes to the server: the secret rules read every
 * text file, and the server decides per file (path, language id, content) what applies.
 */
export const DOCUMENT_SCHEMES = ['file', 'untitled'] as const;

/**
 * Files whose changes the server must hear about even when they are not open: configuration, and
 * the parsed kinds (their summaries and units feed other files' findings). From the language table.
 */
export const WATCHED_FILES: readonly string[] = [
  '**/.fourfold.yaml',
  '**/.fourfold-baseline.json',
  '**/.gitignore',
  '**/.dockerignore',
  ...new Set(LANGUAGES.filter((l) => l.kind !== 'text').flatMap((l) => l.patterns)),
];
