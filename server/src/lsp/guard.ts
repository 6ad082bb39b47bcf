// Failure containment for the language server: every handler runs inside one of these, so a bad
// message or a bug is an error answer or a log line, never a dead process; and nothing of ours
// waits forever for a client that does not answer.
import { ErrorCodes, ResponseError } from 'vscode-languageserver/node';

/** Where log lines go (the connection's console). */
export interface Log {
  warn(message: string): void;
  error(message: string): void;
}

export const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

export const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export function invalidParams(message: string): ResponseError<void> {
  return new ResponseError(ErrorCodes.InvalidParams, message);
}

export const TIMED_OUT = Symbol('timed out');

/** The answer, or TIMED_OUT when the client has not answered in `ms` (the promise still settles later). */
export function withTimeout<T>(answer: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), ms)));
  return Promise.race([answer, timeout]).finally(() => clearTimeout(timer));
}

export class Guard {
  private warnings = 0;
  private reporting = false;

  constructor(
    private readonly log: () => Log,
    /** Malformed messages logged one by one; after that only counted. */
    private readonly warningsLogged = 50,
  ) {}

  /** A message from the client that was refused: logged (up to a limit), never fatal. */
  readonly protocolWarning = (message: string): void => {
    this.warnings++;
    if (this.warnings <= this.warningsLogged) this.log().warn(`Fourfold: ${message}`);
    else if (this.warnings === this.warningsLogged + 1) this.log().warn('Fourfold: further malformed messages are ignored without a log line.');
  };

  /** A bug of ours (or a rule's): logged with its stack, on standard error too; the server goes on. */
  readonly internalError = (where: string, error: unknown): void => {
    if (this.reporting) return; // logging itself failed: say nothing rather than loop
    this.reporting = true;
    try {
      const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
      const line = `Fourfold: internal error in ${where} (please report it): ${detail}`;
      process.stderr.write(`${line}\n`);
      this.log().error(line);
    } catch {
      // nowhere left to say it
    } finally {
      this.reporting = false;
    }
  };

  /** Work that nobody awaits: its failure is logged, never left to end the process. */
  readonly background = (where: string, work: Promise<unknown>): void => {
    work.catch((error) => this.internalError(where, error));
  };

  /** A notification handler that cannot fail: errors are logged. */
  readonly notification = <P>(where: string, handler: (params: P) => void | Promise<void>): ((params: P) => Promise<void>) => {
    return async (params) => {
      try {
        await handler(params);
      } catch (error) {
        this.internalError(where, error);
      }
    };
  };

  /** A request handler whose failures become error answers (bad parameters: InvalidParams, bugs: InternalError). */
  readonly request = <P, R>(where: string, handler: (params: P) => R | Promise<R>): ((params: P) => Promise<R>) => {
    return async (params) => {
      try {
        return await handler(params);
      } catch (error) {
        if (error instanceof ResponseError) throw error;
        this.internalError(where, error);
        throw new ResponseError(ErrorCodes.InternalError, `Fourfold: ${where} failed: ${describe(error)}`);
      }
    };
  };
}
