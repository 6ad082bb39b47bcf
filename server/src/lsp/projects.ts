// Workspace folders, each with its own engine, configuration and baseline.
import fs from 'node:fs';
import path from 'node:path';
import { URI } from 'vscode-uri';
import type { FileFacts, Rule } from '../engine/api';
import { CONFIG_FILE, configFromSettings, mergeConfig, type ConfigProblem } from '../engine/config';
import { Engine } from '../engine/engine';
import { fileFacts, loadProject } from '../workspace/project';

export interface Project {
  /** Absolute folder path; '' for files outside every workspace folder. */
  root: string;
  engine: Engine;
  /** Problems in the folder's `.fourfold.yaml`, shown as diagnostics on that file. */
  configProblems: ConfigProblem[];
  configText?: string;
  /** The editor's `files.exclude` globs that are on; the scan skips them on top of the config's excludes. */
  filesExclude: string[];
}

export interface EditorSettings {
  fourfold: Record<string, unknown>;
  filesExclude: Record<string, unknown>;
}

export function uriToPath(uri: string): string | undefined {
  try {
    const parsed = URI.parse(uri);
    return parsed.scheme === 'file' ? parsed.fsPath : undefined;
  } catch {
    return undefined;
  }
}

export function pathToUri(file: string): string {
  return URI.file(file).toString();
}

export class Projects {
  private projects: Project[] = [];
  private outside: Project;

  constructor(
    private readonly rules: readonly Rule[],
    private roots: string[] = [],
  ) {
    this.outside = this.emptyProject('');
  }

  private emptyProject(root: string): Project {
    return { root, engine: new Engine(this.rules), configProblems: [], filesExclude: [] };
  }

  setRoots(roots: string[]): void {
    this.roots = roots;
  }

  all(): Project[] {
    return this.projects;
  }

  /** Re-reads `.fourfold.yaml` and the baseline of every folder. */
  reload(settings: EditorSettings, trusted: boolean): void {
    const fromEditor = configFromSettings(settings.fourfold);
    const filesExclude = Object.entries(settings.filesExclude ?? {})
      .filter(([, on]) => on === true)
      .map(([glob]) => glob);
    this.outside = this.emptyProject('');
    this.outside.engine.setConfig(mergeConfig(fromEditor, {}, trusted));
    this.projects = this.roots.map((root) => {
      const loaded = loadProject(root, { settings: fromEditor, trusted, rules: this.rules });
      const engine = new Engine(this.rules, loaded.config);
      engine.setBaseline(loaded.baseline);
      return {
        root,
        engine,
        configProblems: loaded.problems,
        configText: loaded.configText,
        filesExclude,
      };
    });
  }

  configUri(project: Project): string {
    return pathToUri(path.join(project.root, CONFIG_FILE));
  }

  /** The project a document belongs to, and its path relative to that project's root. */
  locate(uri: string): { project: Project; relPath: string; absPath?: string } {
    const absPath = uriToPath(uri);
    if (absPath) {
      let best: Project | undefined;
      for (const project of this.projects) {
        const rel = path.relative(project.root, absPath);
        if (!rel.startsWith('..') && !path.isAbsolute(rel) && (!best || project.root.length > best.root.length)) best = project;
      }
      if (best) return { project: best, relPath: path.relative(best.root, absPath).split(path.sep).join('/'), absPath };
      return { project: this.outside, relPath: absPath.split(path.sep).join('/'), absPath };
    }
    return { project: this.outside, relPath: URI.parse(uri).path };
  }

  /** What rules may know about a located file: its path, and its siblings when it is on disk. */
  facts({ relPath, absPath }: { relPath: string; absPath?: string }): FileFacts {
    if (!absPath || !fs.existsSync(path.dirname(absPath))) return { path: relPath, siblingExists: () => undefined };
    return fileFacts(absPath, relPath);
  }
}
