// HCL expressions: operators with HCL's precedence, conditionals, terms with attribute access,
// indexes and splats, function calls, tuples, objects and `for` expressions.
import type { BinaryOp, Expression, ObjectItem } from './ast';
import { CLOSERS, MAX_DEPTH, describe } from './cursor';
import type { Token, TokenType } from './lexer';
import { TemplateParser } from './templates';

const PRECEDENCE: Partial<Record<TokenType, number>> = {
  '||': 1, '&&': 2, '==': 3, '!=': 3, '<': 4, '>': 4, '<=': 4, '>=': 4, '+': 5, '-': 5, '*': 6, '/': 6, '%': 6,
};

export class ExpressionParser extends TemplateParser {
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
      this.skipNewlines();
      const falseExpr = this.parseExpression();
      return { kind: 'conditional', condition, trueExpr, falseExpr, span: { start: condition.span.start, end: falseExpr.span.end } };
    } finally {
      this.depth--;
    }
  }

  /** Lenient: a line break right before `:` or after an operator does not end the expression. */
  protected skipOptionalNewlines(): void {
    let i = this.pos;
    while (this.typeAt(i) === 'nl') i++;
    if (i !== this.pos && this.typeAt(i) === ':') this.pos = i;
  }

  protected parseBinary(minPrec: number): Expression {
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

  protected parseUnary(): Expression {
    const ops: Token[] = [];
    while (this.peek().type === '-' || this.peek().type === '!') ops.push(this.next());
    let expr = this.parseTerm();
    for (let i = ops.length - 1; i >= 0; i--) {
      expr = { kind: 'unary', op: ops[i].type as '-' | '!', operand: expr, span: { start: ops[i].start, end: expr.span.end } };
    }
    return expr;
  }

  protected parseTerm(): Expression {
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
  protected parseSplat(source: Expression, full: boolean, splatEnd: number): Expression {
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

  protected parsePrimary(): Expression {
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

  protected parseIdentifier(): Expression {
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
      this.tokens.start(this.pos) === fn.end && this.typeAt(this.pos + 2) === 'ident'
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

  protected parseCall(first: Token, fn: Token, namespace: string[]): Expression {
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

  protected parseTuple(): Expression {
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

  protected parseObject(): Expression {
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
  protected parseFor(open: Token, object: boolean): Expression {
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

}
