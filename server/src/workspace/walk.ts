// Walking a workspace folder for the files Fourfold checks: nested `.gitignore` files, exclude
// globs and the folders no one wants scanned are pruned as early as possible, so a scan of a big
// tree costs one readdir per folder that can hold such files and nothing more.
//
// The disk may change under the walk and may be hostile: a folder that vanishes or cannot be read,
// a name that is not UTF-8, a FIFO, a symbolic link that loops or leads out of the workspace.
// None of these stops the walk, and each is reported (`onSkip`) with its reason. Symbolic links
// are followed once, after the tree itself, and only to what lies inside the workspace: a file or
// folder reached both directly and through a link is walked once, under its own path.
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
  /** Hears every file or folder the walk could not take, with why (never called for ignored or excluded ones). */
  onSkip?: (absPath: string, reason: string) => void;
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
  return globs.length > 0 && excludedPathMatcher(globs)(relPath);
}

/** `isExcluded` with the globs compiled once, for a caller that asks about many paths. */
export function excludedPathMatcher(globs: readonly string[]): ExcludeMatcher {
  const match = excludeMatcher(globs);
  return (relPath) => {
    const parts = relPath.split('/');
    for (let i = 1; i <= parts.length; i++) {
      if (match(parts.slice(0, i).join('/'))) return true;
    }
    return false;
  };
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

/** Whether `file` is `folder` or lies below it (paths as given, no links resolved). */
export function isInside(folder: string, file: string): boolean {
  const rel = path.relative(folder, file);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** Why a file system call failed, for people: the error code and what it most likely means. */
export function fsReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  const hint: Record<string, string> = {
    ENOENT: 'gone: deleted while the scan ran?',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    ENOTDIR: 'no longer a folder',
    ELOOP: 'symbolic link loop',
    EISDIR: 'a folder now',
  };
  if (!code) return `cannot be read (${error instanceof Error ? error.message : String(error)})`;
  return hint[code] ? `cannot be read (${code}: ${hint[code]})` : `cannot be read (${code})`;
}

function realpath(p: string): string | undefined {
  try {
    return fs.realpathSync(p);
  } catch {
    return undefined;
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Names in a folder listing that are not valid UTF-8 (Node shows them with U+FFFD). */
function invalidNames(absDir: string, entries: fs.Dirent[]): Set<string> {
  const out = new Set<string>();
  if (!entries.some((e) => e.name.includes('\uFFFD'))) return out;
  let raw: Buffer[];
  try {
    raw = fs.readdirSync(absDir, { encoding: 'buffer' });
  } catch {
    return out;
  }
  for (const name of raw) {
    try {
      UTF8.decode(name);
    } catch {
      out.add(name.toString('utf8'));
    }
  }
  return out;
}

/**
 * Yields every file under `root` that `accept` takes (all by default), in a stable order (names
 * sorted, files reached through symbolic links last), skipping ignored and excluded files and
 * folders. Stops early when `signal` aborts. Never throws for what is on disk.
 */
export async function* walkWorkspace(root: string, options: WalkOptions): AsyncGenerator<WalkedFile> {
  const absRoot = path.resolve(root);
  const base = path.resolve(options.base ?? absRoot);
  const excluded = excludeMatcher(options.exclude);
  const accept = options.accept ?? (() => true);
  const skip = (absPath: string, reason: string) => options.onSkip?.(absPath, reason);

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

  /** The workspace as it really is on disk: links may lead anywhere inside it, nowhere outside. */
  const boundary = realpath(base) ?? base;
  const shown = (real: string) => toSlashes(path.relative(boundary, real)) || '.';
  /** Real paths of the folders listed and the files yielded: what a link must not lead to again. */
  const visitedDirs = new Set<string>();
  const yielded = new Set<string>();
  /** Symbolic links met, followed once the tree itself is done. */
  const links: { absPath: string; relPath: string; name: string; layers: IgnoreLayer[] }[] = [];

  /** A folder being listed: its sorted entries, how far the walk got, and the .gitignore rules in force. */
  interface Frame {
    absDir: string;
    /** Where the folder really is (links resolved). */
    realDir: string;
    relDir: string;
    entries: fs.Dirent[];
    invalid: Set<string>;
    next: number;
    layers: IgnoreLayer[];
  }
  // Folders are listed synchronously (twice as fast as fs.promises on big trees, where the
  // thread pool round trips dominate); the event loop gets a turn every few folders so that
  // cancellation and other requests are still heard while a tree without matches is walked.
  let listed = 0;
  const open = async (absDir: string, realDir: string, relDir: string, inherited: IgnoreLayer[]): Promise<Frame | undefined> => {
    if (++listed % 64 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(absDir, { withFileTypes: true });
    } catch (error) {
      skip(absDir, `folder ${fsReason(error)}`);
      return undefined;
    }
    visitedDirs.add(realDir);
    const own = entries.some((e) => e.name === '.gitignore') ? readIgnoreFile(absDir) : undefined;
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { absDir, realDir, relDir, entries, invalid: invalidNames(absDir, entries), next: 0, layers: own ? [...inherited, { dir: relDir, rules: own }] : inherited };
  };

  // One generator and an explicit stack: a file costs one yield however deep it lies.
  async function* walkTree(first: Frame | undefined): AsyncGenerator<WalkedFile> {
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
      const absPath = path.join(frame.absDir, entry.name);
      if (frame.invalid.has(entry.name)) {
        skip(absPath, 'the name is not valid UTF-8');
        continue;
      }
      if (entry.isSymbolicLink()) {
        links.push({ absPath, relPath, name: entry.name, layers: frame.layers });
      } else if (entry.isDirectory()) {
        if (ALWAYS_SKIPPED.has(entry.name) || excluded(relPath) || ignoredBy(frame.layers, relPath, true)) continue;
        const child = await open(absPath, path.join(frame.realDir, entry.name), relPath, frame.layers);
        if (child) stack.push(child);
      } else if (entry.isFile()) {
        if (!accept(entry.name) || excluded(relPath) || ignoredBy(frame.layers, relPath, false)) continue;
        yielded.add(path.join(frame.realDir, entry.name));
        yield { absPath, relPath };
      } else if (accept(entry.name) && !excluded(relPath) && !ignoredBy(frame.layers, relPath, false)) {
        skip(absPath, 'not a regular file (a FIFO, socket or device)');
      }
    }
  }

  const rootReal = realpath(absRoot) ?? absRoot;
  yield* walkTree(await open(absRoot, rootReal, rootRel, layers));

  // Links, once: to a file or folder inside the workspace not walked already. Folders reached
  // this way may hold more links; they join the end of the list.
  for (let i = 0; i < links.length; i++) {
    if (options.signal?.aborted) return;
    const link = links[i];
    let target: string;
    let stat: fs.Stats;
    try {
      target = fs.realpathSync(link.absPath);
      stat = fs.statSync(target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      skip(link.absPath, code === 'ELOOP' ? 'symbolic link loop' : code === 'ENOENT' ? 'symbolic link to nothing (broken)' : `symbolic link: ${fsReason(error)}`);
      continue;
    }
    const isDir = stat.isDirectory();
    if (isDir ? ALWAYS_SKIPPED.has(link.name) || excluded(link.relPath) || ignoredBy(link.layers, link.relPath, true) : !accept(link.name) || excluded(link.relPath) || ignoredBy(link.layers, link.relPath, false)) continue;
    if (!isInside(boundary, target)) {
      skip(link.absPath, 'symbolic link to outside the workspace');
      continue;
    }
    if (isDir) {
      if (visitedDirs.has(target)) {
        skip(link.absPath, isInside(target, realpath(path.dirname(link.absPath)) ?? path.dirname(link.absPath)) ? `symbolic link loop (to ${shown(target)}, which holds it)` : `symbolic link to ${shown(target)}, scanned already`);
        continue;
      }
      yield* walkTree(await open(link.absPath, target, link.relPath, link.layers));
    } else if (stat.isFile()) {
      if (yielded.has(target)) {
        skip(link.absPath, `symbolic link to ${shown(target)}, scanned already`);
        continue;
      }
      yielded.add(target);
      yield { absPath: link.absPath, relPath: link.relPath };
    } else skip(link.absPath, 'symbolic link to something that is not a regular file');
  }
}
