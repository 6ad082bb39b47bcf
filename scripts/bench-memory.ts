// `npm run bench:memory`: the language server's memory with many open documents, measured from the
// outside as an editor would see it (the server's /proc status: VmRSS now, VmHWM the peak).
//   200 open documents of about 18 KB each (Dockerfiles, Terraform, Kubernetes YAML), opened one
//   after another; then a keystroke in each; then quick fixes asked for in each.
// Prints steady RSS after each phase and the peak. Nothing here asserts a number.
// Usage: node --import tsx scripts/bench-memory.ts [--documents 200] [--kb 18]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileUri, LspClient, repoRoot, serverBundle } from '../test/lsp/client';
import { generateDockerfile } from './bench';
import { prng } from './prng';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

/** Terraform of about `bytes` characters: buckets, security groups and IAM policies. */
export function generateTerraform(bytes: number, seed: number): string {
  const random = prng(seed);
  const out: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const block =
      random() < 0.4
        ? `resource "aws_s3_bucket" "b${i}" {\n  bucket = "acme-${seed}-${i}"\n  acl    = "${random() < 0.5 ? 'private' : 'public-read'}"\n  tags = {\n    team = "platform"\n    env  = var.env\n  }\n}\n`
        : random() < 0.7
          ? `resource "aws_security_group" "sg${i}" {\n  name = "sg-${i}"\n  ingress {\n    from_port   = ${22 + i}\n    to_port     = ${22 + i}\n    protocol    = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n`
          : `locals {\n  l${i} = { for k, v in var.map${i} : k => upper(v) if v != "" }\n  s${i} = "\${var.prefix}-${i}-\${local.suffix}"\n}\n`;
    out.push(block);
    size += block.length + 1;
  }
  return out.join('\n');
}

/** Kubernetes manifests of about `bytes` characters. */
export function generateManifests(bytes: number, seed: number): string {
  const out: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const doc = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-${seed}-${i}\n  labels: { app: web }\nspec:\n  replicas: 2\n  selector:\n    matchLabels: { app: web }\n  template:\n    metadata:\n      labels: { app: web }\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27\n          ports: [{ containerPort: 8080 }]\n          securityContext:\n            privileged: ${i % 3 === 0}\n            runAsUser: 0\n          env:\n            - { name: MODE, value: production }\n`;
    out.push(doc);
    size += doc.length + 4;
  }
  return out.join('---\n');
}

function status(pid: number): { rss: number; peak: number } {
  const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { rss: kb('VmRSS') * 1024, peak: kb('VmHWM') * 1024 };
}

const mib = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;

/** RSS after the server has had `ms` of quiet (it settles once the last publication is out). */
async function settled(pid: number, ms = 1500): Promise<number> {
  await new Promise((r) => setTimeout(r, ms));
  return status(pid).rss;
}

async function main(): Promise<void> {
  const count = arg('documents', 200);
  const kb = arg('kb', 18);
  serverBundle(); // built from the current sources, or the test fails saying why
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fourfold-memory-'));
  const client = await LspClient.start({ root });
  const pid = client.pid!;
  try {
    const idle = await settled(pid, 500);
    const documents: { uri: string; languageId: string; text: string }[] = [];
    let bytes = 0;
    for (let i = 0; i < count; i++) {
      const kind = i % 10 < 5 ? 'dockerfile' : i % 10 < 8 ? 'terraform' : 'yaml';
      let text: string;
      let name: string;
      if (kind === 'dockerfile') {
        let lines = 600;
        text = generateDockerfile(lines, i);
        while (text.length < kb * 1000) text = generateDockerfile((lines += 20), i);
        name = `svc${i}/Dockerfile`;
      } else if (kind === 'terraform') {
        text = generateTerraform(kb * 1000, i);
        name = `mod${i}/main.tf`;
      } else {
        text = generateManifests(kb * 1000, i);
        name = `k8s/app${i}.yaml`;
      }
      bytes += text.length;
      documents.push({ uri: fileUri(path.join(root, name)), languageId: kind, text });
    }
    const start = Date.now();
    for (const d of documents) await client.open(d.uri, d.languageId, d.text);
    const openSeconds = (Date.now() - start) / 1000;
    const afterOpen = await settled(pid);
    const peakOpen = status(pid).peak;

    // A keystroke in every document (an edit on line 3), each waited for.
    for (const d of documents) await client.edit(d.uri, { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, '#');
    const afterEdits = await settled(pid);

    // Quick fixes asked for on the first finding of every document.
    for (const d of documents) {
      const diagnostic = client.diagnostics.get(d.uri)?.[0];
      if (diagnostic) await client.codeActions(d.uri, diagnostic);
    }
    const afterActions = await settled(pid);
    const { peak } = status(pid);
    console.log(`Fourfold language server memory · ${count} open documents · ${(bytes / 1e6).toFixed(2)} MB of text · Node ${process.version}`);
    console.log('| phase | RSS |');
    console.log('| --- | ---: |');
    console.log(`| idle (initialized, nothing open) | ${mib(idle)} |`);
    console.log(`| ${count} documents open (${openSeconds.toFixed(1)} s) | ${mib(afterOpen)} |`);
    console.log(`| after a keystroke in each | ${mib(afterEdits)} |`);
    console.log(`| after quick fixes asked in each | ${mib(afterActions)} |`);
    console.log(`| peak while opening (VmHWM) | ${mib(peakOpen)} |`);
    console.log(`| peak overall (VmHWM) | ${mib(peak)} |`);
    console.log(`peak / steady: ${(peak / Math.max(afterOpen, afterEdits, afterActions)).toFixed(2)}x`);
  } finally {
    await client.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

if (require.main === module) void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
