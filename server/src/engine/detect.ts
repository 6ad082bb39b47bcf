// Which kind of document a file is, from its name (and the editor's language id when there is one).

export type DocumentKind = 'dockerfile' | 'terraform' | 'terraform-json';

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

export function baseName(path: string): string {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return path.slice(slash + 1);
}

export function detectKind(path: string, languageId?: string): DocumentKind | undefined {
  const name = baseName(path);
  const lower = name.toLowerCase();
  if (lower.endsWith('.tf.json') || lower.endsWith('.tfvars.json')) return 'terraform-json';
  if (lower.endsWith('.tf') || lower.endsWith('.tfvars')) return 'terraform';
  const named = DOCKERFILE_SUFFIX.test(name) || (DOCKERFILE_PREFIX.test(name) && !NOT_A_DOCKERFILE.test(name));
  // The editor's language id wins over the name: `Dockerfile.prod` set to Jinja is not checked.
  if (named && (languageId === undefined || DOCKERFILE_LANGUAGES.has(languageId))) return 'dockerfile';
  if (languageId === 'dockerfile') return 'dockerfile';
  if (languageId === 'terraform' || languageId === 'terraform-vars') return 'terraform';
  return undefined;
}

/** Comment syntax of each kind, for suppression comments and the edits that add them. */
export const LINE_COMMENT: Record<DocumentKind, string | undefined> = {
  dockerfile: '#',
  terraform: '#',
  'terraform-json': undefined,
};
