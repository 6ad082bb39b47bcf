// The data files rules declare (end-of-life dates, advisories), read from the `data/` folder that
// ships beside the bundles (dist/../data) or sits at the repository root (tests, `tsx`).
import fs from 'node:fs';
import path from 'node:path';

const CANDIDATES = [path.resolve(__dirname, '..', 'data'), path.resolve(__dirname, '..', '..', '..', 'data')];

/** The folder holding the shipped data files. */
export function dataFolder(): string {
  return CANDIDATES.find((dir) => fs.existsSync(dir)) ?? CANDIDATES[0];
}

/** Reads `data/<file>` as JSON. Throws when it is missing: a broken installation, reported as a rule error. */
export function loadShippedData(file: string): unknown {
  return JSON.parse(fs.readFileSync(path.join(dataFolder(), file), 'utf8'));
}
