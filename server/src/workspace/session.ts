// One session for both hosts (the language server and the CLI): which configuration root a file
// belongs to, each root's configuration, baseline and project model, the workspace scan, and the
// reports (SARIF, baseline) built from it. The hosts only translate to and from their protocols.
import fs from 'node:fs';
import path from 'node:path';
import type { AnyRule, Severity } from '../engine/api';
import { createBaseline, type Baseline } from '../engine/baseline';
import { CONFIG_FILE, type Config, type ConfigProblem } from '../engine/config';
import { Engine, type CheckResult, type DataLoader } from '../engine/engine';
import { isParsedKindName } from '../engine/languages';
import { fileUri, toSarif, type SarifOptions } from '../engine/sarif';
import { BINARY, loadProject, readSourceFile } from './project';
import { isInside, walkWorkspace } from './walk';
import { Workspace } from './workspace';

export interface SessionOptions {
  rules: readonly AnyRule[];
  /** Editor settings or defaults; each root's `.fourfold.yaml` applies on top. */
  settings?: Partial<Config>;
  /** In an untrusted workspace a repository's file can only make checking stricter. */
  trusted?: boolean;
  /** Applied last, over the file: what a CLI flag says. */
  overrides?: Partial<Config>;
  /** The config file to read instead of each root's `.fourfold.yaml`; null reads none. */
  configPath?: string | null;
  /** Globs excluded on top of configuration (the editor's `files.exclude`). */
  extraExcludes?: readonly string[];
  loadData?: DataLoader;
  today?: () => string;
  /** Read the baseline (the CLI's `--write-baseline` does not). */
  useBaseline?: boolean;
}

/** A configuration root's load result, for diagnostics on `.fourfold.yaml` and CLI errors. */
export interface RootInfo {
  workspace: Workspace;
  configPath?: string;
  configText?: string;
  problems: ConfigProblem[];
  baselinePath: string;
  baselineError?: string;
}

export interface ScannedFile {
  absPath: string;
  /** Relative to its workspace's root, forward slashes: what baselines and excludes use. */
  relPath: string;
  workspace: Workspace;
  /** Kept only when there are findings (reports need the lines); '' otherwise. */
  text: string;
  /** Findings and notes; the parsed model is not kept. */
  result: CheckResult;
}

export interface ScanResult {
  files: ScannedFile[];
  /** Files that were found but not checked, and why: binary, too large, unreadable. */
  skipped: { absPath: string; reason: string }[];
  /** Folders walked that held nothing to check, so the user hears why a scan found nothing. */
  empty: string[];
  cancelled: boolean;
}

export interface ScanOptions {
  /** Folders to walk, or files to check as named (a named file is checked even when ignored). */
  paths: string[];
  signal?: AbortSignal;
  /** Build fixes (for SARIF `fixes`); otherwise findings only say they are fixable. */
  fixes?: boolean;
  /** Called after each file is checked, with the count so far and its absolute path. */
  onProgress?(done: number, absPath: string): void;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));


export class Session {
  private folders: string[] = [];
  private readonly roots = new Map<string, RootInfo>();
  /** Folder -> the configuration root that governs it (memo of the upward search). */
  private readonly rootOfFolder = new Map<string, string>();
  private outside: Workspace;

  constructor(private options: SessionOptions) {
    this.outside = this.load('').workspace;
  }

  get rules(): readonly AnyRule[] {
    return this.options.rules;
  }

  /** Workspace folders (editor) or the scan's root (CLI): the outermost configuration roots. */
  setFolders(folders: string[]): void {
    this.folders = folders.map((f) => path.resolve(f));
    this.reload();
  }

  /** New settings (or trust): every root's configuration and baseline are read again. */
  configure(changes: Partial<Pick<SessionOptions, 'settings' | 'trusted' | 'extraExcludes'>>): void {
    this.options = { ...this.options, ...changes };
    this.reload();
  }

  reload(): void {
    this.roots.clear();
    this.rootOfFolder.clear();
    this.outside = this.load('').workspace;
    for (const folder of this.folders) this.rootInfo(folder);
  }

