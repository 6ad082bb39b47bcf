// The one language table: how a file's kind is detected, which parser builds its model, its comment
// syntax and suppression units, and what the editor should send us. The client's document
// selector, the file watchers, the activation events and the README's file list come from here.
import type { Span } from '../core/span';
import type { LineIndex } from '../core/text';
import { parseDockerfile } from '../parsers/dockerfile';
import { parseHcl, type Body } from '../parsers/hcl';
import { looksLikeKubernetes, parseYaml } from '../parsers/yaml';
import type { Models, ModelKind, Nodes } from './api';

/** Document kinds: what a file is. Several kinds can share a model (a manifest and other YAML). */
export type DocumentKind = 'dockerfile' | 'terraform' | 'terraform-json' | 'kubernetes' | 'yaml' | 'text';

export interface Language<K extends ModelKind = ModelKind> {
  kind: DocumentKind;
  model: K;
  /** For people: "Dockerfile", "Terraform". */
  label: string;
  /** Editor language ids that are this kind whatever the file's name. */
  languageIds: readonly string[];
  /** Workspace globs of files of this kind, for the editor's selector and watchers. */
  patterns: readonly string[];
  /** Line comment that starts a `fourfold-ignore`; undefined for formats without comments. */
  comment?: string;
  /** Parse errors are reported for this kind (not for YAML that is not a manifest, e.g. Helm templates). */
  reportsParseErrors: boolean;
  parse(text: string): { model: Models[K]; errors: { message: string; span: Span }[] };
  /** Statements a suppression comment right above them covers. */
  units(model: Models[K], text: string): Span[];
  /** Where file-wide comments may be inserted: after lines that must come first. */
  headerEnd(model: Models[K], lines: LineIndex): number;
  /** The nodes rules may visit, by target name (see `Nodes` in the API). */
  targets(model: Models[K]): Map<string, Nodes[K][]>;
}

/** `Dockerfile.*`, `Dockerfile-*` (`Dockerfile.prod`, `Dockerfile-dev`), and `*.dockerfile`, in any case. */
const DOCKERFILE_PREFIX = /^(?:dockerfile|containerfile)(?:[.-].*)?$/i;
const DOCKERFILE_SUFFIX = /\.(?:dockerfile|containerfile)$/i;
/**
 * Files that match `Dockerfile.*` / `Dockerfile-*` by name but are documents, data, source code or
 * templates that only become a Dockerfile once rendered: `Dockerfile.md`, `dockerfile-parser.test.ts`,
 * `Dockerfile.go`, `Dockerfile-linux.template` (docker-library's jq templates), `Dockerfile.j2`.
 */
const NOT_A_DOCKERFILE =
  /\.(?:md|txt|rst|json|ya?ml|toml|ini|cfg|conf|lock|sh|ps1|bat|png|jpe?g|svg|[cm]?[jt]sx?|go|py|rb|rs|java|kts?|cs|php|swift|c|h|cc|cpp|hpp|scala|groovy|pl|lua|html?|css|scss|xml|diff|patch|log|gz|tgz|zip|tar|jar|template|tmpl|tpl|gotmpl|j2|jinja2?|erb|mustache|hbs|in)$/i;
/** Editor language ids under which a `Dockerfile*` name is still a Dockerfile. */
const DOCKERFILE_LANGUAGES = new Set(['dockerfile', 'plaintext']);

function grouped<N>(items: Iterable<N>, keysOf: (node: N) => string[]): Map<string, N[]> {
  const out = new Map<string, N[]>();
  for (const item of items) {
    for (const key of keysOf(item)) {
      let list = out.get(key);
      if (!list) out.set(key, (list = []));
      list.push(item);
    }
  }
  return out;
}

