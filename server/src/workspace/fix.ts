// `fourfold scan --fix`: applies every safe fix the scan found, in place, then checks the files again.
// Never loses a byte of other text: only edits that fit together are applied, a UTF-8 byte-order
// mark is kept, files in other encodings or changed on disk since the scan are left alone.
import fs from 'node:fs';
import type { Engine } from '../engine/engine';
import { applyEdits, compatibleEdits } from '../engine/edits';
import { fileFacts } from './project';
import type { ScannedFile } from './scan';

export interface FixSummary {
  /** Fixes applied, over all files. */
  fixes: number;
  /** Files written. */
  files: number;
  /** Files with fixes that were not written, and why. */
  skipped: { relPath: string; reason: string }[];
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export function fixFiles(files: ScannedFile[], engine: Engine): FixSummary {
  const summary: FixSummary = { fixes: 0, files: 0, skipped: [] };
  for (const file of files) {
    const fixable = file.result.findings.filter((f) => f.fix && !f.suppression);
    if (fixable.length === 0) continue;
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
    file.result = { ...engine.check({ path: file.relPath, text }, fileFacts(file.absPath, file.relPath)), analysis: undefined };
  }
  return summary;
}