  private load(root: string): RootInfo {
    const { rules, settings = {}, trusted = true, overrides, configPath } = this.options;
    if (root === '') {
      const engine = new Engine(rules, loadProject(process.cwd(), { settings, trusted, rules, configPath: null }).config, this.engineOptions());
      return { workspace: new Workspace('', engine), problems: [], baselinePath: '' };
    }
    const loaded = loadProject(root, { settings, trusted, rules, configPath, overrides });
    const engine = new Engine(rules, loaded.config, this.engineOptions());
    if (this.options.useBaseline !== false) engine.setBaseline(loaded.baseline);
    return {
      workspace: new Workspace(loaded.root, engine, this.options.extraExcludes),
      configPath: loaded.configPath,
      configText: loaded.configText,
      problems: loaded.problems,
      baselinePath: loaded.baselinePath,
      baselineError: loaded.baselineError,
    };
  }

  private engineOptions() {
    return { loadData: this.options.loadData, today: this.options.today };
  }

  private rootInfo(root: string): RootInfo {
    let info = this.roots.get(root);
    if (!info) this.roots.set(root, (info = this.load(root)));
    return info;
  }

  /** Every configuration root met so far: the folders, and sub-folders with their own `.fourfold.yaml`. */
  all(): RootInfo[] {
    return [...this.roots.values()];
  }

  /**
   * The configuration root of a file: the nearest folder at or above it, within its workspace
   * folder, that holds `.fourfold.yaml`, else the workspace folder. The editor and the CLI use the
   * same rule, so a monorepo's sub-folder configuration applies in both.
   */
  rootFor(absPath: string): string | undefined {
    const folder = this.folders.filter((f) => isInside(f, absPath)).sort((a, b) => b.length - a.length)[0];
    if (!folder) return undefined;
    if (this.options.configPath !== undefined) return folder; // one file named for everything (CLI)
    const start = path.dirname(absPath);
    const seen: string[] = [];
    let found = folder;
    for (let dir = start; isInside(folder, dir); dir = path.dirname(dir)) {
      const known = this.rootOfFolder.get(dir);
      if (known) {
        found = known;
        break;
      }
      seen.push(dir);
      if (fs.existsSync(path.join(dir, CONFIG_FILE))) {
        found = dir;
        break;
      }
      if (dir === folder || path.dirname(dir) === dir) break;
    }
    for (const dir of seen) if (isInside(found, dir)) this.rootOfFolder.set(dir, found);
    return found;
  }

  /** The workspace (configuration root) of a file and its path relative to that root. */
  locate(absPath: string): { workspace: Workspace; relPath: string } {
    const root = this.rootFor(absPath);
    if (root === undefined) return { workspace: this.outside, relPath: absPath.split(path.sep).join('/') };
    const workspace = this.rootInfo(root).workspace;
    return { workspace, relPath: workspace.relative(absPath) };
  }

  /** The workspace for a root folder (after `setFolders`). */
  workspaceAt(root: string): Workspace {
    return this.rootInfo(path.resolve(root)).workspace;
  }

