// The HCL native-syntax parser: tokens -> model, recursive descent, never throws.
// Recovery: a broken attribute or block header skips to the end of its line (brackets balanced);
// a missing `}` is noticed at the next top-level keyword in column 0 or at the end of the file.
// Nesting deeper than MAX_DEPTH is reported and skipped, so the stack never overflows.
import type { ParseError, Span } from '../../engine/api';
import type {
  Attribute, BinaryOp, Block, Body, BodyItem, Expression, HclFile, Label, ObjectItem, TemplateExpr,
  TemplatePart,
} from './ast';
import { lex, type Token, type TokenList, type TokenType } from './lexer';

const MAX_DEPTH = 100;

const PRECEDENCE: Partial<Record<TokenType, number>> = {
  '||': 1, '&&': 2, '==': 3, '!=': 3, '<': 4, '>': 4, '<=': 4, '>=': 4, '+': 5, '-': 5, '*': 6, '/': 6, '%': 6,
};

const OPENERS = new Set<TokenType>(['{', '[', '(', 'oquote', 'oheredoc', 'interp', 'directive']);
const CLOSERS = new Set<TokenType>(['}', ']', ')', 'cquote', 'cheredoc', 'seqend']);

const TOP_LEVEL = new Set([
  'resource', 'data', 'module', 'variable', 'output', 'locals', 'provider', 'terraform', 'moved', 'import',
  'check', 'removed',
]);

export function parseNative(text: string): { file: HclFile; errors: ParseError[] } {
  const lexed = lex(text);
  const parser = new Parser(text, lexed.tokens, lexed.errors);
  const body = parser.parseBody(null, 0, text.length);
  return { file: { body, comments: lexed.comments, span: { start: 0, end: text.length } }, errors: parser.errors };
}

/** A template without quotes (the inside of a JSON string), its spans offset into `text`. */
export function parseBareTemplate(text: string, start: number, end: number): { expr: TemplateExpr; errors: ParseError[] } {
  const lexed = lex(text, { bare: true, start, end });
  const parser = new Parser(text, lexed.tokens, lexed.errors);
  const parts = parser.parseTemplateParts(false);
  return { expr: { kind: 'template', parts, span: { start, end } }, errors: parser.errors };
}

class Parser {
  private pos = 0;
  /** Whether line breaks are insignificant here: inside ( ), [ ], ${ }, for-expression headers. */
  private readonly newlines: boolean[] = [false];
  private depth = 0;

  constructor(
    private readonly text: string,
    private readonly tokens: TokenList,
    readonly errors: ParseError[],
  ) {}

  // ---- tokens

  private typeAt(i: number): TokenType {
    const types = this.tokens.types;
    return i < types.length ? types[i] : 'eof';
  }

  private peek(): Token {
    if (this.newlines[this.newlines.length - 1]) {
      while (this.typeAt(this.pos) === 'nl') this.pos++;
    }
    return this.tokens.at(this.pos);
  }

  private peekAt(offset: number): Token {
    return this.tokens.at(Math.min(this.pos + offset, this.tokens.length - 1));
  }

  private next(): Token {
    const token = this.peek();
    if (token.type !== 'eof') this.pos++;
    return token;
  }

  private skipNewlines(): void {
    while (this.typeAt(this.pos) === 'nl') this.pos++;
  }

  private error(message: string, span: Span): void {
    const last = this.errors[this.errors.length - 1];
    if (last && last.span.start === span.start && last.message === message) return;
    this.errors.push({ message, span: { start: span.start, end: Math.max(span.start, span.end) } });
  }

  private expect(type: TokenType, what: string): Token | undefined {
    const token = this.peek();
    if (token.type === type) return this.next();
    this.error(`Expected ${what}`, this.tokenSpan(token));
    return undefined;
  }

  private tokenSpan(token: Token): Span {
    if (token.type === 'eof' || token.type === 'nl' || token.start === token.end) {
      const at = Math.max(0, Math.min(token.start, this.text.length));
      return { start: at, end: at };
    }
    return { start: token.start, end: token.end };
  }

  /** The end of the last consumed token. */
  private lastEnd(): number {
    return this.pos > 0 ? this.tokens.ends[this.pos - 1] : 0;
  }