/** Blocks and attributes, nested ones included: what a suppression comment above them covers. */
function hclUnits(body: Body, out: Span[] = []): Span[] {
  const stack: Body[] = [body];
  while (stack.length) {
    for (const item of stack.pop()!.items) {
      out.push(item.span);
      if (item.kind === 'block') stack.push(item.body);
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

function hcl(json: boolean): Pick<Language<'hcl'>, 'model' | 'parse' | 'units' | 'headerEnd' | 'targets' | 'reportsParseErrors'> {
  return {
    model: 'hcl',
    reportsParseErrors: true,
    parse: (text) => parseHcl(text, { json }),
    units: (model) => hclUnits(model.body),
    headerEnd: () => 0,
    targets: (model) =>
      grouped(
        model.body.items.filter((item) => item.kind === 'block'),
        (block) => (block.labels[0] ? [block.type, `${block.type}.${block.labels[0].value}`] : [block.type]),
      ),
  };
}

const YAML_NAME = /\.ya?ml$/i;

function yaml(kind: 'kubernetes' | 'yaml', label: string): Language<'yaml'> {
  return {
    kind,
    model: 'yaml',
    label,
    // Which of the two a `yaml` document is depends on its content (see detectKind).
    languageIds: kind === 'yaml' ? ['yaml'] : [],
    patterns: ['**/*.yaml', '**/*.yml'],
    comment: '#',
    // Helm templates and other YAML with template syntax do not parse until rendered.
    reportsParseErrors: kind === 'kubernetes',
    parse: parseYaml,
    units: (model) => model.documents.map((d) => d.span),
    headerEnd: () => 0,
    targets: (model) => grouped(model.documents, (d) => (d.kind ? [d.kind] : [])),
  };
}

export const LANGUAGES: readonly Language[] = [
  {
    kind: 'dockerfile',
    model: 'dockerfile',
    label: 'Dockerfile',
    languageIds: ['dockerfile'],
    patterns: ['**/Dockerfile*', '**/dockerfile*', '**/Containerfile*', '**/containerfile*', '**/*.dockerfile', '**/*.Dockerfile', '**/*.containerfile'],
    comment: '#',
    reportsParseErrors: true,
    parse: parseDockerfile,
    units: (model) => model.instructions.map((i) => i.span),
    headerEnd(model, lines) {
      const lastDirective = model.directives.at(-1);
      if (!lastDirective) return 0;
      const line = lines.position(lastDirective.span.end).line;
      return line + 1 < lines.lineCount ? lines.lineStart(line + 1) : lines.text.length;
    },
    targets: (model) => grouped(model.instructions, (i) => [i.keyword]),
  } satisfies Language<'dockerfile'>,
  { kind: 'terraform', label: 'Terraform', languageIds: ['terraform', 'terraform-vars'], patterns: ['**/*.tf', '**/*.tfvars'], comment: '#', ...hcl(false) },
  { kind: 'terraform-json', label: 'Terraform JSON', languageIds: [], patterns: ['**/*.tf.json', '**/*.tfvars.json'], ...hcl(true) },
  yaml('kubernetes', 'Kubernetes manifest'),
  yaml('yaml', 'YAML'),
  {
    kind: 'text',
    model: 'text',
    label: 'text',
    languageIds: [],
    patterns: ['**/*'],
    reportsParseErrors: false,
    parse: (text) => ({ model: text, errors: [] }),
    units: () => [],
    headerEnd: () => 0,
    targets: () => new Map(),
  } satisfies Language<'text'>,
];

const BY_KIND = new Map(LANGUAGES.map((l) => [l.kind, l]));

export function languageOf(kind: DocumentKind): Language {
  return BY_KIND.get(kind)!;
}

/** Comment syntax for suppressions in files of no parsed kind, by extension (secrets in any file). */
const TEXT_COMMENTS: [RegExp, string][] = [
  [/\.(?:[cm]?[jt]sx?|go|java|kts?|cs|c|h|cc|cpp|hpp|rs|swift|scala|groovy|php|dart|proto)$/i, '//'],
  [/(?:^|\/)(?:\.env(?:\..*)?|[^/]*\.(?:sh|bash|zsh|py|rb|pl|r|toml|ini|cfg|conf|properties|tfstate|env|ps1|mk)|Makefile|Gemfile|Procfile|requirements[^/]*\.txt)$/i, '#'],
  [/\.sql$/i, '--'],
];

/** The line comment of a file, by its kind and, for text files, its name. */
export function commentSyntax(kind: DocumentKind, path: string): string | undefined {
  if (kind !== 'text') return languageOf(kind).comment;
  return TEXT_COMMENTS.find(([pattern]) => pattern.test(path))?.[1];
}

export function baseName(path: string): string {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return path.slice(slash + 1);
}

/**
 * What a file is, from its name, the editor's language id and (for YAML) its content. Every file
 * is at least `text`: the secret rules read every text file. Undefined only for names that are
 * known to be something we never read (none today).
 */
export function detectKind(path: string, languageId?: string, text?: string): DocumentKind {
  const name = baseName(path);
  const lower = name.toLowerCase();
  if (lower.endsWith('.tf.json') || lower.endsWith('.tfvars.json')) return 'terraform-json';
  if (lower.endsWith('.tf') || lower.endsWith('.tfvars')) return 'terraform';
  const named = DOCKERFILE_SUFFIX.test(name) || (DOCKERFILE_PREFIX.test(name) && !NOT_A_DOCKERFILE.test(name));
  // The editor's language id wins over the name: `Dockerfile.prod` set to Jinja is not checked as one.
  if (named && (languageId === undefined || DOCKERFILE_LANGUAGES.has(languageId))) return 'dockerfile';
  if (YAML_NAME.test(name) || languageId === 'yaml') return text !== undefined && looksLikeKubernetes(text) ? 'kubernetes' : 'yaml';
  for (const language of LANGUAGES) if (languageId && language.languageIds.includes(languageId)) return language.kind;
  return 'text';
}

/** Whether a file name alone says it is of a parsed kind (not just text): what the walk looks at first. */
export function isParsedKindName(name: string): boolean {
  return detectKind(name) !== 'text';
}
