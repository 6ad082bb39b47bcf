// Templates: quoted strings and heredocs with `${…}` interpolations and `%{if}`/`%{for}`
// directives. Literal text, strip markers and heredoc indentation were settled by the lexer.
import type { Expression, TemplateExpr, TemplatePart } from './ast';
import { MAX_DEPTH, TokenCursor, describe } from './cursor';
import type { Token } from './lexer';

export abstract class TemplateParser extends TokenCursor {
  abstract parseExpression(): Expression;

  // ---- templates

  protected parseQuoted(): TemplateExpr {
    const open = this.next();
    const parts = this.withNewlines(false, () => this.parseTemplateParts(false));
    const close = this.tokens.at(this.pos);
    if (close.type === 'cquote') this.pos++;
    return { kind: 'template', parts, span: { start: open.start, end: this.lastEnd() } };
  }

  protected parseHeredoc(): TemplateExpr {
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
  protected closeSequence(): void {
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

  protected directiveKeyword(word: string): boolean {
    const token = this.tokens.at(this.pos);
    const keyword = this.tokens.at(this.pos + 1);
    if (token.type === 'directive' && keyword?.type === 'ident' && keyword.value === word) {
      this.pos += 2;
      this.closeSequence();
      return true;
    }
    return false;
  }

  protected parseIfDirective(open: Token): TemplatePart {
    this.pos += 2;
    const condition = this.withNewlines(true, () => this.parseExpression());
    this.closeSequence();
    const then = this.parseTemplateParts(true);
    let elseParts: TemplatePart[] | undefined;
    if (this.directiveKeyword('else')) elseParts = this.parseTemplateParts(true);
    if (!this.directiveKeyword('endif')) this.error('Expected %{endif} to close %{if}', { start: open.start, end: open.end });
    return { kind: 'if', condition, then, else: elseParts, span: { start: open.start, end: this.lastEnd() } };
  }

  protected parseForDirective(open: Token): TemplatePart {
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
