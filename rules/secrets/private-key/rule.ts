import type { Rule, Severity } from '../../_api';
import { shannonEntropy } from '../../_helpers/secrets';
import { isWhitespaceCode, trimEndWhere } from '../../_helpers/trim';

// A PEM (or PGP armor) private-key header. The body must follow: a mention in prose, a regex or a
// `startsWith('-----BEGIN PRIVATE KEY-----')` test has no base64 after the marker.
const BEGIN = /-----BEGIN ((?:RSA|EC|DSA|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY( BLOCK)?-----/g;
// Lines of a key as they appear in files: real newlines, or `\n` escapes inside a string.
const LINE_BREAK = /\r\n|\r|\n|\\r\\n|\\n/;
// RFC 1421 / OpenPGP armor headers: `Proc-Type: 4,ENCRYPTED`, `DEK-Info: …`, `Version: …`.
const ARMOR_HEADER = /^[A-Za-z][A-Za-z0-9-]*:\s/;
const BASE64_LINE = /^[A-Za-z0-9+/=]+$/;
// Real keys have hundreds of base64 characters; OpenSSH bodies start with runs of `A` (zero bytes),
// so entropy is measured over up to 256 characters, where even those score above 5 bits.
const MIN_BODY = 100;
const FILLER = /EXAMPLE|x{8,}|X{8,}/;
// What a key line picks up at its end inside a string or a list: `"`, `'`, `` ` ``, `,`, `;`, `\`.
const QUOTING = new Set([...'"\'`,;\\'].map((c) => c.charCodeAt(0)));
const isQuotingCode = (code: number) => QUOTING.has(code) || isWhitespaceCode(code);

interface KeyBody {
  encrypted: boolean;
}

/** Reads what follows the BEGIN marker; undefined unless it is a base64 key body. */
function keyBody(text: string, from: number): KeyBody | undefined {
  const lines = text.slice(from, from + 2000).split(LINE_BREAK);
  let encrypted = false;
  let body = '';
  for (let i = 0; i < lines.length; i++) {
    // Strip quoting and indentation that a key picks up inside YAML, JSON, HCL or a shell string.
    const line = trimEndWhere(lines[i].replace(/^[\s"'`]+/, ''), isQuotingCode);
    if (line === '') {
      if (body) break;
      continue;
    }
    if (!body && ARMOR_HEADER.test(line)) {
      if (/ENCRYPTED/i.test(line)) encrypted = true;
      continue;
    }
    if (!BASE64_LINE.test(line)) break;
    body += line;
    if (body.length >= 256) break;
  }
  if (body.length < MIN_BODY || FILLER.test(body) || shannonEntropy(body) < 4.2) return undefined;
  return { encrypted };
}

const rule: Rule<'text'> = {
  id: 'secrets/private-key',
  title: 'Private key in a file',
  severity: 'critical',
  layer: 'secrets',
  category: 'security',
  model: 'text',
  // An ENV or ARG holding a recognised credential is one problem: this finding names the credential.
  supersedes: ['docker/secret-in-env-arg'],
  description: 'A private key (PEM, OpenSSH or PGP) is written into a file that is checked in or built into an image.',
  references: {
    cwe: ['CWE-321', 'CWE-798'],
    cis: ['CIS Docker 4.10'],
    links: ['https://docs.docker.com/build/building/secrets/'],
  },
  messages: {
    privateKey: '{{kind}} private key in the file: anyone who can read the repository or pull the image holds it. Remove it, rotate it, and pass it at build time with `RUN --mount=type=secret` or at run time from a secret store.',
    encryptedKey: 'Encrypted {{kind}} private key in the file: it is only as safe as its passphrase, which can be brute-forced offline. Remove it, rotate it, and mount it with `RUN --mount=type=secret` or from a secret store.',
  },
  check(ctx) {
    for (const match of ctx.model.matchAll(BEGIN)) {
      const type = match[1]?.trim();
      if ((type === 'PGP') !== (match[2] !== undefined)) continue; // `PGP … KEY BLOCK`, others without BLOCK
      const end = match.index + match[0].length;
      const body = keyBody(ctx.model, end);
      if (!body) continue;
      const encrypted = body.encrypted || type === 'ENCRYPTED';
      const kind = type && type !== 'ENCRYPTED' ? type : 'PEM';
      const severity: Severity | undefined = encrypted ? 'high' : undefined;
      ctx.report({ messageId: encrypted ? 'encryptedKey' : 'privateKey', data: { kind }, span: { start: match.index, end }, severity });
    }
  },
};

export default rule;
