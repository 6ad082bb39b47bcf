// The workspace scan: walk, read, check. Used by "Fourfold: Scan Workspace" and by the CLI.
import fs from 'node:fs';
import path from 'node:path';
import type { CheckResult, Engine } from '../engine/engine';
import { fileFacts, readSourceFile, type SiblingCache } from './project';
import { isCheckableName, walkWorkspace, type WalkedFile } from './walk';

export interface ScanOptions {
  engine: Engine;
  /** Folders to walk, or files to check as named (a named file is checked even when ignored). */
  roots: string[];
  /**
   * The folder paths are reported relative to, and excludes and `.gitignore` files apply from
   * (the project root). Defaults to each root itself (a file's folder for a file).
   */
  base?: string;
  /** Globs relative to the base, on top of `.gitignore`. */
  exclude: readonly string[];
  signal?: AbortSignal;
  /** Called after each file is checked, with the count so far and its relative path. */
  onProgress?(done: number, relPath: string): void;
}

export interface ScannedFile {
  absPath: string;
  /** Relative to the base (or root), forward slashes. */
  relPath: string;
  text: string;
  /** Findings and notes; `analysis` (the parsed model) is not kept. */
  result: CheckResult;
}

export interface ScanResult {
  files: ScannedFile[];
  /** Files that were found but not checked, and why: binary, too large, unreadable, unknown kind. */
  skipped: { relPath: string; absPath: string; reason: string }[];
  cancelled: boolean;
}

const toSlashes = (p: string) => p.split(path.sep).join('/');

/** Gives the event loop a turn so cancellation and other requests get through during long scans. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function scanWorkspace(options: ScanOptions): Promise<ScanResult> {
  const { engine, signal } = options;
  const result: ScanResult = { files: [], skipped: [], cancelled: false };
  const seen = new Set<string>();
  const siblings: SiblingCache = new Map();
  const maxFileSizeKb = engine.getConfig().maxFileSizeKb;
  let done = 0;
  let sinceYield = 0;

  const checkOne = async (file: WalkedFile, named: boolean): Promise<void> => {
    if (seen.has(file.absPath)) return;
    seen.add(file.absPath);
    if (named && !isCheckableName(path.basename(file.absPath))) {
      result.skipped.push({ ...file, reason: 'not a kind of file Fourfold checks' });
      return;
    }
    const read = readSourceFile(file.absPath, maxFileSizeKb);
    if (read.skipped !== undefined) {
      result.skipped.push({ ...file, reason: read.skipped });
    } else {
      const checked = engine.check({ path: file.relPath, text: read.text }, fileFacts(file.absPath, file.relPath, siblings));
      if (checked.skipped) result.skipped.push({ ...file, reason: checked.skipped });
      else if (!checked.kind) {
        // A kind detectKind knows but no parser handles yet (Terraform today): silent unless named.
        if (named) result.skipped.push({ ...file, reason: 'not a kind of file Fourfold checks yet' });
      } else {
        // The parsed model is dropped: a scan keeps findings for thousands of files, never their trees.
        result.files.push({ ...file, text: read.text, result: { ...checked, analysis: undefined } });
      }
    }
    done++;
    options.onProgress?.(done, file.relPath);
    if (++sinceYield >= 25) {
      sinceYield = 0;
      await yieldToEventLoop();
    }
  };

  for (const root of options.roots) {
    if (signal?.aborted) break;
    const absRoot = path.resolve(root);
    let isFile = false;
    try {
      isFile = fs.statSync(absRoot).isFile();
    } catch {
      result.skipped.push({ absPath: absRoot, relPath: toSlashes(path.relative(options.base ?? process.cwd(), absRoot)), reason: 'not found' });
      continue;
    }
    const base = path.resolve(options.base ?? (isFile ? path.dirname(absRoot) : absRoot));
    if (isFile) {
      await checkOne({ absPath: absRoot, relPath: toSlashes(path.relative(base, absRoot)) }, true);
      continue;
    }
    for await (const file of walkWorkspace(absRoot, { base, exclude: options.exclude, signal, maxFileSizeKb })) {
      await checkOne(file, false);
      if (signal?.aborted) break;
    }
  }
  result.cancelled = Boolean(signal?.aborted);
  return result;
}
