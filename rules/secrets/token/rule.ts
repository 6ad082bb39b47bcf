import type { Rule } from '../../_api';
import { looksRandom } from '../../_helpers/secrets';

interface TokenFormat {
  messageId: string;
  provider: string;
  /** Matches the whole token; `(?<![\w-])` / `(?![\w-])` keep it from matching inside longer words. */
  pattern: RegExp;
  /** The random part, checked for entropy and placeholders. */
  random: (token: string) => string;
  /** Bits per character the random part needs; hex alphabets top out at 4. */
  minEntropy?: number;
}

const after = (prefix: number) => (token: string) => token.slice(prefix);

// Formats with a fixed, vendor-specific prefix or checksum-bearing shape: these almost never occur
// by accident, so a match is a token (unless its random part is obviously a placeholder).
const FORMATS: TokenFormat[] = [
  { messageId: 'github', provider: 'GitHub', pattern: /(?<![\w-])gh[pousr]_[A-Za-z0-9]{36,251}(?![\w-])/g, random: after(4) },
  { messageId: 'github', provider: 'GitHub', pattern: /(?<![\w-])github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}(?![\w-])/g, random: after(11) },
  { messageId: 'gitlab', provider: 'GitLab', pattern: /(?<![\w-])glpat-[A-Za-z0-9_-]{20,}(?![\w-])/g, random: after(6) },
  { messageId: 'slack', provider: 'Slack', pattern: /(?<![\w-])xox[baprs]-[0-9]{6,}-[0-9A-Za-z-]{10,}(?![\w-])/g, random: after(5) },
  { messageId: 'stripe', provider: 'Stripe', pattern: /(?<![\w-])[sr]k_live_[0-9A-Za-z]{24,}(?![\w-])/g, random: after(8) },
  { messageId: 'google', provider: 'Google API', pattern: /(?<![\w-])AIza[0-9A-Za-z_-]{35}(?![\w-])/g, random: after(4) },
  { messageId: 'npm', provider: 'npm', pattern: /(?<![\w-])npm_[A-Za-z0-9]{36}(?![\w-])/g, random: after(4) },
  // OpenAI keys carry "T3BlbkFJ" (base64 of "OpenAI") in the middle: `sk-…T3BlbkFJ…`, `sk-proj-…`.
  { messageId: 'openai', provider: 'OpenAI', pattern: /(?<![\w-])sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}(?![\w-])/g, random: (t) => t.replace(/^sk-(?:proj-|svcacct-|admin-)?/, '') },
  { messageId: 'anthropic', provider: 'Anthropic', pattern: /(?<![\w-])sk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{80,}(?![\w-])/g, random: after(14) },
  { messageId: 'sendgrid', provider: 'SendGrid', pattern: /(?<![\w-])SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![\w-])/g, random: after(3) },
  { messageId: 'twilio', provider: 'Twilio', pattern: /(?<![\w-])SK[0-9a-f]{32}(?![\w-])/g, random: after(2), minEntropy: 3 },
];

const ADVICE = 'Revoke it, then pass it at build time with `RUN --mount=type=secret` or at run time from a secret store.';

const rule: Rule<'text'> = {
  id: 'secrets/token',
  title: 'API token in a file',
  severity: 'high',
  layer: 'secrets',
  category: 'security',
  model: 'text',
  // An ENV or ARG holding a recognised credential is one problem: this finding names the credential.
  supersedes: ['docker/secret-in-env-arg'],
  description: 'A token in a well-known vendor format (GitHub, GitLab, Slack, Stripe, Google, npm, OpenAI, Anthropic, SendGrid, Twilio) is written into a file.',
  references: {
    cwe: ['CWE-798'],
    cis: ['CIS Docker 4.10'],
    trivy: ['AVD-DS-0031'],
    links: ['https://docs.docker.com/build/building/secrets/'],
  },
  messages: {
    github: `GitHub token in the file: it acts with its owner's repository access. ${ADVICE}`,
    gitlab: `GitLab personal access token in the file. ${ADVICE}`,
    slack: `Slack token in the file: it reads and posts as its bot or user. ${ADVICE}`,
    stripe: `Stripe live secret key in the file: it moves real money. ${ADVICE}`,
    google: `Google API key in the file: it is billed to your project. Restrict or delete it, then ${ADVICE.charAt(0).toLowerCase()}${ADVICE.slice(1)}`,
    npm: `npm access token in the file: it can publish packages as its owner. ${ADVICE}`,
    openai: `OpenAI API key in the file: usage is billed to your account. ${ADVICE}`,
    anthropic: `Anthropic API key in the file: usage is billed to your account. ${ADVICE}`,
    sendgrid: `SendGrid API key in the file: it sends mail as your domain. ${ADVICE}`,
    twilio: `Twilio API key in the file. ${ADVICE}`,
  },
  check(ctx) {
    const seen = new Set<number>();
    for (const format of FORMATS) {
      for (const match of ctx.model.matchAll(format.pattern)) {
        if (seen.has(match.index) || !looksRandom(format.random(match[0]), format.minEntropy ?? 3.5)) continue;
        seen.add(match.index);
        ctx.report({ messageId: format.messageId, data: { provider: format.provider }, span: { start: match.index, end: match.index + match[0].length } });
      }
    }
  },
};

export default rule;
