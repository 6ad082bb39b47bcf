// Token navigation shared by the HCL parser's layers: lookahead, line-break sensitivity,
// error reporting and the recovery skips. Never throws.
import type { ParseError, Span } from '../../core/span';
import type { Token, TokenList, TokenType } from './lexer';

/** Nesting deeper than MAX_DEPTH is reported and skipped, so the stack never overflows. */
export const MAX_DEPTH = 100;

export const OPENERS = new Set<TokenType>(['{', '[', '(', 'oquote', 'oheredoc', 'interp', 'directive']);
export const CLOSERS = new Set<TokenType>(['}', ']', ')', 'cquote', 'cheredoc', 'seqend']);

export abstract class TokenCursor {
  protected pos = 0;
  /** Whether line breaks are insignificant here: inside ( ), [ ], ${ }, for-expression headers. */
  protected readonly newlines: boolean[] = [false];
  protected depth = 0;

  constructor(
    protected readonly text: string,
    protected readonly tokens: TokenList,
    readonly errors: ParseError[],
  ) {}

  // ---- tokens

  protected typeAt(i: number): TokenType {
    return this.tokens.type(i);
  }

  protected peek(): Token {
    if (this.newlines[this.newlines.length - 1]) {
      while (this.typeAt(this.pos) === 'nl') this.pos++;
    }
    return this.tokens.at(this.pos);
  }

  protected peekAt(offset: number): Token {
    return this.tokens.at(Math.min(this.pos + offset, this.tokens.length - 1));
  }

  protected next(): Token {
    const token = this.peek();
    if (token.type !== 'eof') this.pos++;
    return token;
  }

  protected skipNewlines(): void {
    while (this.typeAt(this.pos) === 'nl') this.pos++;
  }

  protected error(message: string, span: Span): void {
    const last = this.errors[this.errors.length - 1];
    if (last && last.span.start === span.start && last.message === message) return;
    this.errors.push({ message, span: { start: span.start, end: Math.max(span.start, span.end) } });
  }

  protected expect(type: TokenType, what: string): Token | undefined {
    const token = this.peek();
    if (token.type === type) return this.next();
    this.error(`Expected ${what}`, this.tokenSpan(token));
    return undefined;
  }

  protected tokenSpan(token: Token): Span {
    if (token.type === 'eof' || token.type === 'nl' || token.start === token.end) {
      const at = Math.max(0, Math.min(token.start, this.text.length));
      return { start: at, end: at };
    }
    return { start: token.start, end: token.end };
  }

  /** The end of the last consumed token. */
  protected lastEnd(): number {
    return this.pos > 0 ? this.tokens.end(this.pos - 1) : 0;
  }

  protected withNewlines<T>(ignore: boolean, fn: () => T): T {
    this.newlines.push(ignore);
    try {
      return fn();
    } finally {
      this.newlines.pop();
    }
  }

  /** Skips a balanced group starting at the current (opening) token, or one token. */
  protected skipBalanced(): void {
    let depth = 0;
    do {
      const token = this.tokens.at(this.pos);
      if (token.type === 'eof') return;
      if (OPENERS.has(token.type)) depth++;
      else if (CLOSERS.has(token.type)) depth--;
      this.pos++;
    } while (depth > 0);
  }

  /** Recovery: skip to the end of the line (outside brackets) or before a `}` that closes our body. */
  protected skipLine(): void {
    let depth = 0;
    for (;;) {
      const token = this.tokens.at(this.pos);
      if (token.type === 'eof') return;
      if (depth === 0 && (token.type === 'nl' || token.type === '}')) return;
      if (OPENERS.has(token.type)) depth++;
      else if (CLOSERS.has(token.type)) depth = Math.max(0, depth - 1);
      this.pos++;
    }
  }

  /** Recovery inside ( ) and [ ]: `name =` at the start of a line is surely the next attribute. */
  protected looksLikeNextAttribute(token: Token): boolean {
    if (token.type !== 'ident' || this.typeAt(this.pos + 1) !== '=') return false;
    return this.pos > 0 && this.typeAt(this.pos - 1) === 'nl';
  }

  protected atColumnZero(token: Token): boolean {
    return token.start === 0 || this.text.charCodeAt(token.start - 1) === 10;
  }

}

export function describe(token: Token): string {
  switch (token.type) {
    case 'nl': return 'line break';
    case 'eof': return 'end of file';
    case 'ident': return `"${token.value}"`;
    case 'number': return `number ${token.value}`;
    case 'oquote': return 'string';
    case 'cquote': return 'end of string';
    case 'oheredoc': return 'heredoc';
    case 'cheredoc': return 'end of heredoc';
    case 'lit': return 'text';
    case 'interp': return '`${`';
    case 'directive': return '`%{`';
    case 'seqend': return '`}`';
    case 'invalid': return `character ${JSON.stringify(token.value)}`;
    default: return `\`${token.type}\``;
  }
}
