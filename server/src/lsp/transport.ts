// The transports a client can start the server with. Byte streams (`--stdio`, `--socket=N`,
// `--pipe=NAME`) are read with our strict framing (framing.ts); `--node-ipc` (VS Code's choice)
// carries messages as objects, which are checked the same way before the connection sees them.
import net from 'node:net';
import {
  AbstractMessageReader,
  Disposable,
  IPCMessageReader,
  IPCMessageWriter,
  StreamMessageWriter,
  type DataCallback,
  type MessageReader,
  type MessageWriter,
} from 'vscode-languageserver/node';
import { deliverChecked, FramedMessageReader, type FramedReaderOptions } from './framing';

/** Node IPC messages, checked as JSON-RPC before the connection gets them. */
class CheckedIpcReader extends AbstractMessageReader {
  private readonly inner: MessageReader = new IPCMessageReader(process);

  constructor(private readonly onInvalid?: (reason: string) => void) {
    super();
    this.inner.onError((error) => this.fireError(error));
    this.inner.onClose(() => this.fireClose());
  }

  listen(callback: DataCallback): Disposable {
    return this.inner.listen((message) => deliverChecked(message, callback, this.onInvalid));
  }
}

export interface Transport {
  reader: MessageReader;
  writer: MessageWriter;
}

export interface StreamTransport {
  reader: FramedMessageReader;
  writer: MessageWriter;
  /** The input stream: when it ends, the client is gone. */
  input: NodeJS.ReadableStream;
  /** Standard output carries the protocol: nothing else may be printed there. */
  stdio: boolean;
}

/** The value of `--name value` or `--name=value`. */
function option(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === name) return argv[i + 1];
    if (argv[i].startsWith(`${name}=`)) return argv[i].slice(name.length + 1);
  }
  return undefined;
}

/** `--node-ipc`: checked messages over the process channel; undefined for any other transport. */
export function ipcTransport(argv: readonly string[], options: FramedReaderOptions): Transport | undefined {
  if (!argv.includes('--node-ipc') || !process.send) return undefined;
  return { reader: new CheckedIpcReader(options.onInvalid), writer: new IPCMessageWriter(process) };
}

/** The stream transport the command line names; undefined for `--node-ipc` or none. */
export function streamTransport(argv: readonly string[], options: FramedReaderOptions): StreamTransport | undefined {
  if (argv.includes('--node-ipc')) return undefined;
  if (argv.includes('--stdio')) {
    return { reader: new FramedMessageReader(process.stdin, options), writer: new StreamMessageWriter(process.stdout), input: process.stdin, stdio: true };
  }
  const port = Number(option(argv, '--socket'));
  const pipe = option(argv, '--pipe');
  if (!(port > 0) && !pipe) return undefined;
  const socket = port > 0 ? net.createConnection(port, '127.0.0.1') : net.createConnection(pipe!);
  return { reader: new FramedMessageReader(socket, options), writer: new StreamMessageWriter(socket), input: socket, stdio: false };
}
