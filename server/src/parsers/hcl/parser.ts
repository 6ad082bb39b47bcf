// The HCL native-syntax parser: tokens -> model, recursive descent, never throws.
// This file reads the structure (bodies, attributes, blocks); expressions.ts and templates.ts read
// values. Recovery: a broken attribute or block header skips to the end of its line (brackets
// balanced); a missing `}` is noticed at the next top-level keyword in column 0 or at the end.
import type { ParseError } from '../../core/span';
import type { Attribute, Block, Body, BodyItem, HclFile, Label, TemplateExpr } from './ast';
import { MAX_DEPTH, describe } from './cursor';
import { ExpressionParser } from './expressions';
import { lex, type Token } from './lexer';

const TOP_LEVEL = new Set([
  'resource', 'data', 'module', 'variable', 'output', 'locals', 'provider', 'terraform', 'moved', 'import',
  'check', 'removed',
]);

export function parseNative(text: string): { file: HclFile; errors: ParseError[] } {
  const lexed = lex(text);
  const parser = new Parser(text, lexed.tokens, lexed.errors);
  const body = parser.parseBody(null, 0, text.length);
  // Lexical and syntax errors in the order they appear in the file.
  const errors = parser.errors.sort((a, b) => a.span.start - b.span.start);
  return { file: { body, comments: lexed.comments, span: { start: 0, end: text.length } }, errors };
}

/** A template without quotes (the inside of a JSON string), its spans offset into `text`. */
export function parseBareTemplate(text: string, start: number, end: number): { expr: TemplateExpr; errors: ParseError[] } {
  const lexed = lex(text, { bare: true, start, end });
  const parser = new Parser(text, lexed.tokens, lexed.errors);
  const parts = parser.parseTemplateParts(false);
  return { expr: { kind: 'template', parts, span: { start, end } }, errors: parser.errors };
}

class Parser extends ExpressionParser {
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
    return { items, span: { start, end: nested ? this.tokens.start(this.pos) : end } };
  }

  protected looksLikeBlock(): boolean {
    for (let i = this.pos + 1; i < this.tokens.length; i++) {
      const t = this.typeAt(i);
      if (t === '{') return true;
      if (t === 'ident' || t === 'lit' || t === 'oquote' || t === 'cquote') continue;
      return false;
    }
    return false;
  }

  protected parseItem(): BodyItem | undefined {
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
  protected endOfItem(): void {
    const token = this.tokens.at(this.pos);
    if (token.type === 'nl' || token.type === 'eof' || token.type === '}') return;
    // Recovery from an unclosed bracket stopped at the start of a new line.
    if (this.pos > 0 && this.typeAt(this.pos - 1) === 'nl') return;
    this.error(`Unexpected ${describe(token)}: expected a line break`, this.tokenSpan(token));
    this.skipLine();
  }

  protected parseBlock(type: Token): Block {
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
}
