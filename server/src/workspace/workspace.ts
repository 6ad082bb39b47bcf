// The project model of one configuration root: its engine (configuration and baseline), the
// workspace index of per-file summaries, the texts the editor holds open, and the ProjectView that
// rules read. The editor, the workspace scan and the CLI all check files through it, so they agree.
import fs from 'node:fs';
import path from 'node:path';
import type { ModelKind, ProjectView, Summary, UnitFile } from '../engine/api';
import { Analysis, type Snapshot } from '../engine/analysis';
import type { CheckOptions, CheckResult, Engine } from '../engine/engine';
import { detectKind, isParsedKindName, languageOf } from '../engine/languages';
import { readSourceFile } from './project';
import { excludedPathMatcher, isInside, walkWorkspace } from './walk';

/** What the workspace index keeps of one file: a content hash and the summaries rules asked for. */
interface IndexEntry {
  hash: string;
  summaries: Map<string, unknown>;
}

/** 32-bit FNV-1a of the text and its length: enough to tell "the same file" across edits. */
export function contentHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return `${(hash >>> 0).toString(16)}:${text.length}`;
}

const toSlashes = (p: string) => p.split(path.sep).join('/');


/** The folder part of a relative path, '' at the root. */
export function folderOf(relPath: string): string {
  const slash = relPath.lastIndexOf('/');
  return slash < 0 ? '' : relPath.slice(0, slash);
}

/** Kinds whose files form one unit per folder (a Terraform module). */
const UNIT_KINDS = new Set(['terraform', 'terraform-json']);

/** How many parsed unit members are kept for the next keystroke. */
const PARSE_CACHE_SIZE = 64;

export class Workspace {
  /** Per-file summaries by relative path. */
  private readonly index = new Map<string, IndexEntry>();
  /** Texts the editor holds open, by relative path: they win over the disk. */
  private readonly overlay = new Map<string, string>();
  /** Recently parsed unit members, by path and content hash (a small LRU in insertion order). */
  private readonly parses = new Map<string, { hash: string; analysis: Analysis }>();
  /**
   * Each summary's files, as of a generation: built once and shared by every check until some
   * summary changes (a scan's second pass asks for them once per file).
   */
  private readonly summaryMaps = new Map<string, { generation: number; files: ReadonlyMap<string, unknown> }>();
  /** Folder listings held during a scan (see `holdListings`). */
  private listings?: Map<string, string[]>;
  private readonly excluded: (relPath: string) => boolean;
  /** Whether the index holds every file of the workspace (after `buildIndex`). */
  indexed = false;
  /** Goes up whenever some file's summaries change: the files that read them need a new check. */
  generation = 0;

  constructor(
    /** Absolute folder; '' for files outside every folder (then nothing is read from disk). */
    readonly root: string,
    readonly engine: Engine,
    readonly extraExcludes: readonly string[] = [],
  ) {
    this.excluded = excludedPathMatcher([...engine.getConfig().exclude, ...extraExcludes]);
  }

  /** Whether configuration excludes this relative path (itself or a folder above it). */
  isExcluded(relPath: string): boolean {
    return this.root !== '' && this.excluded(relPath);
  }

  relative(absPath: string): string {
    return toSlashes(path.relative(this.root, absPath));
  }

  absolute(relPath: string): string {
    return path.join(this.root, ...relPath.split('/'));
  }

  /**
   * The absolute path of a workspace-relative path that a fix or a finding names, or undefined when
   * it would lead outside the workspace: an absolute path, a `..` segment, a drive letter, a
   * backslash or a NUL byte, a symbolic link out of the workspace on the way, or no workspace at
   * all (a file outside every folder). Whatever writes a file a rule named goes through here.
   */
  resolveInside(relPath: string): string | undefined {
    if (this.root === '' || typeof relPath !== 'string' || relPath === '') return undefined;
    if (/[\\\0]/.test(relPath) || relPath.startsWith('/') || /^[A-Za-z]:/.test(relPath)) return undefined;
    const parts = relPath.split('/');
    if (parts.some((part) => part === '..')) return undefined;
    const target = path.join(this.root, ...parts);
    if (!isInside(this.root, target)) return undefined;
    // The deepest part that exists decides where the path really leads.
    let existing = target;
    while (!fs.existsSync(existing) && existing !== this.root) existing = path.dirname(existing);
    try {
      return isInside(fs.realpathSync(this.root), fs.realpathSync(existing)) ? target : undefined;
    } catch {
      return undefined;
    }
  }

