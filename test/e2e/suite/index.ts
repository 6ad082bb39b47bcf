// The entry VS Code loads as `extensionTestsPath`: runs every *.test.js beside it with mocha, inside
// the extension host. FOURFOLD_E2E_GREP narrows the run to matching test titles.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000, slow: 5_000 });
  if (process.env.FOURFOLD_E2E_GREP) mocha.grep(process.env.FOURFOLD_E2E_GREP);
  const files = fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort();
  for (const file of files) mocha.addFile(path.join(__dirname, file));
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} editor test${failures === 1 ? '' : 's'} failed`);
}
