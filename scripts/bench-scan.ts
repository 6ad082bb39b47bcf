// `npm run bench:scan`: the workspace scan over 100,000 generated files (1,000 folders of 100: one
// Dockerfile in ten, the rest small text files that reach the secret rules), in a child process of
// its own so the peak RSS is the scan's. Prints the walk alone, then the scan: files/s and memory.
// Nothing here asserts a number. Usage: node --import tsx scripts/bench-scan.ts [--files 100000]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { allRules } from '../rules/index';
import { loadShippedData } from '../server/src/workspace/data';
import { Session } from '../server/src/workspace/session';
import { walkWorkspace } from '../server/src/workspace/walk';

async function child(dir: string): Promise<void> {
  let start = Date.now();
  let walked = 0;
  for await (const _ of walkWorkspace(dir, { exclude: [] })) walked++;
  const walkSeconds = (Date.now() - start) / 1000;
  const session = new Session({ rules: allRules, loadData: loadShippedData });
  session.setFolders([dir]);
  start = Date.now();
  const result = await session.scan({ paths: [dir] });
  const scanSeconds = (Date.now() - start) / 1000;
  const findings = result.files.reduce((n, f) => n + f.result.findings.length, 0);
  console.log(JSON.stringify({ walked, walkSeconds, files: result.files.length, skipped: result.skipped.length, findings, scanSeconds, rss: process.memoryUsage().rss, maxRss: process.resourceUsage().maxRSS * 1024 }));
}

function main(): void {
  const at = process.argv.indexOf('--child');
  if (at > 0) {
    void child(process.argv[at + 1]);
    return;
  }
  const filesAt = process.argv.indexOf('--files');
  const total = filesAt > 0 ? Number(process.argv[filesAt + 1]) : 100_000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fourfold-bench-scan-'));
  try {
    let start = Date.now();
    for (let i = 0; i < total; i++) {
      const folder = path.join(dir, `d${Math.floor(i / 100)}`);
      if (i % 100 === 0) fs.mkdirSync(folder);
      const docker = i % 10 === 0;
      fs.writeFileSync(path.join(folder, docker ? `s${i}.dockerfile` : `f${i}.txt`), docker ? `FROM alpine:3.${i % 20}\nRUN apk add --no-cache curl\nUSER 10001\n` : `line ${i}\nname = value-${i}\n`);
    }
    const createSeconds = (Date.now() - start) / 1000;
    start = Date.now();
    const run = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--child', dir], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`scan child failed: ${run.stderr}`);
    const r = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
    const mib = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;
    console.log(`Workspace scan of ${total.toLocaleString('en')} generated files (${createSeconds.toFixed(1)} s to create) · Node ${process.version} · ${os.cpus().length} cores`);
    console.log('| walk | files/s | scan | files/s | checked | skipped | findings | RSS after | peak RSS |');
    console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    console.log(
      `| ${r.walkSeconds.toFixed(1)} s | ${Math.round(r.walked / r.walkSeconds)} | ${r.scanSeconds.toFixed(1)} s | ${Math.round(r.files / r.scanSeconds)} | ${r.files} | ${r.skipped} | ${r.findings} | ${mib(r.rss)} | ${mib(r.maxRss)} |`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) main();
