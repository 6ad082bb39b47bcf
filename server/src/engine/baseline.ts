// The baseline: findings a team has accepted, hidden until the code around them changes.
// An entry matches by file, rule and a fingerprint of the finding's own text and line content,
// never by line number, so it survives lines moving above it.
import type { Finding } from './api';
import { LineIndex } from '../core/text';

export interface BaselineEntry {
  path: string;
  ruleId: string;
  fingerprint: string;
  /** For people reading the file; not used for matching. */
  line?: number;
  message?: string;
}

export interface Baseline {
  findings: BaselineEntry[];
}

/** 64-bit FNV-1a as hex: stable across runs, machines and Node versions. */
function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) {
    hash ^= BigInt(text.charCodeAt(i));
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0');
}

/** What identifies a finding when lines move: the rule, the flagged text and its line, whitespace folded. */
export function fingerprint(finding: Pick<Finding, 'ruleId' | 'span'>, lines: LineIndex): string {
  const line = lines.position(finding.span.start).line;
  const fold = (s: string) => s.replace(/\s+/g, ' ').trim();
  const flagged = lines.text.slice(finding.span.start, Math.min(finding.span.end, finding.span.start + 200));
  return fnv1a64(`${finding.ruleId}\u0000${fold(lines.lineText(line))}\u0000${fold(flagged)}`);
}

export function createBaseline(files: { path: string; text: string; findings: readonly Finding[] }[]): Baseline {
  const findings: BaselineEntry[] = [];
  for (const file of [...files].sort((a, b) => a.path.localeCompare(b.path))) {
    const lines = new LineIndex(file.text);
    for (const finding of file.findings) {
      if (finding.suppression && finding.suppression.kind !== 'baseline') continue;
      findings.push({
        path: file.path,
        ruleId: finding.ruleId,
        fingerprint: fingerprint(finding, lines),
        line: lines.position(finding.span.start).line + 1,
        message: finding.message,
      });
    }
  }
  return { findings };
}

/** Accepted fingerprints by path, with how many findings each may hide: built once per baseline. */
export type BaselineIndex = Map<string, Map<string, number>>;

export function baselineIndex(baseline: Baseline): BaselineIndex {
  const index: BaselineIndex = new Map();
  for (const entry of baseline.findings) {
    let prints = index.get(entry.path);
    if (!prints) index.set(entry.path, (prints = new Map()));
    prints.set(entry.fingerprint, (prints.get(entry.fingerprint) ?? 0) + 1);
  }
  return index;
}

/** Reads a baseline file's JSON; anything malformed yields an error message instead of a throw. */
export function parseBaseline(text: string): { baseline: Baseline; error?: string } {
  try {
    const data = JSON.parse(text) as Baseline;
    if (!data || !Array.isArray(data.findings)) return { baseline: { findings: [] }, error: 'baseline has no "findings" array' };
    const findings = data.findings.filter(
      (f) => f && typeof f.path === 'string' && typeof f.ruleId === 'string' && typeof f.fingerprint === 'string',
    );
    return { baseline: { findings } };
  } catch (error) {
    return { baseline: { findings: [] }, error: `baseline is not valid JSON: ${(error as Error).message}` };
  }
}
