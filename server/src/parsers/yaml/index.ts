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

export function parseYaml(text: string): Parsed<YamlModel> {
  const errors: ParseError[] = [];
  const documents: YamlDocument[] = [];
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
