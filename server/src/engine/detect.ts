// Which kind of document a file is, from its name (and the editor's language id when there is one).

export type DocumentKind = 'dockerfile' | 'terraform' | 'terraform-json';

/** `Dockerfile.md` and friends sit beside Dockerfiles but are not ones. */
const NOT_A_DOCKERFILE = /\.(?:md|txt|json|ya?ml|sh|ps1|lock|png|svg)$/i;
const DOCKERFILE_NAME = /^(?:dockerfile|containerfile)(?:[.-].*)?$|\.(?:dockerfile|containerfile)$/i;

export function baseName(path: string): string {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return path.slice(slash + 1);
}

export function detectKind(path: string, languageId?: string): DocumentKind | undefined {
  const name = baseName(path);
  const lower = name.toLowerCase();
  if (lower.endsWith('.tf.json') || lower.endsWith('.tfvars.json')) return 'terraform-json';
  if (lower.endsWith('.tf') || lower.endsWith('.tfvars')) return 'terraform';
  if (DOCKERFILE_NAME.test(name) && !NOT_A_DOCKERFILE.test(name)) return 'dockerfile';
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
