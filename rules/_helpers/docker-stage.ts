// Shared predicates for the container rules about stages and instructions: which stage a
// `--from` names, how stages use each other, instruction lookups, exec-form conversion and the
// sensitive file names that must not be copied into an image. No checks live here.
import type { Span } from '../_api';
import type { DockerfileModel, Flag, Instruction, Stage, Word } from '../_api';
import { allInstructions, expandedWord } from './docker-image';

// ---------------------------------------------------------------- positions

/** 1-based line of an offset, for messages that point at another instruction. */
export function lineNumber(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) line++;
  }
  return line;
}

// ---------------------------------------------------------------- instructions

export function flag(instruction: Instruction, name: string): Flag | undefined {
  return instruction.flags.find((f) => f.name.toLowerCase() === name);
}

/** The stage's own instructions with this keyword, in order (not the ones wrapped by `ONBUILD`). */
export function instructionsOf(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((i) => i.keyword === keyword);
}

// ---------------------------------------------------------------- stage references

export type StageReference =
  /** An earlier stage, as it should be. */
  | { kind: 'stage'; stage: Stage }
  /** The stage that contains the instruction. */
  | { kind: 'self'; stage: Stage }
  /** A stage defined further down the file. */
  | { kind: 'later'; stage: Stage }
  /** A numeric index that names no stage before this one. */
  | { kind: 'badIndex' }
  /** Clearly an image reference (`nginx:1.27`, `ghcr.io/acme/tools`, `alpine@sha256:…`). */
  | { kind: 'image' }
  /** Contains a variable: not known until build time. */
  | { kind: 'variable' }
  /** A bare word that is no stage of this file: Docker pulls an image of that name. */
  | { kind: 'unknown' };

/** Resolves a `COPY --from` / `--mount=from=` value used inside stage `current`. */
export function resolveStageReference(model: DockerfileModel, value: string, current: number): StageReference {
  if (value.includes('$')) return { kind: 'variable' };
  if (/^\d+$/.test(value)) {
    const index = Number(value);
    const stage = model.stages[index];
    if (index < current && stage) return { kind: 'stage', stage };
    if (index === current && stage) return { kind: 'self', stage };
    return { kind: 'badIndex' };
  }
  const name = value.toLowerCase();
  // Docker prefers a stage over an image of the same name, so look at the stages first.
  const named = model.stages.filter((s) => s.name === name);
  const earlier = named.filter((s) => s.index < current).at(-1);
  if (earlier) return { kind: 'stage', stage: earlier };
  const self = named.find((s) => s.index === current);
  if (self) return { kind: 'self', stage: self };
  if (named[0]) return { kind: 'later', stage: named[0] };
  if (/[/:@]/.test(value)) return { kind: 'image' };
  return { kind: 'unknown' };
}

/** `from=` of a `RUN --mount=…` flag value, with its offset inside that value. */
export function mountFrom(value: string): { value: string; offset: number } | undefined {
  const match = /(?:^|,)from=([^,]+)/.exec(value);
  return match ? { value: match[1], offset: match.index + match[0].indexOf('=') + 1 } : undefined;
}

export interface StageUse {
  /** A later stage is built `FROM` it, so it passes on its configuration (CMD, USER, HEALTHCHECK…). */
  asBase: boolean;
  /** A later stage copies files out of it (`COPY --from`, `RUN --mount=from=`). */
  asSource: boolean;
}

/** How each stage is used by the other stages of the file. */
export function stageUses(model: DockerfileModel): StageUse[] {
  const uses = model.stages.map(() => ({ asBase: false, asSource: false }));
  for (const stage of model.stages) {
    if (stage.baseStage !== undefined && uses[stage.baseStage]) uses[stage.baseStage].asBase = true;
    for (const instruction of stage.instructions) {
      for (const f of instruction.flags) {
        let value: string | undefined;
        if (f.name === 'from' && instruction.keyword === 'COPY') value = f.value;
        else if (f.name === 'mount' && instruction.keyword === 'RUN' && f.value) value = mountFrom(f.value)?.value;
        if (value === undefined) continue;
        const ref = resolveStageReference(model, value, stage.index);
        if (ref.kind === 'stage') uses[ref.stage.index].asSource = true;
      }
    }
  }
  return uses;
}

/**
 * Whether a stage's image configuration (CMD, ENTRYPOINT…) can matter: the final stage, a stage
 * another stage is built on, and a stage nothing uses (a likely `--target`). A stage that is only
 * copied from is a build step whose configuration never runs.
 */
export function configurationMatters(model: DockerfileModel, stage: Stage, uses: StageUse[] = stageUses(model)): boolean {
  if (stage.index === model.stages.length - 1) return true;
  const use = uses[stage.index];
  return !use || use.asBase || !use.asSource;
}

/** Levenshtein distance, for "did you mean" suggestions between short names. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}

// ---------------------------------------------------------------- exec form

/** Shell builtins and keywords: in exec form there is no shell to run them. */
const SHELL_ONLY = new Set(['cd', 'export', 'source', '.', 'set', 'unset', 'exit', 'eval', 'trap', 'ulimit', 'umask', 'wait', 'alias', 'read', 'shift', 'if', 'for', 'while', 'until', 'case', '{', '!']);