  private withNewlines<T>(ignore: boolean, fn: () => T): T {
    this.newlines.push(ignore);
    try {
      return fn();
    } finally {
      this.newlines.pop();
    }
  }

  /** Skips a balanced group starting at the current (opening) token, or one token. */
  private skipBalanced(): void {
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
  private skipLine(): void {
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
  private looksLikeNextAttribute(token: Token): boolean {
    if (token.type !== 'ident' || this.typeAt(this.pos + 1) !== '=') return false;
    return this.pos > 0 && this.typeAt(this.pos - 1) === 'nl';
  }

  private atColumnZero(token: Token): boolean {
    return token.start === 0 || this.text.charCodeAt(token.start - 1) === 10;
  }

  // ---- structure

  /** Attributes and blocks until `}` (in a block) or the end. */
  parseBody(block: Token | null, start: number, end: number): Body {
    const items: BodyItem[] = [];
    const seen = new Set<string>();
    const nested = block !== null;
    for (;;) {
      this.skipNewlines();
      const token = this.tokens.at(this.pos);
      if (token.type === 'eof') break;
      if (token.type === '}') {
        if (nested) break;
        this.error('Unexpected `}`: there is no block to close', this.tokenSpan(token));
        this.pos++;
        continue;
      }
      if (token.type !== 'ident') {
        this.error('Expected an attribute or a block', this.tokenSpan(token));
        this.skipLine();
        if (this.typeAt(this.pos) === '}' && !nested) this.pos++;
        continue;
      }
      if (nested && this.atColumnZero(token) && TOP_LEVEL.has(token.value) && this.looksLikeBlock()) break;
      const item = this.parseItem();
      if (!item) continue;
      if (item.kind === 'attribute') {
        if (seen.has(item.name)) this.error(`Attribute "${item.name}" is defined more than once in this body`, item.nameSpan);
        seen.add(item.name);
      }
      items.push(item);
    }
    return { items, span: { start, end: nested ? this.tokens.starts[this.pos] : end } };
  }

  private looksLikeBlock(): boolean {
    for (let i = this.pos + 1; i < this.tokens.length; i++) {
      const t = this.typeAt(i);
      if (t === '{') return true;
      if (t === 'ident' || t === 'lit' || t === 'oquote' || t === 'cquote') continue;
      return false;
    }
    return false;
  }

  private parseItem(): BodyItem | undefined {
    const name = this.tokens.at(this.pos++);
    const after = this.tokens.at(this.pos);
    if (after.type === '=') {
      this.pos++;
      const expr = this.withNewlines(false, () => this.parseExpression());
      const attribute: Attribute = {
        kind: 'attribute',
        name: name.value,
        nameSpan: { start: name.start, end: name.end },
        expr,
        valueSpan: expr.span,
        span: { start: name.start, end: expr.span.end },
      };
      this.endOfItem();
      return attribute;
    }
    if (after.type === 'ident' || after.type === 'oquote' || after.type === '{') return this.parseBlock(name);
    this.error(
      after.type === 'nl' || after.type === 'eof'
        ? `Expected \`=\` or a block after "${name.value}"`
        : `Unexpected ${describe(after)} after "${name.value}": expected \`=\` or a block`,
      this.tokenSpan(after.type === 'nl' || after.type === 'eof' ? name : after),
    );
    this.skipLine();
    return undefined;
  }

  /** After an attribute or block: a line break, `}` or the end; anything else is reported and skipped. */
  private endOfItem(): void {
    const token = this.tokens.at(this.pos);
    if (token.type === 'nl' || token.type === 'eof' || token.type === '}') return;
    // Recovery from an unclosed bracket stopped at the start of a new line.
    if (this.pos > 0 && this.typeAt(this.pos - 1) === 'nl') return;
    this.error(`Unexpected ${describe(token)}: expected a line break`, this.tokenSpan(token));
    this.skipLine();
  }

  private parseBlock(type: Token): Block {
    const labels: Label[] = [];
    for (;;) {
      const token = this.tokens.at(this.pos);
      if (token.type === 'ident') {
        labels.push({ value: token.value, span: { start: token.start, end: token.end }, quoted: false });
        this.pos++;
      } else if (token.type === 'oquote') {
        const template = this.parseQuoted();
        const value = template.parts.map((p) => (p.kind === 'literal' ? p.value : '')).join('');
        if (template.parts.some((p) => p.kind !== 'literal')) {
          this.error('A block label cannot contain interpolations', template.span);
        }
        labels.push({ value, span: template.span, quoted: true });
      } else break;
    }
    const open = this.tokens.at(this.pos);
    const block: Block = {
      kind: 'block',
      type: type.value,
      typeSpan: { start: type.start, end: type.end },
      labels,
      body: { items: [], span: { start: open.end, end: open.end } },
      openBraceSpan: { start: open.start, end: open.start },
      span: { start: type.start, end: open.start },
    };
    if (open.type !== '{') {
      this.error(`Expected \`{\` to open the "${type.value}" block`, this.tokenSpan(open));
      this.skipLine();
      block.span.end = this.lastEnd();
      return block;
    }
    this.pos++;
    block.openBraceSpan = { start: open.start, end: open.end };
    if (this.depth >= MAX_DEPTH) {
      this.error('Blocks are nested too deeply', block.openBraceSpan);
      this.pos--;
      this.skipBalanced();
      block.span.end = this.lastEnd();
      return block;
    }
    this.depth++;
    block.body = this.parseBody(open, open.end, open.end);
    this.depth--;
    const close = this.tokens.at(this.pos);
    if (close.type === '}') {
      this.pos++;
      block.closeBraceSpan = { start: close.start, end: close.end };
      block.span.end = close.end;
      this.endOfItem();
    } else {
      this.error(`The "${type.value}" block is not closed: \`}\` is missing`, block.openBraceSpan);
      const last = block.body.items[block.body.items.length - 1];
      block.span.end = last ? last.span.end : open.end;
      block.body.span.end = block.span.end;
    }
    return block;
  }

  // ---- expressions

  parseExpression(): Expression {
    if (this.depth >= MAX_DEPTH) {
      const token = this.peek();
      this.error('Expression is nested too deeply', this.tokenSpan(token));
      const start = token.start;
      if (!CLOSERS.has(token.type) && token.type !== 'nl' && token.type !== 'eof') this.skipBalanced();
      return { kind: 'invalid', span: { start, end: Math.max(start, this.lastEnd()) } };
    }
    this.depth++;
    try {
      const condition = this.parseBinary(1);
      if (this.peek().type !== '?') return condition;
      this.next();
      const trueExpr = this.withNewlines(true, () => this.parseExpression());
      this.skipOptionalNewlines();
      if (this.peek().type === ':') this.next();
      else this.error('Expected `:` in the conditional expression', this.tokenSpan(this.peek()));
      this.skipOptionalNewlines();
      const falseExpr = this.parseExpression();
      return { kind: 'conditional', condition, trueExpr, falseExpr, span: { start: condition.span.start, end: falseExpr.span.end } };
    } finally {
      this.depth--;
    }
  }

  /** Lenient: a line break right before `:` or after an operator does not end the expression. */
  private skipOptionalNewlines(): void {
    let i = this.pos;
    while (this.typeAt(i) === 'nl') i++;
    if (i !== this.pos && this.typeAt(i) === ':') this.pos = i;
  }

  private parseBinary(minPrec: number): Expression {
    let left = this.parseUnary();
    for (;;) {
      const op = this.peek();
      const prec = PRECEDENCE[op.type];
      if (prec === undefined || prec < minPrec) return left;
      this.next();
      this.skipNewlines();
      const right = this.parseBinary(prec + 1);
      left = { kind: 'binary', op: op.type as BinaryOp, left, right, span: { start: left.span.start, end: right.span.end } };
    }
  }

  private parseUnary(): Expression {
    const ops: Token[] = [];
    while (this.peek().type === '-' || this.peek().type === '!') ops.push(this.next());
    let expr = this.parseTerm();
    for (let i = ops.length - 1; i >= 0; i--) {
      expr = { kind: 'unary', op: ops[i].type as '-' | '!', operand: expr, span: { start: ops[i].start, end: expr.span.end } };
    }
    return expr;
  }

  private parseTerm(): Expression {
    let expr = this.parsePrimary();
    for (;;) {
      const token = this.peek();
      if (token.type === '.') {
        const after = this.peekAt(1);
        if (after.type === 'ident') {
          this.pos += 2;
          expr = { kind: 'getattr', object: expr, name: after.value, nameSpan: { start: after.start, end: after.end }, span: { start: expr.span.start, end: after.end } };
        } else if (after.type === 'number') {
          this.pos += 2;
          const key: Expression = { kind: 'literal', value: Number(after.value), span: { start: after.start, end: after.end } };
          expr = { kind: 'index', collection: expr, key, legacy: true, span: { start: expr.span.start, end: after.end } };
        } else if (after.type === '*') {
          this.pos += 2;
          expr = this.parseSplat(expr, false, after.end);
        } else {
          this.pos++;
          this.error('Expected an attribute name after `.`', this.tokenSpan(after));
          return { kind: 'invalid', span: { start: expr.span.start, end: token.end } };
        }
      } else if (token.type === '[') {
        if (this.peekAt(1).type === '*' && this.peekAt(2).type === ']') {
          const close = this.peekAt(2);
          this.pos += 3;
          expr = this.parseSplat(expr, true, close.end);
        } else {
          this.next();
          const key = this.withNewlines(true, () => this.parseExpression());
          const close = this.peek();
          if (close.type === ']') this.next();
          else this.error('Expected `]` to close the index', this.tokenSpan(close));
          expr = { kind: 'index', collection: expr, key, legacy: false, span: { start: expr.span.start, end: this.lastEnd() } };
        }
      } else return expr;
    }
  }

  /** The traversal after `.*` (attributes only) or `[*]` (attributes and indexes). */
  private parseSplat(source: Expression, full: boolean, splatEnd: number): Expression {
    let each: Expression | undefined;
    const item = (): Expression => each ?? { kind: 'splatItem', span: { start: splatEnd, end: splatEnd } };
    for (;;) {
      const token = this.peek();
      const after = this.peekAt(1);
      if (token.type === '.' && after.type === 'ident') {
        this.pos += 2;
        const base = item();
        each = { kind: 'getattr', object: base, name: after.value, nameSpan: { start: after.start, end: after.end }, span: { start: base.span.start, end: after.end } };
      } else if (token.type === '.' && after.type === 'number') {
        this.pos += 2;
        const base = item();
        const key: Expression = { kind: 'literal', value: Number(after.value), span: { start: after.start, end: after.end } };
        each = { kind: 'index', collection: base, key, legacy: true, span: { start: base.span.start, end: after.end } };
      } else if (full && token.type === '[' && !(after.type === '*')) {
        this.next();
        const key = this.withNewlines(true, () => this.parseExpression());
        if (this.peek().type === ']') this.next();
        else this.error('Expected `]` to close the index', this.tokenSpan(this.peek()));
        const base = item();
        each = { kind: 'index', collection: base, key, legacy: false, span: { start: base.span.start, end: this.lastEnd() } };
      } else break;
    }
    return { kind: 'splat', source, each, full, span: { start: source.span.start, end: Math.max(splatEnd, this.lastEnd()) } };
  }

  private parsePrimary(): Expression {
    const token = this.peek();
    const span = { start: token.start, end: token.end };
    switch (token.type) {
      case 'number':
        this.next();
        return { kind: 'literal', value: Number(token.value), span };
      case 'ident':
        return this.parseIdentifier();
      case 'oquote':
        return this.parseQuoted();
      case 'oheredoc':
        return this.parseHeredoc();
      case '[':
        return this.parseTuple();
      case '{':
        return this.parseObject();
      case '(': {
        this.next();
        const expr = this.withNewlines(true, () => this.parseExpression());
        if (this.peek().type === ')') this.next();
        else this.error('Expected `)` to close the parenthesis', this.tokenSpan(this.peek()));
        return { kind: 'parens', expr, span: { start: token.start, end: this.lastEnd() } };
      }
      default: {
        this.error(token.type === 'nl' || token.type === 'eof' ? 'Expected an expression' : `Unexpected ${describe(token)}: expected an expression`, this.tokenSpan(token));
        if (!CLOSERS.has(token.type) && token.type !== 'nl' && token.type !== 'eof' && token.type !== ',') {
          this.skipBalanced();
          return { kind: 'invalid', span: { start: token.start, end: this.lastEnd() } };
        }
        return { kind: 'invalid', span: { start: token.start, end: token.start } };
      }
    }
  }

  private parseIdentifier(): Expression {
    const token = this.next();
    const span = { start: token.start, end: token.end };
    const name = token.value;
    if (name === 'true' || name === 'false') return { kind: 'literal', value: name === 'true', span };
    if (name === 'null') return { kind: 'literal', value: null, span };
    const namespace: string[] = [];
    let fn = token;
    // provider::aws::arn_parse(…): `::` are two adjacent `:` tokens.
    while (
      this.typeAt(this.pos) === ':' && this.typeAt(this.pos + 1) === ':' &&
      this.tokens.starts[this.pos] === fn.end && this.typeAt(this.pos + 2) === 'ident'
    ) {
      namespace.push(fn.value);
      fn = this.tokens.at(this.pos + 2);
      this.pos += 3;
    }
    if (this.typeAt(this.pos) === '(') return this.parseCall(token, fn, namespace);
    if (namespace.length) {
      this.error('Expected `(` after a namespaced function name', this.tokenSpan(this.tokens.at(this.pos)));
      return { kind: 'invalid', span: { start: token.start, end: fn.end } };
    }
    return { kind: 'variable', name, span };
  }

  private parseCall(first: Token, fn: Token, namespace: string[]): Expression {
    const open = this.tokens.at(this.pos++);
    const args: Expression[] = [];
    let expandFinal = false;
    this.withNewlines(true, () => {
      for (;;) {
        const token = this.peek();
        if (token.type === ')' || token.type === 'eof' || CLOSERS.has(token.type)) break;
        if (this.looksLikeNextAttribute(token)) break;
        const before = this.pos;
        args.push(this.parseExpression());
        const sep = this.peek();
        if (sep.type === '...') {
          this.next();
          expandFinal = true;
          if (this.peek().type === ',') this.next();
          break;
        }
        if (sep.type === ',') this.next();
        else if (sep.type !== ')') {
          if (this.looksLikeNextAttribute(sep)) break;
          this.error(`Unexpected ${describe(sep)}: expected \`,\` or \`)\``, this.tokenSpan(sep));
          if (CLOSERS.has(sep.type) || sep.type === 'eof') break;
          if (this.pos === before) this.skipBalanced();
        }
      }
    });
    if (this.peek().type === ')') this.next();
    else this.error(`The call to ${fn.value} is not closed: \`)\` is missing`, { start: open.start, end: open.end });
    return {
      kind: 'call', name: fn.value, namespace, nameSpan: { start: first.start, end: fn.end }, args, expandFinal,
      span: { start: first.start, end: this.lastEnd() },
    };
  }

  private parseTuple(): Expression {
    const open = this.next();
    return this.withNewlines(true, () => {
      const first = this.peek();
      if (first.type === 'ident' && first.value === 'for') return this.parseFor(open, false);
      const items: Expression[] = [];
      for (;;) {
        const token = this.peek();
        if (token.type === ']' || token.type === 'eof' || CLOSERS.has(token.type)) break;
        if (this.looksLikeNextAttribute(token)) break;
        const before = this.pos;
        items.push(this.parseExpression());
        const sep = this.peek();
        if (sep.type === ',') this.next();
        else if (sep.type !== ']') {
          if (this.looksLikeNextAttribute(sep)) break;
          this.error(`Unexpected ${describe(sep)}: expected \`,\` or \`]\``, this.tokenSpan(sep));
          if (CLOSERS.has(sep.type) || sep.type === 'eof') break;
          if (this.pos === before) this.skipBalanced();
        }
      }
      if (this.peek().type === ']') this.next();
      else this.error('The list is not closed: `]` is missing', { start: open.start, end: open.end });
      return { kind: 'tuple', items, span: { start: open.start, end: this.lastEnd() } };
    });
  }

  private parseObject(): Expression {
    const open = this.next();
    return this.withNewlines(false, () => {
      this.skipNewlines();
      const first = this.peek();
      if (first.type === 'ident' && first.value === 'for') return this.withNewlines(true, () => this.parseFor(open, true));
      const items: ObjectItem[] = [];
      for (;;) {
        this.skipNewlines();
        const token = this.peek();
        if (token.type === '}' || token.type === 'eof' || CLOSERS.has(token.type)) break;
        const before = this.pos;
        const key = this.parseExpression();
        const sep = this.peek();
        if (sep.type !== '=' && sep.type !== ':') {
          this.error(`Expected \`=\` or \`:\` after the object key`, this.tokenSpan(sep));
          this.skipLine();
          if (this.pos === before) this.skipBalanced();
          continue;
        }
        this.next();
        this.skipNewlines();
        const value = this.parseExpression();
        items.push({ key, value, separator: sep.type as '=' | ':', span: { start: key.span.start, end: value.span.end } });
        const end = this.peek();
        if (end.type === ',') this.next();
        else if (end.type !== 'nl' && end.type !== '}') {
          this.error(`Unexpected ${describe(end)}: expected \`,\`, a line break or \`}\``, this.tokenSpan(end));
          if (CLOSERS.has(end.type) || end.type === 'eof') break;
          this.skipLine();
        }
      }
      if (this.peek().type === '}') this.next();
      else this.error('The object is not closed: `}` is missing', { start: open.start, end: open.end });
      return { kind: 'object', items, span: { start: open.start, end: this.lastEnd() } };
    });
  }

  /** `[for k, v in coll : expr if cond]` or `{for k, v in coll : key => value... if cond}`. */
  private parseFor(open: Token, object: boolean): Expression {
    this.next();
    const names: string[] = [];
    for (;;) {
      const name = this.peek();
      if (name.type !== 'ident') {
        this.error('Expected a variable name in the `for` expression', this.tokenSpan(name));
        break;
      }
      this.next();
      names.push(name.value);
      if (this.peek().type !== ',') break;
      this.next();
    }
    const inToken = this.peek();
    if (inToken.type === 'ident' && inToken.value === 'in') this.next();
    else this.error('Expected `in` in the `for` expression', this.tokenSpan(inToken));
    const collection = this.parseExpression();
    this.expect(':', '`:` after the `for` collection');
    let keyExpr: Expression | undefined;
    let valueExpr = this.parseExpression();
    let grouping = false;
    if (object) {
      keyExpr = valueExpr;
      if (this.expect('=>', '`=>` in the object `for` expression')) valueExpr = this.parseExpression();
      if (this.peek().type === '...') {
        this.next();
        grouping = true;
      }
    }
    let condition: Expression | undefined;
    const ifToken = this.peek();
    if (ifToken.type === 'ident' && ifToken.value === 'if') {
      this.next();
      condition = this.parseExpression();
    }
    const closeType = object ? '}' : ']';
    if (this.peek().type === closeType) this.next();
    else {
      this.error(`Expected \`${closeType}\` to close the \`for\` expression`, this.tokenSpan(this.peek()));
      while (!CLOSERS.has(this.peek().type) && this.peek().type !== 'eof') this.skipBalanced();
      if (this.peek().type === closeType) this.next();
    }
    return {
      kind: 'for',
      keyVar: names.length > 1 ? names[0] : undefined,
      valueVar: names.length > 1 ? names[1] : names[0] ?? '',
      collection, keyExpr, valueExpr, condition, grouping,
      span: { start: open.start, end: this.lastEnd() },
    };
  }

  // ---- templates

  private parseQuoted(): TemplateExpr {
    const open = this.next();
    const parts = this.withNewlines(false, () => this.parseTemplateParts(false));
    const close = this.tokens.at(this.pos);
    if (close.type === 'cquote') this.pos++;
    return { kind: 'template', parts, span: { start: open.start, end: this.lastEnd() } };
  }

  private parseHeredoc(): TemplateExpr {
    const open = this.next();
    const indented = this.text.charCodeAt(open.start + 2) === 45;
    const parts = this.withNewlines(false, () => this.parseTemplateParts(false));
    const close = this.tokens.at(this.pos);
    if (close.type === 'cheredoc') this.pos++;
    return { kind: 'template', parts, heredoc: { marker: open.value, indented }, span: { start: open.start, end: this.lastEnd() } };
  }

  /** Literals, interpolations and directives up to the template's end (or an else/endif/endfor). */
  parseTemplateParts(inDirective: boolean): TemplatePart[] {
    const parts: TemplatePart[] = [];
    for (;;) {
      const token = this.tokens.at(this.pos);
      if (token.type === 'lit') {
        this.pos++;
        parts.push({ kind: 'literal', value: token.value, span: { start: token.start, end: token.end } });
      } else if (token.type === 'interp') {
        this.pos++;
        const expr = this.withNewlines(true, () => this.parseExpression());
        this.closeSequence();
        parts.push({ kind: 'interpolation', expr, span: { start: token.start, end: this.lastEnd() } });
      } else if (token.type === 'directive') {
        const keyword = this.tokens.at(this.pos + 1);
        const word = keyword.type === 'ident' ? keyword.value : '';
        if (word === 'else' || word === 'endif' || word === 'endfor') {
          if (inDirective) return parts;
          this.error(`Unexpected %{${word}} without a matching %{${word === 'endfor' ? 'for' : 'if'}}`, { start: token.start, end: keyword.end });
          this.pos += 2;
          this.closeSequence();
        } else if (word === 'if' || word === 'for') {
          if (this.depth >= MAX_DEPTH) {
            this.error('Template directives are nested too deeply', { start: token.start, end: keyword.end });
            this.skipBalanced();
            continue;
          }
          this.depth++;
          parts.push(word === 'if' ? this.parseIfDirective(token) : this.parseForDirective(token));
          this.depth--;
        } else {
          this.error('Expected `if`, `for`, `else`, `endif` or `endfor` in the template directive', this.tokenSpan(keyword));
          this.skipBalanced();
        }
      } else return parts;
    }
  }

  /** Expects the `}` of `${…}` / `%{…}`; skips whatever is before it. */
  private closeSequence(): void {
    const token = this.withNewlines(true, () => this.peek());
    if (token.type === 'seqend') {
      this.pos++;
      return;
    }
    this.error(`Unexpected ${describe(token)}: expected \`}\` to close the template sequence`, this.tokenSpan(token));
    while (this.typeAt(this.pos) !== 'seqend' && this.typeAt(this.pos) !== 'eof') {
      const t = this.typeAt(this.pos);
      if (t === 'cquote' || t === 'cheredoc') return;
      this.skipBalanced();
    }
    if (this.typeAt(this.pos) === 'seqend') this.pos++;
  }

  private directiveKeyword(word: string): boolean {
    const token = this.tokens.at(this.pos);
    const keyword = this.tokens.at(this.pos + 1);
    if (token.type === 'directive' && keyword?.type === 'ident' && keyword.value === word) {
      this.pos += 2;
      this.closeSequence();
      return true;
    }
    return false;
  }

  private parseIfDirective(open: Token): TemplatePart {
    this.pos += 2;
    const condition = this.withNewlines(true, () => this.parseExpression());
    this.closeSequence();
    const then = this.parseTemplateParts(true);
    let elseParts: TemplatePart[] | undefined;
    if (this.directiveKeyword('else')) elseParts = this.parseTemplateParts(true);
    if (!this.directiveKeyword('endif')) this.error('Expected %{endif} to close %{if}', { start: open.start, end: open.end });
    return { kind: 'if', condition, then, else: elseParts, span: { start: open.start, end: this.lastEnd() } };
  }

  private parseForDirective(open: Token): TemplatePart {
    this.pos += 2;
    const names: string[] = [];
    let collection: Expression = { kind: 'invalid', span: { start: open.end, end: open.end } };
    this.withNewlines(true, () => {
      while (this.peek().type === 'ident' && this.peek().value !== 'in') {
        names.push(this.next().value);
        if (this.peek().type === ',') this.next();
      }
      if (this.peek().type === 'ident') this.next();
      else this.error('Expected `in` in the %{for} directive', this.tokenSpan(this.peek()));
      collection = this.parseExpression();
    });
    this.closeSequence();
    const body = this.parseTemplateParts(true);
    if (!this.directiveKeyword('endfor')) this.error('Expected %{endfor} to close %{for}', { start: open.start, end: open.end });
    return {
      kind: 'for',
      keyVar: names.length > 1 ? names[0] : undefined,
      valueVar: names.length > 1 ? names[1] : names[0] ?? '',
      collection, body,
      span: { start: open.start, end: this.lastEnd() },
    };
  }
}

function describe(token: Token): string {
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
