// Shared predicates for the container rules about single instructions: flags, COPY/ADD sources,
// the instructions among a rule's nodes with those ONBUILD wraps, variable expansion (one pass over
// the stage graph per analysis), the ports EXPOSE declares, exec-form conversion and the sensitive
// file names that must not be copied into an image. No checks live here.
import type { DockerfileModel, Flag, Index, Instruction, Source, Stage, Word } from '../_api';
import { STAGES } from './docker-stage';
import { withoutTrailingSlashes } from './trim';

// ---------------------------------------------------------------- instructions

export function flag(instruction: Instruction, name: string): Flag | undefined {
  return instruction.flags.find((f) => f.name.toLowerCase() === name);
}

/**
 * The instructions among `nodes` with one of these keywords, each wrapped one (`ONBUILD ADD …`, which
 * runs in every child image) right after its wrapper. A rule that reads wrapped ones visits `ONBUILD`.
 */
export function* withOnbuild(nodes: readonly Instruction[], ...keywords: string[]): Generator<Instruction> {
  for (const node of nodes) {
    if (keywords.includes(node.keyword)) yield node;
    if (node.onbuild && keywords.includes(node.onbuild.keyword)) yield node.onbuild;
  }
}

/** The source words of a COPY or ADD: every argument but the destination, heredoc markers (`<<EOF`) excluded. */
export function copySources(instruction: Instruction): Word[] {
  if (instruction.args.length < 2) return [];
  return instruction.args.slice(0, -1).filter((a) => !a.value.startsWith('<<'));
}

// ---------------------------------------------------------------- variables

/** Expands `$NAME`, `${NAME}`, `${NAME:-default}`; undefined when a variable has no known value. */
export function expandVariables(text: string, lookup: (name: string) => string | undefined): string | undefined {
  let unknown = false;
  const out = text.replace(/\$(?:\{(\w+)(?:(:?[-+])([^}]*))?\}|(\w+))/g, (_whole, braced: string | undefined, op: string | undefined, word: string | undefined, bare: string | undefined) => {
    const value = lookup(braced ?? bare ?? '');
    const set = value !== undefined && (op?.startsWith(':') ? value !== '' : true);
    if (op?.endsWith('-')) return set ? value : (word ?? '');
    if (op?.endsWith('+')) return set ? (word ?? '') : '';
    if (value === undefined) unknown = true;
    return value ?? '';
  });
  return unknown ? undefined : out;
}

/** Instructions whose arguments Docker itself expands (in RUN, CMD and ENTRYPOINT the shell does). */
const EXPANDED = new Set(['ADD', 'COPY', 'ENV', 'EXPOSE', 'LABEL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR']);

/** A variable's value where an instruction reads it: a string, or undefined when it is set but not known (or not set). */
export type Lookup = (name: string) => string | undefined;

/**
 * Text after expansion: `known` when every variable in it had a known value; otherwise `text` is
 * what can be said (known variables replaced, the others left as written: `https://x/${VERSION}.tgz`).
 */
export interface Expanded {
  text: string;
  known: boolean;
}

/** A variable as the walk keeps it: its expanded value, or null when it is set to something not known at all. */
type Held = Expanded | null;

/** Like `expandVariables`, but says what it can of text whose variables are not all known. */
function expandText(text: string, get: (name: string) => Held | undefined): Expanded {
  let known = true;
  const out = text.replace(/\$(?:\{(\w+)(?:(:?[-+])([^}]*))?\}|(\w+))/g, (whole, braced: string | undefined, op: string | undefined, word: string | undefined, bare: string | undefined) => {
    const held = get(braced ?? bare ?? '');
    if (op) {
      // `${X:-default}` and `${X:+alt}` need X's value to decide.
      if (held === undefined) return op.endsWith('-') ? (word ?? '') : '';
      if (held === null || !held.known) {
        known = false;
        return whole;
      }
      const set = op.startsWith(':') ? held.text !== '' : true;
      if (op.endsWith('-')) return set ? held.text : (word ?? '');
      return set ? (word ?? '') : '';
    }
    if (!held?.known) known = false;
    return held ? held.text : whole;
  });
  return { text: out, known };
}

/** Sets every pair of an ENV or ARG, each value expanded with what was in force before the instruction (as Docker does). */
function assignments(instruction: Instruction, get: (name: string) => Held | undefined, globals: ReadonlyMap<string, Held>, isSet: (name: string) => boolean): [string, Held][] {
  const out: [string, Held][] = [];
  for (const pair of instruction.pairs) {
    if (instruction.keyword === 'ARG' && pair.value === undefined) {
      // `ARG NAME` keeps a value already in force, else takes the global default.
      if (!isSet(pair.key)) out.push([pair.key, globals.get(pair.key) ?? null]);
      continue;
    }
    out.push([pair.key, expandText(pair.value ?? '', get)]);
  }
  return out;
}

/** The global ARGs (before the first FROM) with their defaults expanded in order. */
function globalValues(model: DockerfileModel): Map<string, Held> {
  const out = new Map<string, Held>();
  for (const instruction of model.instructions) {
    if (instruction.stageIndex >= 0) break;
    if (instruction.keyword !== 'ARG') continue;
    for (const pair of instruction.pairs) out.set(pair.key, pair.value === undefined ? null : expandText(pair.value, (name) => out.get(name)));
  }
  return out;
}

/**
 * Calls `visit` for every instruction of every stage (an ONBUILD one with its wrapper) with the
 * variables in force just before it: the ENV of the stages its stage is built on, and its own
 * stage's ENV and ARG before it (an ARG without a default takes the global one). ENV and ARG
 * values are expanded as Docker expands them, so `ENV PORT=$APP_PORT` after `ARG APP_PORT=8080`
 * reads 8080. `lookup` gives known values only; `expand` expands a text, saying what it can where
 * a value is not known. One walk down the tree of `FROM <stage>`, ENV set on the way down and
 * restored on the way up, so a chain of thousands of stages is read once.
 */