/**
 * The argv of a shell-form command when the shell would do nothing but split it on blanks: no
 * variables, quotes, escapes, redirections, operators, globs, comments, `~`, assignments or
 * builtins. A leading `exec` is dropped (exec form already makes the program PID 1).
 */
export function plainArgv(raw: string): string[] | undefined {
  if (!/^[A-Za-z0-9_\-./:,=@%+ \t]+$/.test(raw)) return undefined;
  const words = raw.trim().split(/[ \t]+/);
  if (words[0] === 'exec') words.shift();
  if (words.length === 0 || words[0].includes('=') || SHELL_ONLY.has(words[0])) return undefined;
  return words;
}

/**
 * The elements of an array that was meant as exec form but is not JSON: `[python, app.py]` or
 * `['node', 'server.js']`. Undefined when an element has anything that would need thought.
 */
export function almostJsonArray(raw: string): string[] | undefined {
  const match = /^\[(.*)\]$/s.exec(raw.trim());
  if (!match) return undefined;
  const elements = match[1].split(',').map((e) => e.trim());
  const out: string[] = [];
  for (const element of elements) {
    const value = /^'([^'"\\]*)'$/.exec(element)?.[1] ?? (/^[A-Za-z0-9_\-./:=@%+]+$/.test(element) ? element : undefined);
    if (value === undefined || value === '') return undefined;
    out.push(value);
  }
  return out;
}

/** `["node", "server.js"]`: JSON with a space after each comma, as Docker's docs write it. */
export function execForm(argv: readonly string[]): string {
  return `[${argv.map((a) => JSON.stringify(a)).join(', ')}]`;
}

// ---------------------------------------------------------------- sensitive files

export interface SensitiveFile {
  /** `privateKey`, `credentials`, `envFile`, `stateFile`: the rule's message id. */
  kind: 'privateKey' | 'credentials' | 'envFile' | 'stateFile';
  /** What it is, for the message: "an SSH private key". */
  what: string;
}

const SAMPLE_SUFFIX = /^(?:example|examples|sample|template|tmpl|tpl|dist|defaults?|schema|ci|test)$/i;
// Certificates, CA bundles and public keys share extensions with private keys.
const PUBLIC_PEM = /cert|crt|(?:^|[-_.])ca(?:[-_.]|$)|chain|bundle|public|pub(?:[-_.]|$)|trust|root/i;
const PUBLIC_KEY_FILE = /gpg|pgp|sign|apt|repo|release|archive|keyring|public|pub(?:[-_.]|$)/i;

const NAMED: Record<string, SensitiveFile> = {
  '.npmrc': { kind: 'credentials', what: 'an npm config file (registry auth tokens)' },
  '.pypirc': { kind: 'credentials', what: 'a PyPI config file (upload credentials)' },
  '.netrc': { kind: 'credentials', what: 'a .netrc file (login passwords)' },
  _netrc: { kind: 'credentials', what: 'a .netrc file (login passwords)' },
  '.git-credentials': { kind: 'credentials', what: 'a Git credential store' },
  '.pgpass': { kind: 'credentials', what: 'a PostgreSQL password file' },
  '.vault-token': { kind: 'credentials', what: 'a Vault token file' },
  '.dockercfg': { kind: 'credentials', what: 'a Docker registry auth file' },
  kubeconfig: { kind: 'credentials', what: 'a kubeconfig (cluster credentials)' },
  'credentials.json': { kind: 'credentials', what: 'a credentials file' },
  '.ssh': { kind: 'privateKey', what: 'an SSH directory (private keys)' },
  '.aws': { kind: 'credentials', what: 'an AWS config directory (access keys)' },
  '.gnupg': { kind: 'privateKey', what: 'a GnuPG keyring (private keys)' },
  'secring.gpg': { kind: 'privateKey', what: 'a GnuPG secret keyring' },
  'cwallet.sso': { kind: 'credentials', what: 'an Oracle wallet (stored database passwords)' },
  'ewallet.p12': { kind: 'credentials', what: 'an Oracle wallet (stored database passwords)' },
  '.htpasswd': { kind: 'credentials', what: 'an htpasswd file (password hashes)' },
  '.my.cnf': { kind: 'credentials', what: 'a MySQL client config (stored password)' },
  '.s3cfg': { kind: 'credentials', what: 'an s3cmd config (access keys)' },
  '.boto': { kind: 'credentials', what: 'a boto config (cloud access keys)' },
  '.terraformrc': { kind: 'credentials', what: 'a Terraform CLI config (registry tokens)' },
  'credentials.tfrc.json': { kind: 'credentials', what: 'a Terraform registry token file' },
  'application_default_credentials.json': { kind: 'credentials', what: 'Google Cloud application default credentials' },
  'settings-security.xml': { kind: 'credentials', what: 'a Maven master password file' },
};

