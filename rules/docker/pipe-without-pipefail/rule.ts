import type { Index, Instruction, Rule } from '../../_api';
import { baseName, pipelinesOf, RUN_STEPS, writtenFiles, type Command } from '../../_helpers/docker-shell';
import { STAGES } from '../../_helpers/docker-stage';

/**
 * Sources that read what is already in the image or the build and do not fail in practice: when one
 * does, it prints nothing and the command consuming its output fails or the next step does. Version
 * probes (`x --version`) belong here too. Pipes fed only by these are not flagged; a failed
 * download or a script that dies half-way is what the rule is about.
 */
const LOCAL_SOURCES = new Set([
  'echo', 'printf', 'yes', 'true', 'cat', 'tac', 'find', 'ls', 'stat', 'scanelf', 'readelf', 'ldd', 'objdump', 'nm', 'dpkg', 'dpkg-query',
  'dpkg-architecture', 'rpm', 'apk', 'apt-cache', 'apt-mark', 'sort', 'uniq', 'tr', 'cut', 'sed', 'awk', 'gawk', 'mawk', 'head', 'tail', 'grep',
  'egrep', 'fgrep', 'xargs', 'env', 'printenv', 'id', 'uname', 'locale', 'getent', 'basename', 'dirname', 'realpath', 'readlink', 'which',
  'command', 'wc', 'nl', 'column', 'paste', 'jq', 'base64', 'date', 'hostname', 'nproc', 'arch', 'lsb_release', 'seq', 'comm', 'join', 'fold',
  'rev', 'od', 'xxd', 'hexdump', 'sha256sum', 'sha1sum', 'sha512sum', 'md5sum', 'cksum', 'file', 'du', 'df', 'ps', 'pwd', 'tee',
]);
const VERSION_PROBE = new Set(['--version', '-version', '-v', '-V', 'version', '--help']);
const DOWNLOADERS = new Set(['curl', 'wget']);
const NON_POSIX = /^(pwsh|powershell|cmd)(\.exe)?$/i;
/** grep's options that take a value: `-e -q` searches for `-q`, it does not quieten. */
const GREP_VALUE_LETTERS = 'efmABCdD';
const GREP_LONG_VALUE_OPTIONS = new Set(['--regexp', '--file', '--max-count', '--after-context', '--before-context', '--context', '--label', '--binary-files', '--directories', '--devices', '--exclude', '--exclude-from', '--exclude-dir', '--include', '--group-separator']);

function isLocalSource(cmd: Command): boolean {
  return LOCAL_SOURCES.has(cmd.name) || (cmd.args.length === 1 && VERSION_PROBE.has(cmd.args[0].value));
}

/**
 * A pipe that ends in a check is the check itself: on the empty input a failed source leaves, it
 * exits non-zero and fails the build anyway. `grep -q` (`-Fxq`, `--quiet`, `--silent`) and
 * `sha256sum -c -` (any `*sum --check`, `shasum -c`) are such checks.
 */
function endsInCheck(cmd: Command): boolean {
  if (/^(?:sha(?:1|224|256|384|512)sum|shasum|b2sum|md5sum)$/.test(cmd.name)) {
    return cmd.args.some((a) => a.value === '--check' || (/^-[a-zA-Z0-9]+$/.test(a.value) && a.value.includes('c')));
  }
  return isQuietGrep(cmd);
}

/**
 * Consumers that fail on empty or cut-off input, so a failed source fails the build through them:
 * `tar` (an empty or truncated archive is an error), decompressors (a truncated stream is), `gpg`
 * and `apt-key` (no valid OpenPGP data, or a bad checksum of a cut-off armoured key). Checked here:
 * `printf '' | tar -x` exits 2, `| tar -xz` 2, `| gunzip` 1, `| gpg --dearmor` 2, `| gpg --import` 2.
 */
function failsOnBrokenInput(cmd: Command): boolean {
  if (/^(?:tar|bsdtar|gunzip|zcat|unxz|xzcat|bunzip2|bzcat|unzstd|zstdcat|unlzma|gpg2?|apt-key)$/.test(cmd.name)) return true;
  if (/^(?:gzip|xz|bzip2|zstd|lzma)$/.test(cmd.name)) return cmd.args.some((a) => a.value === '--decompress' || /^-[a-zA-Z0-9]*d/.test(a.value));
  return false;
}

/**
 * grep exits 1 when it selects no line, so on the empty output of a failed local source it fails
 * the build too (a cut-off download can still match: that case is flagged).
 */
function isGrep(cmd: Command): boolean {
  return /^[ef]?grep$/.test(cmd.name);
}

function isQuietGrep(cmd: Command): boolean {
  if (!isGrep(cmd)) return false;
  const args = cmd.args;
  for (let i = 0; i < args.length; i++) {
    const v = args[i].value;
    if (v === '--') break;
    if (v === '--quiet' || v === '--silent') return true;
    if (GREP_LONG_VALUE_OPTIONS.has(v)) i++;
    else if (/^-[^-]/.test(v)) {
      for (let k = 1; k < v.length; k++) {
        if (v[k] === 'q') return true;
        if (GREP_VALUE_LETTERS.includes(v[k])) {
          if (k === v.length - 1) i++; // `-e PATTERN`: the value is the next word
          break;
        }
      }
    }
  }
  return false;
}

/** Where apt looks for repository keys: an empty key written there makes `apt-get update` fail. */
const APT_KEYRING = /^(?:\/etc\/apt\/(?:trusted\.gpg\.d|keyrings)\/|\/usr\/share\/keyrings\/)/;