export function walkVariables(source: Source<'dockerfile'>, visit: (instruction: Instruction, stage: Stage, lookup: Lookup, expand: (text: string) => Expanded) => void): void {
  const { model } = source;
  const graph = source.index(STAGES);
  const globals = globalValues(model);
  const children = model.stages.map((): Stage[] => []);
  const roots: Stage[] = [];
  for (const stage of model.stages) {
    const base = graph.base(stage);
    (base ? children[base.index] : roots).push(stage);
  }
  // ENV inherited from the stages above, and the stage's own ENV and ARG.
  const env = new Map<string, Held>();
  let local = new Map<string, Held>();
  const get = (name: string): Held | undefined => (local.has(name) ? local.get(name) : env.get(name));
  const lookup: Lookup = (name) => {
    const held = get(name);
    return held?.known ? held.text : undefined;
  };
  const expand = (text: string) => expandText(text, get);
  const isSet = (name: string) => local.has(name) || env.has(name);
  const stack: { stage: Stage; restore?: [string, boolean, Held | undefined][] }[] = roots.map((stage) => ({ stage }));
  while (stack.length > 0) {
    const { stage, restore } = stack.pop()!;
    if (restore) {
      for (let i = restore.length - 1; i >= 0; i--) {
        const [key, had, value] = restore[i];
        if (had) env.set(key, value!);
        else env.delete(key);
      }
      continue;
    }
    local = new Map();
    // What this stage's ENV sets, for the stages built on it (they inherit its ENV, not its ARGs).
    const exported = new Map<string, Held>();
    for (const instruction of stage.instructions) {
      visit(instruction, stage, lookup, expand);
      if (instruction.onbuild) visit(instruction.onbuild, stage, lookup, expand);
      if (instruction.keyword !== 'ENV' && instruction.keyword !== 'ARG') continue;
      for (const [key, value] of assignments(instruction, get, globals, isSet)) {
        local.set(key, value);
        if (instruction.keyword === 'ENV') exported.set(key, value);
      }
    }
    const saved: [string, boolean, Held | undefined][] = [];
    for (const [key, value] of exported) {
      saved.push([key, env.has(key), env.get(key)]);
      env.set(key, value);
    }
    stack.push({ stage, restore: saved });
    for (const child of children[stage.index]) stack.push({ stage: child });
  }
}

/** Every argument with a `$` of the instructions Docker expands, expanded as far as the file says (one walk). */
const EXPANDED_WORDS: Index<'dockerfile', ReadonlyMap<Word, Expanded>> = {
  name: 'docker.expandedWords',
  compute(source) {
    const out = new Map<Word, Expanded>();
    walkVariables(source, (instruction, _stage, _lookup, expand) => {
      if (!EXPANDED.has(instruction.keyword)) return;
      for (const word of instruction.args) if (word.value.includes('$')) out.set(word, expand(word.value));
    });
    return out;
  },
};

/**
 * Every argument with a `$` of the instructions Docker expands, with its value where every variable
 * in it is known (undefined where one is not), as `walkVariables` sees them.
 */
export const EXPANSIONS: Index<'dockerfile', ReadonlyMap<Word, string | undefined>> = {
  name: 'docker.expansions',
  compute(source) {
    const out = new Map<Word, string | undefined>();
    for (const [word, expanded] of source.index(EXPANDED_WORDS)) out.set(word, expanded.known ? expanded.text : undefined);
    return out;
  },
};

/**
 * An argument with the variables of its stage substituted: `known` when all of them have values
 * here; otherwise `value` is as much as the file says (`https://x/${VERSION}.tgz`), the raw text at worst.
 */
export function expandedWord(source: Source<'dockerfile'>, word: Word): { value: string; known: boolean } {
  if (!word.value.includes('$')) return { value: word.value, known: true };
  const expanded = source.index(EXPANDED_WORDS).get(word);
  return expanded ? { value: expanded.text, known: expanded.known } : { value: word.value, known: false };
}

// ---------------------------------------------------------------- ports

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
export const EXPOSED_PORTS: Index<'dockerfile', readonly { word: Word; ports: ExposedPort[] }[]> = {
  name: 'docker.exposedPorts',
  compute(source) {
    const out: { word: Word; ports: ExposedPort[] }[] = [];
    for (const instruction of withOnbuild(source.model.instructions, 'EXPOSE')) {
      for (const word of instruction.args) {
        const { value, known } = expandedWord(source, word);
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
        out.push({ word, ports });
      }
    }
    return out;
  },
};

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
  'tomcat-users.xml': { kind: 'credentials', what: 'a Tomcat user file (plain-text passwords)' },
};

/** What a copied path is, when its name says it holds a secret. Globs (`*.pem`, `.env*`) count. */
export function sensitiveFile(source: string): SensitiveFile | undefined {
  const path = withoutTrailingSlashes(source.replace(/[?#].*$/, ''));
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
  // One pass: each `[…]` class becomes its first character (a regex here is quadratic on `[[[…`).
  let out = '';
  let noMoreClose = false;
  for (let i = 0; i < source.length; i++) {
    const opens = !noMoreClose && source[i] === '[' && source[i + 1] !== '!' && source[i + 1] !== '^' && source[i + 1] !== ']';
    const close = opens ? source.indexOf(']', i + 2) : -1;
    if (opens && close < 0) noMoreClose = true;
    if (close < 0) {
      out += source[i];
      continue;
    }
    out += source[i + 1];
    i = close;
  }
  return sensitiveFile(out);
}
