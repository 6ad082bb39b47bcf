// The documents the editor holds open, kept in sync from didOpen / didChange / didClose. Every
// notification is checked before it touches a document: a message of the wrong shape is refused
// with a reason (the server logs it) and leaves every document as it was; it never throws.
// What is kept per document is its text and what the next edit needs (TextDocument's line
// offsets); everything derived from it (models, findings) lives elsewhere, with a bound.
import { TextDocument } from 'vscode-languageserver-textdocument';
import { isObject } from './guard';

export type OpenDocument = TextDocument;

export type Outcome<T> = { ok: true; value: T; warning?: string } | { ok: false; reason: string };

interface Position {
  line: number;
  character: number;
}

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;

export function isPosition(value: unknown): value is Position {
  return isObject(value) && isCount(value.line) && isCount(value.character);
}

export function isRange(value: unknown): value is { start: Position; end: Position } {
  return isObject(value) && isPosition(value.start) && isPosition(value.end);
}

/** `uri` of a `TextDocumentIdentifier`-like parameter, if it is one. */
export function documentUri(params: unknown): string | undefined {
  const document = isObject(params) ? params.textDocument : undefined;
  return isObject(document) && typeof document.uri === 'string' && document.uri.length > 0 ? document.uri : undefined;
}

/** Describes a value for a log line without printing all of it. */
function shape(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? `a string of ${value.length} characters` : typeof value;
}

export class OpenDocuments {
  private readonly open = new Map<string, OpenDocument>();

  get(uri: string): OpenDocument | undefined {
    return this.open.get(uri);
  }

  all(): OpenDocument[] {
    return [...this.open.values()];
  }

  get size(): number {
    return this.open.size;
  }

  /** didOpen. Opening a document that is open already replaces it (text, version and language). */
  didOpen(params: unknown): Outcome<OpenDocument> {
    const item = isObject(params) ? params.textDocument : undefined;
    if (!isObject(item)) return { ok: false, reason: `textDocument is ${shape(item)}, not a TextDocumentItem` };
    if (typeof item.uri !== 'string' || item.uri.length === 0) return { ok: false, reason: `textDocument.uri is ${shape(item.uri)}, not a URI` };
    if (typeof item.text !== 'string') return { ok: false, reason: `textDocument.text of ${item.uri} is ${shape(item.text)}, not a string` };
    const languageId = typeof item.languageId === 'string' ? item.languageId : '';
    const version = Number.isInteger(item.version) ? (item.version as number) : 0;
    const document = TextDocument.create(item.uri, languageId, version, item.text);
    this.open.set(item.uri, document);
    return { ok: true, value: document };
  }

  /**
   * didChange. Full-text and incremental changes; a change whose range lies past the end of the
   * text is clamped to it (as editors do). A change of the wrong shape refuses the whole
   * notification, so the document never holds half of an edit.
   */
  didChange(params: unknown): Outcome<OpenDocument> {
    const uri = documentUri(params);
    if (!uri) return { ok: false, reason: 'textDocument.uri is missing' };
    const document = this.open.get(uri);
    if (!document) return { ok: false, reason: `${uri} is not open` };
    const changes = (params as { contentChanges?: unknown }).contentChanges;
    if (!Array.isArray(changes)) return { ok: false, reason: `contentChanges of ${uri} is ${shape(changes)}, not an array` };
    for (const change of changes) {
      if (!isObject(change) || typeof change.text !== 'string') return { ok: false, reason: `a change of ${uri} has no text` };
      if ('range' in change && change.range !== undefined && !isRange(change.range)) return { ok: false, reason: `a change of ${uri} has a malformed range` };
    }
    const given = (params as { textDocument: { version?: unknown } }).textDocument.version;
    const version = Number.isInteger(given) ? (given as number) : document.version + 1;
    const updated = TextDocument.update(document, changes as Parameters<typeof TextDocument.update>[1], version);
    this.open.set(uri, updated);
    return { ok: true, value: updated, warning: Number.isInteger(given) ? undefined : `a change of ${uri} has no version` };
  }

  /** didClose. Closing a document that is not open is refused (the server only notes it). */
  didClose(params: unknown): Outcome<OpenDocument> {
    const uri = documentUri(params);
    if (!uri) return { ok: false, reason: 'textDocument.uri is missing' };
    const document = this.open.get(uri);
    if (!document) return { ok: false, reason: `${uri} is not open` };
    this.open.delete(uri);
    return { ok: true, value: document };
  }
}
