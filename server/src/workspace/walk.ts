// Walking a workspace folder for the files Fourfold checks: nested `.gitignore` files, exclude
// globs and the folders no one wants scanned are pruned as early as possible, so a scan of a big
// tree costs one readdir per folder that can hold such files and nothing more.
import fs from 'node:fs';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';

/** Folders never worth descending into: dependencies, VCS data, tool caches. */
export const ALWAYS_SKIPPED = new Set(['node_modules', '.git', '.hg', '.svn', '.terraform', '.venv', '__pycache__']);


export interface WalkOptions {
  /** Globs relative to `base` (picomatch, dot files included); a glob matching a folder prunes it. */
  exclude: readonly string[];
  /**
   * The folder `relPath`s, globs and `.gitignore` files are relative to; defaults to `root`.
   * When `root` lies below it, the `.gitignore` files between them apply too.
   */
  base?: string;
  signal?: AbortSignal;
  /** Accepted for symmetry with the scan; sizes are checked when a file is read. */
  maxFileSizeKb?: number;
  /** Which file names to yield; every file by default (every text file reaches the secret rules). */
  accept?: (name: string) => boolean;
}

export interface WalkedFile {
  absPath: string;
  /** Relative to the walk's base, with forward slashes. */
  relPath: string;
}

export type ExcludeMatcher = (relPath: string) => boolean;

/** One matcher for a list of globs; an empty list matches nothing. */
export function excludeMatcher(globs: readonly string[]): ExcludeMatcher {
  const cleaned = globs.map((g) => g.trim().replace(/^\.\//, '')).filter(Boolean);
  if (cleaned.length === 0) return () => false;
  const match = picomatch(cleaned, { dot: true });
  return (relPath) => match(relPath);
}

/**
 * Whether a workspace-relative path (forward slashes) is excluded by the globs, itself or through a
 * folder above it (the walk prunes such folders, so `legacy` excludes `legacy/Dockerfile`).
 */
export function isExcluded(relPath: string, globs: readonly string[]): boolean {
  if (globs.length === 0) return false;
  const match = excludeMatcher(globs);
  const parts = relPath.split('/');
  for (let i = 1; i <= parts.length; i++) {
    if (match(parts.slice(0, i).join('/'))) return true;
  }
  return false;
}

/** The `.gitignore` rules of one folder; patterns in it are relative to that folder. */
interface IgnoreLayer {
  /** Folder relative to base, '' for base itself. */
  dir: string;
  rules: Ignore;
}

function readIgnoreFile(absDir: string, name = '.gitignore'): Ignore | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(absDir, name), 'utf8');
  } catch {
    return undefined;
  }
  return ignore({ allowRelativePaths: true }).add(text);
}

function ignoredBy(layers: readonly IgnoreLayer[], relPath: string, isDir: boolean): boolean {
  // Later (deeper) files win, as in git: a negation in a nested .gitignore re-includes.
  let ignored = false;
  for (const layer of layers) {
    const local = layer.dir ? relPath.slice(layer.dir.length + 1) : relPath;
    const result = layer.rules.test(isDir ? `${local}/` : local);
    if (result.ignored) ignored = true;
    else if (result.unignored) ignored = false;
  }
  return ignored;
}

const toSlashes = (p: string) => p.split(path.sep).join('/');

/**
 * Yields every file under `root` that `accept` takes (all by default), in a stable order
 * (names sorted), skipping ignored and excluded files and folders. Directory symlinks are not
 * followed (loops); file symlinks are. Unreadable folders are skipped silently. Stops early when
 * `signal` aborts.
 */
export async function* walkWorkspace(root: string, options: WalkOptions): AsyncGenerator<WalkedFile> {
  const absRoot = path.resolve(root);
  const base = path.resolve(options.base ?? absRoot);
  const excluded = excludeMatcher(options.exclude);
  const accept = options.accept ?? (() => true);

  // .gitignore files from base down to root (root's own is read when the walk enters it).
  const layers: IgnoreLayer[] = [];
  const gitInfo = readIgnoreFile(path.join(base, '.git', 'info'), 'exclude');
  if (gitInfo) layers.push({ dir: '', rules: gitInfo });
  const rootRel = toSlashes(path.relative(base, absRoot));
  if (rootRel.startsWith('..') || path.isAbsolute(rootRel)) {
    // root outside base: walk it on its own terms
    yield* walkWorkspace(absRoot, { ...options, base: absRoot });
    return;
  }
  if (rootRel) {
    const parts = rootRel.split('/');
    for (let i = 0; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      const rules = readIgnoreFile(path.join(base, dir));
      if (rules) layers.push({ dir, rules });
    }
  }

  /** A folder being listed: its sorted entries, how far the walk got, and the .gitignore rules in force. */
  interface Frame {
    absDir: string;
    relDir: string;
    entries: fs.Dirent[];
    next: number;
    layers: IgnoreLayer[];
  }
  // Folders are listed synchronously (twice as fast as fs.promises on big trees, where the
  // thread pool round trips dominate); the event loop gets a turn every few folders so that
  // cancellation and other requests are still heard while a tree without matches is walked.
  let listed = 0;
  const open = async (absDir: string, relDir: string, inherited: IgnoreLayer[]): Promise<Frame | undefined> => {
    if (++listed % 64 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(absDir, { withFileTypes: true });
    } catch {
      return undefined; // unreadable: skipped
    }
    const own = entries.some((e) => e.name === '.gitignore') ? readIgnoreFile(absDir) : undefined;
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { absDir, relDir, entries, next: 0, layers: own ? [...inherited, { dir: relDir, rules: own }] : inherited };
  };

  // One generator and an explicit stack: a file costs one yield however deep it lies.
  const first = await open(absRoot, rootRel, layers);
  const stack: Frame[] = first ? [first] : [];
  while (stack.length > 0) {
    if (options.signal?.aborted) return;
    const frame = stack[stack.length - 1];
    if (frame.next >= frame.entries.length) {
      stack.pop();
      continue;
    }
    const entry = frame.entries[frame.next++];
    const relPath = frame.relDir ? `${frame.relDir}/${entry.name}` : entry.name;
    let isDir = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      // Follow links to files only; a link to a folder may loop.
      isDir = false;
      isFile = accept(entry.name) && (await fs.promises.stat(path.join(frame.absDir, entry.name)).then((st) => st.isFile(), () => false));
    }
    if (isDir) {
      if (ALWAYS_SKIPPED.has(entry.name) || excluded(relPath) || ignoredBy(frame.layers, relPath, true)) continue;
      const child = await open(path.join(frame.absDir, entry.name), relPath, frame.layers);
      if (child) stack.push(child);
    } else if (isFile) {
      if (!accept(entry.name) || excluded(relPath) || ignoredBy(frame.layers, relPath, false)) continue;
      yield { absPath: path.join(frame.absDir, entry.name), relPath };
    }
  }
}
