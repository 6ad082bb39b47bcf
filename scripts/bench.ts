// `npm run bench`: how fast Fourfold answers, in numbers for the notes; nothing here asserts a time.
//   - single-file analysis (parse + every rule) of 50-, 500- and 5,000-line Dockerfiles, p50/p95,
//     beside parse-only time, so the cost of the rules shows as a ratio;
//   - a workspace scan of 2,000 generated Dockerfiles: files/s, MB/s and peak memory (in a child
//     process of its own, so its peak is its own);
//   - the Terraform parser, when it is there.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { allRules } from '../rules/index';
import { Engine } from '../server/src/engine/engine';
import { parseDockerfile } from '../server/src/parsers/dockerfile';
import { loadShippedData } from '../server/src/workspace/data';
import { Session } from '../server/src/workspace/session';
import { prng } from './prng';

const IMAGES = ['node:20-alpine', 'python:3.12-slim', 'golang:1.23', 'debian:bookworm', 'ubuntu:22.04', 'node:latest', 'alpine', 'python:2.7'];
const STAGE_BODY = [
  'WORKDIR /app',
  'COPY package.json package-lock.json ./',
  'RUN npm ci --omit=dev',
  'RUN apt-get update && apt-get install -y --no-install-recommends \\\n    ca-certificates \\\n    curl \\\n    git \\\n && rm -rf /var/lib/apt/lists/*',
  'RUN curl -fsSL https://example.com/install.sh | sh',
  'ENV NODE_ENV=production PORT=8080',
  'ARG VERSION=1.0.0',
  'COPY . .',
  'RUN pip install --no-cache-dir requests==2.32.3 flask',
  'RUN <<EOF\nset -eux\napk add --no-cache bash\necho done\nEOF',
  'LABEL org.opencontainers.image.source="https://example.com/repo"',
  'RUN chmod 755 /usr/local/bin/entrypoint.sh',
  'EXPOSE 8080',
  'HEALTHCHECK CMD curl -f http://localhost:8080/healthz || exit 1',
  '# a comment explaining the next step',
  'RUN sudo make install',
];

/** A realistic multi-stage Dockerfile of about `lines` lines. */
export function generateDockerfile(lines: number, seed: number): string {
  const random = prng(seed);
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
  const out: string[] = ['# syntax=docker/dockerfile:1', 'ARG BASE=node:20-alpine'];
  let stage = 0;
  let count = out.length;
  while (count < lines - 4) {
    if (stage === 0 || random() < 0.04) {
      out.push(`FROM ${pick(IMAGES)} AS stage${stage++}`);
      count++;
    }
    const body = pick(STAGE_BODY);
    out.push(body);
    count += body.split('\n').length;
  }
  out.push(`COPY --from=stage0 /app /app`, 'USER 10001', 'CMD ["node", "server.js"]', '');
  return out.join('\n');
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function time(fn: () => void, runs: number): { p50: number; p95: number } {
  for (let i = 0; i < Math.min(20, runs); i++) fn(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p95: percentile(samples, 95) };
}

const ms = (n: number) => `${n.toFixed(n < 1 ? 3 : 2)} ms`;

function singleFile(): void {
  const engine = new Engine(allRules, undefined, { loadData: loadShippedData });
  console.log('\nSingle-file analysis (Dockerfile, all rules)');
  console.log('| lines | bytes | parse p50 | parse p95 | check p50 | check p95 | check/parse |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const lines of [50, 500, 5000]) {
    const text = generateDockerfile(lines, lines);
    const runs = lines >= 5000 ? 100 : 400;
    const parse = time(() => parseDockerfile(text), runs);
    const check = time(() => engine.check({ path: 'Dockerfile', text }), runs);
    console.log(
      `| ${text.split('\n').length} | ${text.length} | ${ms(parse.p50)} | ${ms(parse.p95)} | ${ms(check.p50)} | ${ms(check.p95)} | ${(check.p50 / parse.p50).toFixed(1)}x |`,
    );
  }
}

async function scanChild(dir: string): Promise<void> {
  const session = new Session({ rules: allRules, loadData: loadShippedData });
  session.setFolders([dir]);
  const rssBefore = process.memoryUsage().rss;
  const start = process.hrtime.bigint();
  const result = await session.scan({ paths: [dir] });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const bytes = result.files.reduce((n, f) => n + Buffer.byteLength(f.text), 0);
  const findings = result.files.reduce((n, f) => n + f.result.findings.length, 0);
  const parseStart = process.hrtime.bigint();
  for (const file of result.files) parseDockerfile(file.text);
  const parseSeconds = Number(process.hrtime.bigint() - parseStart) / 1e9;
  console.log(
    JSON.stringify({ files: result.files.length, bytes, findings, seconds, parseSeconds, rssBefore, maxRss: process.resourceUsage().maxRSS * 1024 }),
  );
}

function workspaceScan(): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fourfold-bench-'));
  for (let i = 0; i < 2000; i++) {
    const folder = path.join(dir, `svc${Math.floor(i / 10)}`);
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, i % 10 === 0 ? 'Dockerfile' : `s${i}.dockerfile`), generateDockerfile(40 + (i % 7) * 20, i));
  }
  const child = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--scan-child', dir], { encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true, force: true });
  if (child.status !== 0) throw new Error(`scan child failed: ${child.stderr}`);
  const r = JSON.parse(child.stdout.trim().split('\n').at(-1)!);
  console.log('\nWorkspace scan (2,000 generated Dockerfiles, read from disk, all rules)');
  console.log('| files | MB | findings | wall | files/s | MB/s | parse-only | peak RSS | RSS before scan |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  console.log(
    `| ${r.files} | ${(r.bytes / 1e6).toFixed(2)} | ${r.findings} | ${r.seconds.toFixed(2)} s | ${Math.round(r.files / r.seconds)} | ${(r.bytes / 1e6 / r.seconds).toFixed(2)} | ${r.parseSeconds.toFixed(2)} s | ${(r.maxRss / 2 ** 20).toFixed(0)} MiB | ${(r.rssBefore / 2 ** 20).toFixed(0)} MiB |`,
  );
}

async function terraform(): Promise<void> {
  const bench = path.join(__dirname, 'bench-hcl.ts');
  if (!fs.existsSync(bench)) return;
  const child = spawnSync(process.execPath, ['--import', 'tsx', bench], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  console.log('\nTerraform (HCL) parser');
  console.log(child.stdout.trim());
}

async function main(): Promise<void> {
  const scanDir = process.argv.indexOf('--scan-child');
  if (scanDir > 0) return scanChild(process.argv[scanDir + 1]);
  console.log(`Fourfold bench · ${allRules.length} rules · Node ${process.version} · ${os.cpus().length} cores · ${os.cpus()[0]?.model ?? ''}`);
  singleFile();
  workspaceScan();
  await terraform();
}

if (require.main === module) void main();
