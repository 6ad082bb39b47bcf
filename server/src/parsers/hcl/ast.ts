// The HCL model: what the parser builds from `.tf`, `.tfvars` and `.tf.json` and what rules read.
// Every `span` is a half-open range of UTF-16 offsets into the original text.
import type { Span } from '../../core/span';

export interface HclFile {
  body: Body;
  /** Every comment in the file in source order, for suppressions and documentation. */
  comments: Comment[];
  span: Span;
}

export interface Comment {
  /** `#`, `//` or `/*`. */
  style: '#' | '//' | '/*';
  /** The comment's text without its markers (`#`, `//`, `/*`, `*\/`), untrimmed. */
  text: string;
  /** The whole comment, markers included, line break excluded. */
  span: Span;
}

/** Attributes and blocks in source order. */
export interface Body {
  items: BodyItem[];
  /** For a block: between its braces (exclusive). For a file: the whole text. */
  span: Span;
}

export type BodyItem = Attribute | Block;

export interface Attribute {
  kind: 'attribute';
  name: string;
  nameSpan: Span;
  expr: Expression;
  /** The value expression's range, the same as `expr.span`. */
  valueSpan: Span;
  /** From the name to the end of the value. */
  span: Span;
}

export interface Label {
  value: string;
  /** The label as written, quotes included. */
  span: Span;
  quoted: boolean;
}

export interface Block {
  kind: 'block';
  type: string;
  typeSpan: Span;
  labels: Label[];
  body: Body;
  openBraceSpan: Span;
  /** Missing when the block is not closed. */
  closeBraceSpan?: Span;
  /** From the type to the closing brace (or to the last item when unclosed). */
  span: Span;
}

export type Expression =
  | LiteralExpr
  | TemplateExpr
  | VariableExpr
  | GetAttrExpr
  | IndexExpr
  | SplatExpr
  | SplatItemExpr
  | CallExpr
  | TupleExpr
  | ObjectExpr
  | ForExpr
  | ConditionalExpr
  | UnaryExpr
  | BinaryExpr
  | ParensExpr
  | InvalidExpr;

/** A number, `true`, `false` or `null`. Strings are templates. */
export interface LiteralExpr {
  kind: 'literal';
  value: number | boolean | null;
  span: Span;
}

/** A quoted string or a heredoc. A plain string is a template with one literal part. */
export interface TemplateExpr {
  kind: 'template';
  parts: TemplatePart[];
  /** Set for `<<EOT` / `<<-EOT`. */
  heredoc?: { marker: string; indented: boolean };
  span: Span;
}

export type TemplatePart = TemplateLiteral | TemplateInterpolation | TemplateIf | TemplateFor;

export interface TemplateLiteral {
  kind: 'literal';
  /** Escapes decoded, strip markers and heredoc indentation applied. */
  value: string;
  /** The raw text it came from. */
  span: Span;
}

export interface TemplateInterpolation {
  kind: 'interpolation';
  expr: Expression;
  /** From `${` to `}`. */
  span: Span;
}

export interface TemplateIf {
  kind: 'if';
  condition: Expression;
  then: TemplatePart[];
  else?: TemplatePart[];
  span: Span;
}

export interface TemplateFor {
  kind: 'for';
  keyVar?: string;
  valueVar: string;
  collection: Expression;
  body: TemplatePart[];
  span: Span;
}

/** A bare name: `var`, `local`, `aws_s3_bucket`, a `for` variable. */
export interface VariableExpr {
  kind: 'variable';
  name: string;
  span: Span;
}

export interface GetAttrExpr {
  kind: 'getattr';
  object: Expression;
  name: string;
  nameSpan: Span;
  span: Span;
}

export interface IndexExpr {
  kind: 'index';
  collection: Expression;
  key: Expression;
  /** `foo.0` rather than `foo[0]`. */
  legacy: boolean;
  span: Span;
}

/** `src.*.name` (attribute-only) or `src[*].name[0]` (full). `each` is applied to every element. */
export interface SplatExpr {
  kind: 'splat';
  source: Expression;
  /** The traversal applied to each element, rooted at a `splatItem`; absent for a bare `[*]`. */
  each?: Expression;
  full: boolean;
  span: Span;
}

/** The element being visited inside a splat's `each`. */
export interface SplatItemExpr {
  kind: 'splatItem';
  span: Span;
}

export interface CallExpr {
  kind: 'call';
  /** The function's name without namespace: `lower`, `arn_parse`. */
  name: string;
  /** `['provider', 'aws']` for `provider::aws::arn_parse(...)`. */
  namespace: string[];
  /** The whole name, namespace included. */
  nameSpan: Span;
  args: Expression[];
  /** The last argument ends with `...`. */
  expandFinal: boolean;
  span: Span;
}

export interface TupleExpr {
  kind: 'tuple';
  items: Expression[];
  span: Span;
}

export interface ObjectItem {
  /** A bare identifier key is a `variable` expression that means its own name (see `objectKeyName`). */
  key: Expression;
  value: Expression;
  separator: '=' | ':';
  span: Span;
}

export interface ObjectExpr {
  kind: 'object';
  items: ObjectItem[];
  span: Span;
}

export interface ForExpr {
  kind: 'for';
  keyVar?: string;
  valueVar: string;
  collection: Expression;
  /** Present for the object form `{for … : k => v}`. */
  keyExpr?: Expression;
  valueExpr: Expression;
  condition?: Expression;
  /** `=> v...` groups values by key. */
  grouping: boolean;
  span: Span;
}

export interface ConditionalExpr {
  kind: 'conditional';
  condition: Expression;
  trueExpr: Expression;
  falseExpr: Expression;
  span: Span;
}

export type UnaryOp = '-' | '!';
export type BinaryOp = '||' | '&&' | '==' | '!=' | '<' | '>' | '<=' | '>=' | '+' | '-' | '*' | '/' | '%';

export interface UnaryExpr {
  kind: 'unary';
  op: UnaryOp;
  operand: Expression;
  span: Span;
}

export interface BinaryExpr {
  kind: 'binary';
  op: BinaryOp;
  left: Expression;
  right: Expression;
  span: Span;
}

export interface ParensExpr {
  kind: 'parens';
  expr: Expression;
  span: Span;
}

/** What the parser leaves where an expression could not be read; a parse error covers it. */
export interface InvalidExpr {
  kind: 'invalid';
  span: Span;
}