/** What a copied path is, when its name says it holds a secret. Globs (`*.pem`, `.env*`) count. */
export function sensitiveFile(source: string): SensitiveFile | undefined {
  const path = source.replace(/[?#].*$/, '').replace(/\/+$/, '');
  const lower = path.toLowerCase();
  const base = lower.slice(lower.lastIndexOf('/') + 1);
  if (/(?:^|\/)\.aws\/credentials$/.test(lower)) return { kind: 'credentials', what: 'an AWS credentials file' };
  if (/(?:^|\/)\.docker\/config\.json$/.test(lower)) return { kind: 'credentials', what: 'a Docker config file (registry auths)' };
  if (/(?:^|\/)\.kube\/config$/.test(lower)) return { kind: 'credentials', what: 'a kubeconfig (cluster credentials)' };
  if (/(?:^|\/)\.(?:cargo|gem)\/credentials(?:\.toml)?$/.test(lower)) return { kind: 'credentials', what: 'a package registry credentials file' };
  if (/(?:^|\/)\.composer\/auth\.json$/.test(lower)) return { kind: 'credentials', what: 'a Composer auth file (registry tokens)' };
  if (/(?:^|\/)wallet\/?$/.test(lower)) return { kind: 'credentials', what: 'a wallet directory (stored credentials)' };
  if (NAMED[base]) return NAMED[base];
  if (/^id_(?:rsa|dsa|ecdsa|ed25519)(?:_sk)?$/.test(base)) return { kind: 'privateKey', what: 'an SSH private key' };
  const env = /^\.env(?:\.(.+))?$/.exec(base) ?? /^\.env(\*)$/.exec(base);
  if (env && !(env[1] && SAMPLE_SUFFIX.test(env[1]))) return { kind: 'envFile', what: 'an environment file' };
  if (/^client_secret.*\.json$/.test(base)) return { kind: 'credentials', what: 'an OAuth client secret file' };
  if (/\.tfstate(?:\.backup)?$/.test(base)) return { kind: 'stateFile', what: 'a Terraform state file (it stores secrets in plain text)' };
  const stem = base.replace(/\.[^.]*$/, '');
  if (base.endsWith('.pem') && !PUBLIC_PEM.test(stem)) return { kind: 'privateKey', what: 'a PEM file (a private key, by its name)' };
  if (base.endsWith('.key') && !PUBLIC_KEY_FILE.test(stem)) return { kind: 'privateKey', what: 'a private key file' };
  if (/\.(?:p12|pfx)$/.test(base)) return { kind: 'privateKey', what: 'a PKCS#12 keystore (private key and certificate)' };
  if (/\.(?:jks|jceks|bks|keystore)$/.test(base) && !/trust/.test(stem)) return { kind: 'privateKey', what: 'a Java keystore' };
  if (base.endsWith('.ppk')) return { kind: 'privateKey', what: 'a PuTTY private key' };
  if (base.endsWith('.kdbx')) return { kind: 'credentials', what: 'a KeePass password database' };
  return undefined;
}

/**
 * What a copied path is, glob classes included: `id_rs[a]` copies `id_rsa`. Each `[…]` class is
 * tried with its first character (negated classes are left as they are).
 */
export function sensitiveSource(source: string): SensitiveFile | undefined {
  const direct = sensitiveFile(source);
  if (direct || !source.includes('[')) return direct;
  return sensitiveFile(source.replace(/\[([^\]!^])[^\]]*\]/g, '$1'));
}

/** The source words of `COPY`/`ADD` (every argument but the destination), heredoc markers excluded. */
export function copySources(instruction: Instruction): { value: string; span: Span }[] {
  if (instruction.args.length < 2) return [];
  return instruction.args.slice(0, -1).filter((a) => !a.value.startsWith('<<'));
}

/** One port of an `EXPOSE` word: `8080`, `22/tcp`, `8000-8100/udp`; `low` is undefined when it does not parse. */
export interface ExposedPort {
  text: string;
  low?: number;
  high?: number;
  protocol?: string;
}

/**
 * Every word of every `EXPOSE` (ONBUILD ones too) with the ports it declares after variables are
 * expanded (`EXPOSE $PORTS` may hold several). Words whose variables are unknown are left out.
 */
export function* exposedPorts(model: DockerfileModel): Generator<{ word: Word; ports: ExposedPort[] }> {
  for (const instruction of allInstructions(model)) {
    if (instruction.keyword !== 'EXPOSE') continue;
    for (const word of instruction.args) {
      const { value, known } = expandedWord(model, instruction, word.value);
      if (!known) continue;
      const ports = value
        .split(/\s+/)
        .filter(Boolean)
        .map((text): ExposedPort => {
          const match = /^(\d+)(?:-(\d+))?(?:\/([a-z]+))?$/i.exec(text);
          if (!match) return { text };
          const low = Number(match[1]);
          return { text, low, high: match[2] === undefined ? low : Number(match[2]), protocol: match[3]?.toLowerCase() };
        });
      yield { word, ports };
    }
  }
}