  /** The editor opened or changed a file: its text wins over the disk until it is closed. */
  setOpen(relPath: string, text: string | undefined): void {
    if (text === undefined) this.overlay.delete(relPath);
    else this.overlay.set(relPath, text);
  }

  /** A file's text as the editor or, for a file not open, the disk has it; undefined when unreadable. */
  read(relPath: string): string | undefined {
    const open = this.overlay.get(relPath);
    if (open !== undefined || this.root === '') return open;
    const read = readSourceFile(this.absolute(relPath), this.engine.getConfig().maxFileSizeKb);
    return read.text;
  }

  private summaryKeys(model: ModelKind): Summary<ModelKind, unknown>[] {
    return this.engine.summaries().filter((s) => s.model === model);
  }

  /**
   * Records a file's summaries; returns whether they changed (then the units that read them need a
   * new check). A file that is gone (`text` undefined) loses its entry.
   */
  updateIndex(relPath: string, text: string | undefined, analysis?: Analysis): boolean {
    const before = this.index.get(relPath);
    if (text === undefined) {
      this.index.delete(relPath);
      const changed = before !== undefined && before.summaries.size > 0;
      if (changed) this.generation++;
      return changed;
    }
    const hash = contentHash(text);
    if (before?.hash === hash) return false;
    const kind = detectKind(relPath, undefined, text);
    const name = relPath.slice(relPath.lastIndexOf('/') + 1);
    const keys = this.summaryKeys(languageOf(kind).model).filter((key) => !key.fileNames || key.fileNames.test(name));
    const summaries = new Map<string, unknown>();
    if (keys.length > 0 && !this.engine.skipReason({ path: relPath, text })) {
      const parsed = analysis ?? new Analysis({ path: relPath, text }, kind);
      for (const key of keys) {
        try {
          const value = key.compute(parsed);
          if (value !== undefined) summaries.set(key.name, value);
        } catch {
          // A summary that throws is a bug in a rule helper; the file simply has nothing to say.
        }
      }
    }
    this.index.set(relPath, { hash, summaries });
    const changed = JSON.stringify([...(before?.summaries ?? [])]) !== JSON.stringify([...summaries]);
    if (changed) this.generation++;
    return changed;
  }

  /** Reads and summarizes every file whose kind some summary is about: the first pass of a scan. */
  async buildIndex(signal?: AbortSignal): Promise<void> {
    if (this.root === '' || this.engine.summaries().length === 0) {
      this.indexed = true;
      return;
    }
    // Summaries of whole models (every Dockerfile) and of named files of a model (shell scripts).
    const models = new Set(this.engine.summaries().filter((s) => !s.fileNames).map((s) => s.model));
    const named = this.engine.summaries().flatMap((s) => (s.fileNames ? [s] : []));
    const wanted = (name: string) =>
      (isParsedKindName(name) && models.has(languageOf(detectKind(name)).model)) ||
      named.some((s) => s.fileNames!.test(name) && languageOf(detectKind(name)).model === s.model);
    const config = this.engine.getConfig();
    for await (const file of walkWorkspace(this.root, { exclude: [...config.exclude, ...this.extraExcludes], signal, accept: wanted })) {
      this.updateIndex(file.relPath, this.read(file.relPath));
    }
    this.indexed = !signal?.aborted;
  }

  /** The paths whose summaries changed would change findings of files of these models. */
  dependentModels(): Set<ModelKind> {
    const out = new Set<ModelKind>();
    for (const model of ['dockerfile', 'hcl', 'yaml', 'text'] as const) if (this.engine.readsProject(model)) out.add(model);
    return out;
  }

