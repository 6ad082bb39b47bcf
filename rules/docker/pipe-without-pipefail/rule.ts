import type { Index, Instruction, Rule } from '../../_api';
import { baseName, pipelinesOf, RUN_STEPS, type Command } from '../../_helpers/docker-shell';
import { STAGES } from '../../_helpers/docker-stage';

/** Commands whose failure on the left of a pipe does not matter (and `yes` dies of SIGPIPE by design). */
const HARMLESS_SOURCES = new Set(['echo', 'printf', 'yes', 'true']);
const NON_POSIX = /^(pwsh|powershell|cmd)(\.exe)?$/i;
/** grep's options that take a value: `-e -q` searches for `-q`, it does not quieten. */
const GREP_VALUE_LETTERS = 'efmABCdD';
const GREP_LONG_VALUE_OPTIONS = new Set(['--regexp', '--file', '--max-count', '--after-context', '--before-context', '--context', '--label', '--binary-files', '--directories', '--devices', '--exclude', '--exclude-from', '--exclude-dir', '--include', '--group-separator']);

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

function isQuietGrep(cmd: Command): boolean {
  if (!/^[ef]?grep$/.test(cmd.name)) return false;
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
    pipe: 'Only the exit status of the last command in this pipe counts: if `{{source}}` fails, the build carries on with partial or empty input. Set `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` before this RUN (or start it with `set -o pipefail &&` in bash).',
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
      let pipefail = false;
      for (const pipeline of pipelinesOf(cmds)) {
        if (pipeline.length >= 2) {
          if (pipefail) break;
          const sources = pipeline.slice(0, -1);
          if (!sources.every((c) => HARMLESS_SOURCES.has(c.name)) && !endsInCheck(pipeline[pipeline.length - 1])) {
            const first = sources[0];
            const bar = ctx.text.indexOf('|', first.span.end);
            const span = bar >= 0 && bar < pipeline[1].span.start ? { start: bar, end: bar + 1 } : first.program?.span ?? first.span;
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
