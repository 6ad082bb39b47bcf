// YAML files (Kubernetes manifests, compose files, CI configuration): every document of a stream,
// with its top-level `apiVersion` and `kind` read once. The syntax tree is the `yaml` package's,
// whose nodes carry UTF-16 source ranges. Never throws; aliases are never expanded.
import { isMap, isScalar, LineCounter, parseAllDocuments, type Document, type Node as YamlNode } from 'yaml';
import type { ParseError, Parsed, Span } from '../../core/span';

export interface YamlDocument {
  /** 0-based position in the stream. */
  index: number;
  /** From the document's first token to its end. */
  span: Span;
  /** Top-level `kind` and `apiVersion` when they are plain strings (Kubernetes manifests). */
  kind?: string;
  apiVersion?: string;
  /** The document's root node; null for an empty document. */
  root: YamlNode | null;
  document: Document.Parsed;
}

export interface YamlModel {
  documents: YamlDocument[];
}

/** Beyond this many errors per document the parser's own messages add nothing. */
const MAX_ERRORS_PER_DOCUMENT = 20;

function topLevelString(root: YamlNode | null, key: string): string | undefined {
  if (!isMap(root)) return undefined;
  const value = root.get(key, true);
  return isScalar(value) && typeof value.value === 'string' ? value.value : undefined;
}

/**
 * Deeper than this, the text is not handed to the `yaml` package: it recurses once per level, and
 * about a thousand levels of `{[{[…` (1 KB) bring Node near its stack limit, where V8 can fail to
 * compile a regular expression and end the process (found by fuzzing). No manifest nests a tenth
 * as deep.
 */
export const MAX_YAML_NESTING = 200;

/**
 * An upper bound of the nesting depth, in one pass: open flow collections (`[`, `{` outside quotes
 * and comments) plus the block levels that indentation opens (and `- ` entries sharing a line).
 * Returns the offset where it first exceeds `limit`, or -1.
 */
export function deepNestingAt(text: string, limit: number): number {
  const indents: number[] = [];
  let flow = 0;
  let i = 0;
  while (i < text.length) {
    // A line: its indentation opens or closes block levels (not inside a flow collection).
    let indent = 0;
    while (text[i + indent] === ' ') indent++;
    let j = i + indent;
    const blank = j >= text.length || text[j] === '\n' || text[j] === '\r' || text[j] === '#';
    if (!blank && flow === 0) {
      while (indents.length > 0 && indents[indents.length - 1] >= indent) indents.pop();
      indents.push(indent);
      while (text[j] === '-' && (text[j + 1] === ' ' || text[j + 1] === '\t')) {
        indents.push(++indent);
        j += 2;
        while (text[j] === ' ') j++;
      }
    }
    if (indents.length + flow > limit) return j;
    // The rest of the line: flow brackets outside quoted scalars and comments.
    let quote = '';
    for (; j < text.length && text[j] !== '\n'; j++) {
      const c = text[j];
      if (quote) {
        if (c === '\\' && quote === '"') j++;
        else if (c === quote) quote = '';
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '#' && (j === 0 || text[j - 1] === ' ' || text[j - 1] === '\t')) break;
      else if (c === '[' || c === '{') {
        if (indents.length + ++flow > limit) return j;
      } else if ((c === ']' || c === '}') && flow > 0) flow--;
    }
    while (j < text.length && text[j] !== '\n') j++;
    i = j + 1;
  }
  return -1;
}

export function parseYaml(text: string): Parsed<YamlModel> {
  const errors: ParseError[] = [];
  const documents: YamlDocument[] = [];
  const deep = deepNestingAt(text, MAX_YAML_NESTING);
  if (deep >= 0) {
    return { model: { documents }, errors: [{ message: `YAML nested more than ${MAX_YAML_NESTING} levels deep: not read`, span: { start: deep, end: Math.min(deep + 1, text.length) } }] };
  }
  let parsed: Document.Parsed[];
  try {
    parsed = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: false, lineCounter: new LineCounter() }) as Document.Parsed[];
  } catch (error) {
    // The yaml package does not throw on input; this guards the promise that parsers never do.
    return { model: { documents }, errors: [{ message: `YAML could not be read: ${(error as Error).message}`, span: { start: 0, end: 0 } }] };
  }
  if (!Array.isArray(parsed)) parsed = [];
  parsed.forEach((document, index) => {
    for (const error of document.errors.slice(0, MAX_ERRORS_PER_DOCUMENT)) {
      errors.push({ message: error.message.split('\n')[0], span: { start: error.pos[0], end: Math.max(error.pos[0], error.pos[1]) } });
    }
    const root = (document.contents as YamlNode | null) ?? null;
    const range = document.range ?? [0, 0, 0];
    documents.push({
      index,
      span: { start: range[0], end: range[2] ?? range[1] },
      kind: topLevelString(root, 'kind'),
      apiVersion: topLevelString(root, 'apiVersion'),
      root,
      document,
    });
  });
  return { model: { documents }, errors };
}

/**
 * Go template actions as Helm charts write them: `{{ .Values.x }}`, `{{- include "x" . }}`,
 * `{{ if … }}`, `{{ end }}`. Not `{{ $labels.instance }}` in an alerting rule's text, which is a
 * value of a real manifest.
 */
const HELM_ACTION = /\{\{-?[ \t]*(?:[^}\n]{0,200}\.(?:Values|Release|Chart|Capabilities|Files|Template)\b|(?:if|else|end|range|with|define|include|template|toYaml|tpl|required)\b)/;

/**
 * Whether the text looks like a Kubernetes manifest: some document has top-level `apiVersion` and
 * `kind`, and it is not a Helm template (which is YAML only once rendered).
 */
export function looksLikeKubernetes(text: string): boolean {
  return /^apiVersion:\s*\S/m.test(text) && /^kind:\s*\S/m.test(text) && !HELM_ACTION.test(text);
}
