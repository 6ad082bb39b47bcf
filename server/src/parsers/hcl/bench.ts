// Parse-speed benchmark for `npm run bench`: a generated 5,000-line `.tf` and a 300-line
// keystroke re-parse. Numbers are measured, never asserted.
import { loadModule, parseHcl } from './index';

export interface HclBenchResult {
  lines: number;
  bytes: number;
  runs: number;
  p50Ms: number;
  p95Ms: number;
  mbPerSecond: number;
}

export interface HclBench {
  large: HclBenchResult;
  keystroke: HclBenchResult;
  /** Loading and evaluating every resource body of the 5,000-line module. */
  evaluate: HclBenchResult;
}

const now = (): number => (globalThis as unknown as { performance: { now(): number } }).performance.now();

const BLOCK = (i: number): string => `# Bucket ${i}: logs for team ${i % 7}
resource "aws_s3_bucket" "b${i}" {
  bucket = "\${local.prefix}-logs-\${var.env}-${i}"
  tags = merge(local.tags, {
    Name  = "logs-${i}"
    Index = ${i}
  })
}

resource "aws_security_group" "sg${i}" {
  name        = format("sg-%s-%03d", var.env, ${i})
  description = "Allow TLS inbound traffic"
  vpc_id      = aws_vpc.main.id

  dynamic "ingress" {
    for_each = [for p in var.ports : p if p != 22]
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = var.env == "prod" ? ["10.0.0.0/8"] : ["0.0.0.0/0"]
    }
  }
}

resource "aws_iam_policy" "p${i}" {
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [{ "Effect": "Allow", "Action": "s3:*", "Resource": "\${aws_s3_bucket.b${i}.arn}/*" }]
    }
  EOT
}
`;

const HEADER = `variable "env" {
  default = "dev"
}

variable "ports" {
  default = [22, 80, 443]
}

locals {
  prefix = "acme"
  tags   = { Owner = "platform", Env = var.env }
}

resource "aws_vpc" "main" {
  cidr_block = cidrsubnet("10.0.0.0/8", 8, 1)
}
`;

/** A realistic Terraform file of about `lines` lines. */
export function generateTf(lines: number): string {
  let text = HEADER;
  for (let i = 0; text.split('\n').length < lines; i++) text += '\n' + BLOCK(i);
  return text.split('\n').slice(0, lines).join('\n') + '\n';
}

function measure(text: string, runs: number, fn: () => void): HclBenchResult {
  for (let i = 0; i < Math.min(20, runs); i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = now();
    fn();
    times.push(now() - start);
  }
  times.sort((a, b) => a - b);
  const p50 = times[Math.floor(runs * 0.5)];
  const p95 = times[Math.min(runs - 1, Math.floor(runs * 0.95))];
  return {
    lines: text.split('\n').length - 1,
    bytes: text.length,
    runs,
    p50Ms: round(p50),
    p95Ms: round(p95),
    mbPerSecond: round(text.length / 1e6 / (p50 / 1000)),
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

export function benchHcl(opts: { runs?: number } = {}): HclBench {
  const runs = opts.runs ?? 100;
  const large = generateTf(5000);
  const small = generateTf(300);
  return {
    large: measure(large, runs, () => void parseHcl(large)),
    keystroke: measure(small, runs * 5, () => void parseHcl(small)),
    evaluate: measure(large, Math.max(5, runs / 10), () => {
      const module = loadModule([{ path: 'bench/main.tf', text: large }]);
      for (const resource of module.resources) module.body(resource);
    }),
  };
}
