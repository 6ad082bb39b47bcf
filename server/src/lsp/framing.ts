// Reading LSP messages off a byte stream (stdio, a socket, a pipe): `Content-Length` framing,
// strictly. The two kinds of bad input get different answers:
//   - a bad body inside good framing (not JSON, not an object, too large) loses that message only:
//     `onInvalid` hears why, and the next message is read as usual;
//   - bad framing (a header that is not `Name: value`, no or a non-numeric `Content-Length`) leaves
//     no way to know where the next message starts: the reader reports a FramingError and reads
//     nothing more. The server then exits non-zero, so the client starts it again, rather than
//     staying alive and deaf.
import { AbstractMessageReader, Disposable, type DataCallback, type Message } from 'vscode-languageserver/node';

/**
 * Why a decoded value is not a JSON-RPC message the connection can take, or undefined when it is.
 * The connection library trusts its input: a cancellation without an id, or a request whose id is
 * an object, throws inside it, where the error would lose the messages read with it.
 */
export function jsonRpcProblem(message: unknown): string | undefined {
  if (message === null || typeof message !== 'object' || Array.isArray(message)) return 'a message is not a JSON-RPC object';
  const m = message as Record<string, unknown>;
  const idOk = (id: unknown) => typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));
  if ('method' in m) {
    if (typeof m.method !== 'string') return 'a message has a method that is not a string';
    if ('id' in m && !idOk(m.id)) return `${m.method}: the request id is neither a string nor a number`;
    if (m.params !== undefined && (m.params === null || typeof m.params !== 'object')) return `${m.method}: params are neither an object nor an array`;
    if (m.method === '$/cancelRequest' && !idOk((m.params as { id?: unknown } | undefined)?.id)) return '$/cancelRequest: no request id to cancel';
    return undefined;
  }
  if (!('id' in m) || !(idOk(m.id) || m.id === null)) return 'a message is neither a request, a notification nor a response';
  if (!('result' in m) && !('error' in m)) return 'a response has neither a result nor an error';
  return undefined;
}

/** Hands a message to the connection if it is one; a failure inside the connection loses that message only. */
export function deliverChecked(message: unknown, callback: DataCallback | undefined, onInvalid?: (reason: string) => void): void {
  const problem = jsonRpcProblem(message);
  if (problem) {
    onInvalid?.(problem);
    return;
  }
  try {
    callback?.(message as Message);
  } catch (error) {
    onInvalid?.(`a message could not be handled (${error instanceof Error ? error.message : String(error)})`);
  }
}

export class FramingError extends Error {
  override name = 'FramingError';
}

export interface FramedReaderOptions {
  /** Bodies longer than this are skipped unread (with a notice), never buffered. */
  maxBodyBytes?: number;
  /** A message was dropped: its body was not a JSON-RPC message. */
  onInvalid?(reason: string): void;
}

const HEADER_END = Buffer.from('\r\n\r\n');
/** Headers are two short lines in practice; anything longer is not LSP framing. */
const MAX_HEADER_BYTES = 16 * 1024;
const DEFAULT_MAX_BODY = 256 * 1024 * 1024;
const HEADER_LINE = /^([A-Za-z0-9-]+)[ \t]*:[ \t]*(.*?)[ \t]*$/;

type State = { kind: 'header' } | { kind: 'body'; length: number } | { kind: 'skip'; left: number } | { kind: 'failed' };

export class FramedMessageReader extends AbstractMessageReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private state: State = { kind: 'header' };
  private callback?: DataCallback;
  private readonly maxBody: number;

  constructor(
    private readonly readable: NodeJS.ReadableStream,
    private readonly options: FramedReaderOptions = {},
  ) {
    super();
    this.maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  }

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    const onData = (data: Buffer | string) => this.onData(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    const onError = (error: Error) => this.fireError(error);
    const onClose = () => this.fireClose();
    this.readable.on('data', onData);
    this.readable.on('error', onError);
    this.readable.on('end', onClose);
    this.readable.on('close', onClose);
    return Disposable.create(() => {
      this.readable.off('data', onData);
      this.readable.off('error', onError);
      this.readable.off('end', onClose);
      this.readable.off('close', onClose);
    });
  }

  /** Whether framing failed: nothing more is read. */
  get failed(): boolean {
    return this.state.kind === 'failed';
  }

  private onData(data: Buffer): void {
    if (this.failed) return;
    this.chunks.push(data);
    this.buffered += data.length;
    for (;;) {
      const state = this.state;
      if (state.kind === 'failed') return;
      if (state.kind === 'skip') {
        const dropped = Math.min(state.left, this.buffered);
        this.take(dropped);
        state.left -= dropped;
        if (state.left > 0) return;
        this.state = { kind: 'header' };
        continue;
      }
      if (state.kind === 'header') {
        const all = this.peekAll();
        const end = all.indexOf(HEADER_END);
        if (end < 0) {
          if (this.buffered > MAX_HEADER_BYTES) this.fail(`no end of headers within ${MAX_HEADER_BYTES} bytes`);
          return;
        }
        const length = this.readHeaders(all.subarray(0, end).toString('latin1'));
        if (length === undefined) return; // failed
        this.take(end + HEADER_END.length);
        if (length > this.maxBody) {
          this.options.onInvalid?.(`a message of ${length} bytes (more than ${this.maxBody}) was skipped unread`);
          this.state = { kind: 'skip', left: length };
        } else this.state = { kind: 'body', length };
        continue;
      }
      if (this.buffered < state.length) return;
      const body = this.take(state.length);
      this.state = { kind: 'header' };
      this.deliver(body);
    }
  }

  /** The Content-Length of a header section, or undefined after reporting why the framing is bad. */
  private readHeaders(section: string): number | undefined {
    let length: number | undefined;
    for (const line of section.split('\r\n')) {
      const match = HEADER_LINE.exec(line);
      if (!match) return this.fail(`a header line is not "Name: value": ${JSON.stringify(line.slice(0, 80))}`);
      const name = match[1].toLowerCase();
      const value = match[2];
      if (name === 'content-length') {
        if (!/^\d{1,15}$/.test(value)) return this.fail(`Content-Length is not a number of bytes: ${JSON.stringify(value.slice(0, 80))}`);
        length = Number(value);
      }
    }
    if (length === undefined) return this.fail('a message has no Content-Length header');
    return length;
  }

  private deliver(body: Buffer): void {
    let message: unknown;
    try {
      message = JSON.parse(body.toString('utf8'));
    } catch (error) {
      this.options.onInvalid?.(`a message is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
      return;
    }
    deliverChecked(message, this.callback, this.options.onInvalid);
  }

  private fail(reason: string): undefined {
    this.state = { kind: 'failed' };
    this.chunks = [];
    this.buffered = 0;
    this.fireError(new FramingError(`LSP framing error: ${reason}`));
    return undefined;
  }

  private peekAll(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  /** Removes and returns the first `n` buffered bytes. */
  private take(n: number): Buffer {
    const all = this.peekAll();
    const head = all.subarray(0, n);
    // A short rest is copied, so the big buffer it came from is not kept alive by it.
    const rest = all.length - n < n ? Buffer.from(all.subarray(n)) : all.subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.buffered = rest.length;
    return head;
  }
}