  /**
   * The workspace scan: a first pass reads the files that other files' rules need summaries of
   * (so a Dockerfile knows the images built elsewhere in the workspace), the second checks every
   * file. Never stops early without saying so (`cancelled`).
   */
  async scan(options: ScanOptions): Promise<ScanResult> {
    const { signal } = options;
    const result: ScanResult = { files: [], skipped: [], empty: [], cancelled: false };
    const named: string[] = [];
    const folders: string[] = [];
    for (const p of options.paths.map((p) => path.resolve(p))) {
      let stat: fs.Stats | undefined;
      try {
        stat = fs.statSync(p);
      } catch {
        result.skipped.push({ absPath: p, reason: 'not found' });
        continue;
      }
      (stat.isDirectory() ? folders : named).push(p);
    }

    // First pass: the index of every root the folders reach.
    for (const folder of folders) {
      const root = this.rootFor(path.join(folder, '_')) ?? folder;
      const workspace = this.rootInfo(root).workspace;
      if (!workspace.indexed) await workspace.buildIndex(signal);
    }

    const seen = new Set<string>();
    const held = new Set<Workspace>();
    let done = 0;
    let sinceYield = 0;
    const checkOne = async (absPath: string, explicit: boolean) => {
      if (seen.has(absPath)) return;
      seen.add(absPath);
      const { workspace, relPath } = this.locate(absPath);
      if (!explicit && workspace.isExcluded(relPath)) return;
      if (!held.has(workspace)) {
        workspace.holdListings();
        held.add(workspace);
      }
      const read = readSourceFile(absPath, workspace.engine.getConfig().maxFileSizeKb);
      if (read.skipped !== undefined) {
        // Every file that could not be read is listed; binary content only for names we parse
        // (or named files): images and archives are not ours to check.
        if (read.skipped !== BINARY || explicit || isParsedKindName(path.basename(absPath))) result.skipped.push({ absPath, reason: read.skipped });
      } else {
        let checked: CheckResult;
        try {
          checked = workspace.check({ path: relPath, text: read.text }, { fixes: options.fixes });
        } catch (error) {
          // A bug in Fourfold, not in the file: say so and go on with the next file.
          checked = { findings: [], ruleErrors: [], skipped: `internal error while checking (a bug in Fourfold): ${error instanceof Error ? error.message : String(error)}` };
        }
        if (checked.skipped) result.skipped.push({ absPath, reason: checked.skipped });
        else {
          const findings = checked.findings.length > 0;
          result.files.push({ absPath, relPath, workspace, text: findings ? read.text : '', result: { ...checked, analysis: undefined } });
        }
      }
      done++;
      options.onProgress?.(done, absPath);
      if (++sinceYield >= 25) {
        sinceYield = 0;
        await yieldToEventLoop();
      }
    };

    try {
      for (const file of named) await checkOne(file, true);
      for (const folder of folders) {
        if (signal?.aborted) break;
        const before = done;
        const root = this.rootFor(path.join(folder, '_')) ?? folder;
        const workspace = this.rootInfo(root).workspace;
        const config = workspace.engine.getConfig();
        const walk = walkWorkspace(folder, {
          base: root,
          exclude: [...config.exclude, ...(this.options.extraExcludes ?? [])],
          signal,
          onSkip: (absPath, reason) => result.skipped.push({ absPath, reason }),
        });
        try {
          for await (const file of walk) {
            await checkOne(file.absPath, false);
            if (signal?.aborted) break;
          }
        } catch (error) {
          // The walk never throws for what is on disk; if it does, the rest of this folder is not scanned, and that is said.
          result.skipped.push({ absPath: folder, reason: `the scan of this folder stopped early: ${error instanceof Error ? error.message : String(error)}` });
        }
        if (done === before && !signal?.aborted) result.empty.push(folder);
      }
    } finally {
      for (const workspace of held) workspace.releaseListings();
    }
    result.cancelled = Boolean(signal?.aborted);
    return result;
  }

  /** SARIF 2.1.0 of scanned files, paths relative to `base`, with each workspace's effective severities. */
  sarif(files: readonly ScannedFile[], base: string, options: Omit<SarifOptions, 'baseUri' | 'ruleSeverity'> & { baseUri: string }): Record<string, unknown> {
    const engines = [...new Set(files.map((f) => f.workspace.engine))];
    const first = engines[0] ?? this.outside.engine;
    return toSarif(
      files.map((f) => (isInside(base, f.absPath) ? { relPath: path.relative(base, f.absPath).split(path.sep).join('/') } : { uri: fileUri(f.absPath) })).map((where, i) => ({
        ...where,
        text: files[i].text,
        findings: files[i].result.findings,
      })),
      this.options.rules,
      { ...options, ruleSeverity: (rule): Severity | undefined => first.effectiveSeverity(rule) },
    );
  }

  /** Baselines of the current findings, one per configuration root, with the file each goes to. */
  baselines(files: readonly ScannedFile[]): { path: string; baseline: Baseline }[] {
    const out: { path: string; baseline: Baseline }[] = [];
    for (const info of this.all()) {
      const mine = files.filter((f) => f.workspace === info.workspace);
      if (mine.length === 0 && !fs.existsSync(info.baselinePath)) continue;
      out.push({ path: info.baselinePath, baseline: createBaseline(mine.map((f) => ({ path: f.relPath, text: f.text, findings: f.result.findings }))) });
    }
    return out;
  }
}