function writesAptKeyring(cmd: Command): boolean {
  return writtenFiles(cmd).some((file) => APT_KEYRING.test(file));
}

function isAptUpdate(cmd: Command): boolean {
  return (cmd.name === 'apt-get' || cmd.name === 'apt') && cmd.args.some((a) => a.value === 'update');
}

/**
 * Whether a failure on the left of this pipe could go unnoticed: some source is a download or a
 * program that is not a local read, and what consumes the output succeeds on empty or partial
 * input. Pipes inside `$( … )` are left alone: their failure leaves an empty value, which the
 * command that uses it (a URL, a package list) meets first.
 */
function failureGoesUnnoticed(pipeline: readonly Command[], aptUpdateAfter: (cmd: Command) => boolean): boolean {
  const last = pipeline[pipeline.length - 1];
  const sources = pipeline.slice(0, -1);
  if (last.substitution || sources.some((c) => c.substitution)) return false;
  if (sources.every(isLocalSource)) return false;
  if (endsInCheck(last) || failsOnBrokenInput(last)) return false;
  const downloads = sources.some((c) => DOWNLOADERS.has(c.name));
  if (isGrep(last) && !downloads) return false;
  // A repository key written into apt's keyrings is checked by the `apt-get update` that follows.
  if (pipeline.some(writesAptKeyring) && aptUpdateAfter(last)) return false;
  return true;
}

/** Whether `set -o pipefail` (or `set -euxo pipefail`) is this command. */
function setsPipefail(c: Command): boolean {
  return c.name === 'set' && c.args.some((a, i) => a.value === 'pipefail' && /^-[a-zA-Z]*o$/.test(c.args[i - 1]?.value ?? ''));
}

const DEFAULT_SHELL: readonly string[] = ['/bin/sh', '-c'];

/**
 * The SHELL argv each RUN runs under (keyed by the instruction in the file: the ONBUILD for
 * `ONBUILD RUN`): the last SHELL before it in its stage, else the one its stage inherits through
 * `FROM <stage>`. One pass over the stages in file order.
 */
const SHELL_AT_RUN: Index<'dockerfile', ReadonlyMap<Instruction, readonly string[]>> = {
  name: 'docker.pipefail.shellAtRun',
  compute(source) {
    const graph = source.index(STAGES);
    const atEnd: (readonly string[])[] = [];
    const out = new Map<Instruction, readonly string[]>();
    for (const stage of graph.stages) {
      const base = graph.base(stage);
      let shell = base ? atEnd[base.index] : DEFAULT_SHELL;
      for (const ins of stage.instructions) {
        if (ins.keyword === 'SHELL' && ins.jsonForm && ins.args.length) shell = ins.args.map((a) => a.value);
        else if (ins.keyword === 'RUN' || ins.onbuild?.keyword === 'RUN') out.set(ins, shell);
      }
      atEnd[stage.index] = shell;
    }
    return out;
  },
};

const rule: Rule<'dockerfile'> = {
  id: 'docker/pipe-without-pipefail',
  title: 'Pipe in RUN without pipefail',
  severity: 'low',
  layer: 'container',
  category: 'hygiene',
  model: 'dockerfile',
  description: 'A RUN pipes one command into another without `pipefail`, so a failure on the left of the pipe (a failed download, say) does not fail the build.',
  references: {
    cwe: ['CWE-754'],
    hadolint: ['DL4006'],
    kics: ['efbf148a-67e9-42d2-ac47-02fa1c0d0b22'],
  },
  messages: {
    pipe: 'Only the exit status of the last command in this pipe counts: if `{{source}}` fails, the build carries on with partial or empty input. Set `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` before this RUN (or, where there is no bash, start it with `set -o pipefail &&`, which BusyBox ash accepts).',
  },
  visits: ['RUN', 'ONBUILD'],
  check(ctx) {
    const shells = ctx.index(SHELL_AT_RUN);
    for (const step of ctx.index(RUN_STEPS)) {
      if (step.run.jsonForm) continue;
      const shell = shells.get(step.outer) ?? DEFAULT_SHELL;
      if (NON_POSIX.test(baseName(shell[0] ?? ''))) continue;
      if (shell.some((a, i) => a === 'pipefail' && /^-[a-zA-Z]*o$/.test(shell[i - 1] ?? ''))) continue;
      const cmds = step.commands.filter((c) => !c.nested);
      // `set -o pipefail` in an earlier command of the same RUN covers the pipes after it.
      const position = new Map(cmds.map((c, i) => [c, i]));
      let lastAptUpdate = -1;
      cmds.forEach((c, i) => {
        if (isAptUpdate(c)) lastAptUpdate = i;
      });
      const aptUpdateAfter = (cmd: Command) => (position.get(cmd) ?? Infinity) < lastAptUpdate;
      let pipefail = false;
      for (const pipeline of pipelinesOf(cmds)) {
        if (pipeline.length >= 2) {
          if (pipefail) break;
          if (failureGoesUnnoticed(pipeline, aptUpdateAfter)) {
            const sources = pipeline.slice(0, -1);
            const first = sources.find((c) => !isLocalSource(c)) ?? sources[0];
            const next = pipeline[pipeline.indexOf(first) + 1];
            const bar = ctx.text.indexOf('|', first.span.end);
            const span = bar >= 0 && bar < next.span.start ? { start: bar, end: bar + 1 } : first.program?.span ?? first.span;
            ctx.report({ messageId: 'pipe', data: { source: first.name || 'the first command' }, span });
            break;
          }
        }
        pipefail ||= pipeline.some(setsPipefail);
      }
    }
  },
};

export default rule;
