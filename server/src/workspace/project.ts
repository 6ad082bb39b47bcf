// What the hosts (language server, CLI) read from disk for the engine: a project's configuration
// and baseline, and a file's text. Nothing here throws on bad input.
import fs from 'node:fs';
import path from 'node:path';
import type { AnyRule } from '../engine/api';
import { parseBaseline, type Baseline } from '../engine/baseline';
import { CONFIG_FILE, DEFAULT_BASELINE, mergeConfig, parseConfigFile, type Config, type ConfigProblem } from '../engine/config';
import { fsReason, isInside } from './walk';

export interface LoadProjectOptions {
  /** Editor settings or CLI flags; the repository's file applies on top of them (see mergeConfig). */
  settings: Partial<Config>;
  /** In an untrusted workspace the repository's file can only make checking stricter. */
  trusted: boolean;
  rules: readonly AnyRule[];
  /** The config file to read instead of `<root>/.fourfold.yaml`; null reads none. */
  configPath?: string | null;
  /** Applied last, over the file: what a CLI flag says wins over the repository's file. */
  overrides?: Partial<Config>;
}

export interface LoadedProject {
  root: string;
  config: Config;
  /** Absolute path of the config file read, when there was one. */
  configPath?: string;
  /** Its text, so callers can turn problem spans into line:column (LineIndex). */
  configText?: string;
  /** Problems in the config file, each at the bad key or value; the rest of the file still applies. */
  problems: ConfigProblem[];
  baseline: Baseline;
  /** Absolute path of the baseline file (whether or not it exists). */
  baselinePath: string;
  /** Why the baseline file could not be used, when it exists but is malformed or unreadable. */
  baselineError?: string;
}

export function loadProject(root: string, options: LoadProjectOptions): LoadedProject {
  const absRoot = path.resolve(root);
  const ruleIds = new Map(options.rules.map((r) => [r.id, r]));
  const defaults = new Map(options.rules.map((r) => [r.id, r.severity]));
  const configPath =
    options.configPath === null ? undefined : path.resolve(absRoot, options.configPath ?? CONFIG_FILE);
  let configText: string | undefined;
  let fileConfig: Partial<Config> = {};
  const problems: ConfigProblem[] = [];
  if (configPath) {
    try {
      configText = fs.readFileSync(configPath, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // A missing default file is normal; a file named explicitly must exist.
      if (options.configPath || code !== 'ENOENT') {
        problems.push({ message: `cannot read ${path.basename(configPath)}: ${code ?? (error as Error).message}`, span: { start: 0, end: 0 } });
      }
    }
    if (configText !== undefined) {
      const parsed = parseConfigFile(configText, ruleIds);
      fileConfig = parsed.config;
      problems.push(...parsed.problems);
    }
  }
  const config = mergeConfig(options.settings, fileConfig, options.trusted, (id) => defaults.get(id));
  // The baseline is written by "accept current findings": from settings or the repository's file it
  // must name a file inside the workspace (a flag on the command line may name any).
  if (!isInside(absRoot, path.resolve(absRoot, config.baseline))) {
    problems.push({ message: `baseline ${JSON.stringify(config.baseline)} lies outside the workspace; using ${DEFAULT_BASELINE}`, span: { start: 0, end: 0 } });
    config.baseline = DEFAULT_BASELINE;
  }
  const overrides = options.overrides ?? {};
  if (overrides.rules) Object.assign(config.rules, overrides.rules);
  if (overrides.exclude) config.exclude.push(...overrides.exclude);
  if (overrides.trustedRegistries) config.trustedRegistries.push(...overrides.trustedRegistries);
  if (overrides.baseline) config.baseline = overrides.baseline;
  if (overrides.maxFileSizeKb) config.maxFileSizeKb = overrides.maxFileSizeKb;

  const baselinePath = path.resolve(absRoot, config.baseline);
  let baseline: Baseline = { findings: [] };
  let baselineError: string | undefined;
  let baselineText: string | undefined;
  try {
    baselineText = fs.readFileSync(baselinePath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') baselineError = `cannot read baseline ${baselinePath}: ${code ?? (error as Error).message}`;
  }
  if (baselineText !== undefined) {
    const parsed = parseBaseline(baselineText.charCodeAt(0) === 0xfeff ? baselineText.slice(1) : baselineText);
    baseline = parsed.baseline;
    if (parsed.error) baselineError = `${baselinePath}: ${parsed.error}`;
  }

  return {
    root: absRoot,
    config,
    configPath: configText !== undefined || problems.length > 0 ? configPath : undefined,
    configText,
    problems,
    baseline,
    baselinePath,
    baselineError,
  };
}

export type ReadResult = { text: string; skipped?: undefined } | { text?: undefined; skipped: string };

const BINARY_SNIFF_BYTES = 8192;
/** The reason given for binary files (images, archives): the scan lists it only for names it parses. */
export const BINARY = 'binary content';

/**
 * Reads a file for checking. UTF-8 (a byte-order mark is kept in the text, so offsets count it as
 * one UTF-16 unit) and UTF-16 LE/BE with a byte-order mark are decoded; binary content (NUL bytes
 * in the first 8 KB), files larger than `maxFileSizeKb` and undecodable bytes are skipped with the
 * reason. Never throws.
 */
export function readSourceFile(absPath: string, maxFileSizeKb = 1024): ReadResult {
  let bytes: Buffer;
  try {
    const stat = fs.statSync(absPath);
    if (!stat.isFile()) return { skipped: 'not a regular file' };
    if (stat.size > maxFileSizeKb * 1024) return { skipped: `larger than ${maxFileSizeKb} KB (maxFileSizeKb)` };
    bytes = fs.readFileSync(absPath);
  } catch (error) {
    return { skipped: fsReason(error) };
  }
  if (bytes.length > maxFileSizeKb * 1024) return { skipped: `larger than ${maxFileSizeKb} KB (maxFileSizeKb)` };
  let encoding: 'utf-8' | 'utf-16le' | 'utf-16be' = 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) encoding = 'utf-16le';
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) encoding = 'utf-16be';
  else if (bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0)) return { skipped: BINARY };
  try {
    // The byte-order mark is dropped, as editors do, so columns on line 1 agree with the editor's.
    const text = new TextDecoder(encoding, { fatal: true }).decode(bytes);
    if (encoding !== 'utf-8' && text.slice(0, BINARY_SNIFF_BYTES).includes('\u0000')) return { skipped: BINARY };
    return { text };
  } catch {
    return { skipped: `not valid ${encoding.toUpperCase()} text` };
  }
}
