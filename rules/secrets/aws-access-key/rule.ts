import type { Rule } from '../../_api';
import { LINES } from '../../_helpers/lines';
import { distinctChars, looksLikePlaceholder, shannonEntropy } from '../../_helpers/secrets';

// Access key ids: AKIA (long-term user keys), ASIA (STS session keys), ABIA / ACCA (service bearer
// and context keys), then 16 characters of AWS's base32 alphabet.
const KEY_ID = /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}(?![A-Za-z0-9])/g;
// A secret access key under a name that says so: `aws_secret_access_key = …`, `AWS_SECRET_ACCESS_KEY=…`,
// `"SecretAccessKey": "…"`, `--aws-secret-access-key …`.
const LABELLED_SECRET = /(?:aws[_-]?secret[_-]?(?:access[_-]?)?key|secret[_-]?access[_-]?key)["']?(?:\s*[:=]\s*|\s+)["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gi;
// Any 40-character base64 word: a secret when it sits right next to an access key id.
const BARE_SECRET = /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;
/** How many lines around an access key id an unlabelled secret may be. */
const NEAR_LINES = 3;

function looksLikeSecretKey(value: string): boolean {
  // Random base64: both cases and digits (so never a hex digest such as a git SHA), high entropy.
  return /[A-Z]/.test(value) && /[a-z]/.test(value) && /[0-9]/.test(value) && !looksLikePlaceholder(value) && shannonEntropy(value) >= 4;
}

/** Whether an access key id sits within NEAR_LINES of `line`; `idLines` ascend, so a binary search. */
function hasNear(idLines: readonly number[], line: number): boolean {
  let lo = 0;
  let hi = idLines.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (idLines[mid] < line - NEAR_LINES) lo = mid + 1;
    else hi = mid;
  }
  return lo < idLines.length && idLines[lo] <= line + NEAR_LINES;
}

const rule: Rule<'text'> = {
  id: 'secrets/aws-access-key',
  title: 'AWS access key in a file',
  severity: 'critical',
  layer: 'secrets',
  category: 'security',
  model: 'text',
  // An ENV or ARG holding a recognised credential is one problem: this finding names the credential.
  supersedes: ['docker/secret-in-env-arg'],
  description: 'An AWS access key id, or the secret access key that goes with it, is written into a file.',
  references: {
    cwe: ['CWE-798'],
    cis: ['CIS Docker 4.10'],
    trivy: ['AVD-DS-0031'],
    links: ['https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html'],
  },
  messages: {
    accessKeyId: 'AWS access key id {{id}} in the file. With its secret it signs requests as that identity; deactivate and rotate the key, and give the build or the workload credentials from an IAM role, `RUN --mount=type=secret` or a secret store.',
    secretAccessKey: 'AWS secret access key in the file: whoever reads it can sign requests as its owner. Deactivate and rotate the key, and use an IAM role, `RUN --mount=type=secret` or a secret store instead.',
  },
  check(ctx) {
    const text = ctx.model;
    const ids: number[] = [];
    for (const match of text.matchAll(KEY_ID)) {
      const id = match[0];
      // `AKIAIOSFODNN7EXAMPLE` and friends come from AWS's documentation.
      if (id.includes('EXAMPLE') || distinctChars(id.slice(4)) < 8) continue;
      ids.push(ctx.index(LINES).position(match.index).line);
      ctx.report({ messageId: 'accessKeyId', data: { id: `${id.slice(0, 8)}…` }, span: { start: match.index, end: match.index + id.length } });
    }

    const reported = new Set<number>();
    for (const match of text.matchAll(LABELLED_SECRET)) {
      const value = match[1];
      if (!looksLikeSecretKey(value)) continue;
      const start = match.index + match[0].length - value.length;
      reported.add(start);
      ctx.report({ messageId: 'secretAccessKey', span: { start, end: start + value.length } });
    }
    if (ids.length === 0) return;
    for (const match of text.matchAll(BARE_SECRET)) {
      if (reported.has(match.index) || !looksLikeSecretKey(match[0])) continue;
      const line = ctx.index(LINES).position(match.index).line;
      if (!hasNear(ids, line)) continue;
      ctx.report({ messageId: 'secretAccessKey', span: { start: match.index, end: match.index + match[0].length } });
    }
  },
};

export default rule;
