// `fourfold scan --fix`: applies every safe fix the scan found, in place, then checks the files again.
// Never loses a byte of other text: only edits that fit together are applied, a UTF-8 byte-order
// mark is kept, files in other encodings or changed on disk since the scan are left alone.
import fs from 'node:fs';
import { applyEdits, compatibleEdits } from '../engine/edits';
import type { ScannedFile } from './session';
import { isInside } from './walk';

export interface FixSummary {
  /** Fixes applied, over all files. */
  fixes: number;
  /** Files written. */
  files: number;
  /** Files with fixes that were not written, and why. */
  skipped: { relPath: string; reason: string }[];
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

function realpath(p: string): string | undefined {
  try {
    return fs.realpathSync(p);
  } catch {
    return undefined;
  }
}

/** Applies the safe fixes of every scanned file in place (only edits within the file itself). */
export function fixFiles(files: ScannedFile[]): FixSummary {
  const summary: FixSummary = { fixes: 0, files: 0, skipped: [] };
  for (const file of files) {
    if (!file.result.findings.some((f) => f.fixable && !f.suppression)) continue;
    // Fixes are built now, for this file only: the scan reported that they exist.
    const built = file.workspace.check({ path: file.relPath, text: file.text }, { fixes: true });
    const fixable = built.findings.filter((f) => f.fix && !f.suppression && f.fix.safety !== 'suggestion' && f.fix.edits.every((e) => !e.path));
    if (fixable.length === 0) continue;
    // A file of the workspace that is really elsewhere (a symbolic link, perhaps made after the
    // scan) is not written: a fix never writes outside the workspace.
    if (file.workspace.root !== '' && isInside(file.workspace.root, file.absPath)) {
      const real = realpath(file.absPath);
      const root = realpath(file.workspace.root);
      if (!real || !root || !isInside(root, real)) {
        summary.skipped.push({ relPath: file.relPath, reason: 'it leads outside the workspace (a symbolic link)' });
        continue;
      }
    }
    const bytes = fs.readFileSync(file.absPath);
    const bom = bytes.subarray(0, 3).equals(UTF8_BOM);
    const onDisk = bytes.subarray(bom ? 3 : 0).toString('utf8');
    if (onDisk !== file.text) {
      summary.skipped.push({ relPath: file.relPath, reason: 'not UTF-8, or changed on disk since it was read' });
      continue;
    }
    const { edits, fixes } = compatibleEdits(fixable.map((f) => f.fix!.edits));
    const text = applyEdits(file.text, edits).text;
    fs.writeFileSync(file.absPath, bom ? Buffer.concat([UTF8_BOM, Buffer.from(text, 'utf8')]) : text);
    summary.fixes += fixes;
    summary.files++;
    file.text = text;
    file.result = { ...file.workspace.check({ path: file.relPath, text }), analysis: undefined };
  }
  return summary;
}