  /** Files of the same unit as `relPath` (a Terraform module folder), itself included. */
  unitMembers(relPath: string): string[] {
    if (!UNIT_KINDS.has(detectKind(relPath))) return [relPath];
    const folder = folderOf(relPath);
    const names = new Set<string>();
    for (const open of this.overlay.keys()) if (folderOf(open) === folder && UNIT_KINDS.has(detectKind(open))) names.add(open);
    if (this.root !== '') {
      for (const name of this.unitFilesIn(folder)) {
        const rel = folder ? `${folder}/${name}` : name;
        if (!this.isExcluded(rel)) names.add(rel);
      }
    }
    names.add(relPath);
    return [...names].sort();
  }

  /** The names of unit files (Terraform) in a folder on disk; held while a scan runs (see `holdListings`). */
  private unitFilesIn(folder: string): string[] {
    const held = this.listings?.get(folder);
    if (held) return held;
    const names: string[] = [];
    try {
      for (const entry of fs.readdirSync(this.absolute(folder), { withFileTypes: true })) if (entry.isFile() && UNIT_KINDS.has(detectKind(entry.name))) names.push(entry.name);
    } catch {
      // an unreadable folder: the unit is what is open
    }
    this.listings?.set(folder, names);
    return names;
  }

  /**
   * Reads each folder's listing once until `releaseListings`: a scan takes the disk as it finds it,
   * and a folder of n Terraform files is then listed once, not n times.
   */
  holdListings(): void {
    this.listings ??= new Map();
  }

  releaseListings(): void {
    this.listings = undefined;
  }

  private parsed(relPath: string, text: string): Analysis {
    const hash = contentHash(text);
    const cached = this.parses.get(relPath);
    if (cached && cached.hash === hash) {
      this.parses.delete(relPath);
      this.parses.set(relPath, cached);
      return cached.analysis;
    }
    const analysis = new Analysis({ path: relPath, text });
    this.parses.set(relPath, { hash, analysis });
    if (this.parses.size > PARSE_CACHE_SIZE) this.parses.delete(this.parses.keys().next().value!);
    return analysis;
  }

  /** What rules of `relPath` may know of the rest of the workspace. */
  view(relPath: string, self?: Analysis): ProjectView {
    const exists = new Map<string, boolean>();
    return {
      exists: (other) => {
        if (this.root === '') return undefined;
        let known = exists.get(other);
        if (known === undefined) exists.set(other, (known = this.overlay.has(other) || fs.existsSync(this.absolute(other))));
        return known;
      },
      summaries: <K extends ModelKind, S>(key: Summary<K, S>) => {
        const cached = this.summaryMaps.get(key.name);
        if (cached && cached.generation === this.generation) return cached.files as ReadonlyMap<string, S>;
        const files = new Map<string, S>();
        for (const [file, entry] of this.index) if (entry.summaries.has(key.name)) files.set(file, entry.summaries.get(key.name) as S);
        this.summaryMaps.set(key.name, { generation: this.generation, files });
        return files;
      },
      unit: () => {
        const files: UnitFile[] = [];
        for (const member of this.unitMembers(relPath)) {
          const analysis = member === relPath && self ? self : this.parsedMember(member);
          if (analysis) files.push({ path: member, text: analysis.text, model: analysis.model });
        }
        return files;
      },
    };
  }

  private parsedMember(relPath: string): Analysis | undefined {
    const text = this.read(relPath);
    return text === undefined ? undefined : this.parsed(relPath, text);
  }

  /** Checks one file with the whole project in view, and keeps the index current with its text. */
  check(snapshot: Snapshot, options: Omit<CheckOptions, 'project'> = {}): CheckResult {
    const skipped = this.engine.skipReason(snapshot);
    if (skipped) return { findings: [], ruleErrors: [], skipped };
    const analysis = options.analysis ?? new Analysis(snapshot);
    this.updateIndex(snapshot.path, snapshot.text, analysis);
    return this.engine.check(snapshot, { ...options, analysis, project: this.view(snapshot.path, analysis) });
  }
}
