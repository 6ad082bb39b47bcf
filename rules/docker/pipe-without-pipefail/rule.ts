import type { DockerfileModel, Instruction, Rule } from '../../_api';
import { baseName, commandsOf, pipelinesOf, runSteps, type Command } from '../../_helpers/docker-shell';

/** Commands whose failure on the left of a pipe does not matter (and `yes` dies of SIGPIPE by design). */
const HARMLESS_SOURCES = new Set(['echo', 'printf', 'yes', 'true']);
const NON_POSIX = /^(pwsh|powershell|cmd)(\.exe)?$/i;
/** grep's options that take a value: `-e -q` searches for `-q`, it does not quieten. */
const GREP_VALUE_LETTERS = 'efmABCdD';
const GREP_LONG_VALUE_OPTIONS = new Set(['--regexp', '--file', '--max-count', '--after-context', '--before-context', '--context', '--label', '--binary-files', '--directories', '--devices', '--exclude', '--exclude-from', '--exclude-dir', '--include', '--group-separator']);

/**
 * `grep -q` (`-Fxq`, `--quiet`, `--silent`) ending a pipe is the check itself: on the empty input a
 * failed source leaves, it exits non-zero and fails the build anyway.
 */
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

/** Whether `set -o pipefail` (or `set -euxo pipefail`) appears among `cmds`. */
function setsPipefail(cmds: Command[]): boolean {
  return cmds.some((c) => c.name === 'set' && c.args.some((a, i) => a.value === 'pipefail' && /^-[a-zA-Z]*o$/.test(c.args[i - 1]?.value ?? '')));
}

/** A pipe whose left side can fail without failing the pipe. */
function hidesFailure(pipeline: Command[]): boolean {
  if (pipeline.length < 2) return false;
  if (pipeline.slice(0, -1).every((c) => HARMLESS_SOURCES.has(c.name))) return false;
  return !isQuietGrep(pipeline[pipeline.length - 1]);
}

/** The SHELL argv in force for each stage at a given instruction. */
function shellAt(model: DockerfileModel, run: Instruction, stageIndex: number): string[] {
  let shell: string[] = ['/bin/sh', '-c'];
  const stage = model.stages[stageIndex];
  if (stage?.baseStage !== undefined) shell = shellAt(model, model.stages[stage.baseStage].instructions.at(-1) ?? stage.from, stage.baseStage);
  for (const ins of stage?.instructions ?? []) {
    if (ins.span.start >= run.span.start) break;
    if (ins.keyword === 'SHELL' && ins.jsonForm && ins.args.length) shell = ins.args.map((a) => a.value);
  }
  return shell;
}

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
  check(ctx) {
    for (const step of runSteps(ctx.model)) {
      if (step.run.jsonForm) continue;
      const shell = shellAt(ctx.model, step.outer, step.stageIndex);
      if (NON_POSIX.test(baseName(shell[0] ?? ''))) continue;
      if (shell.some((a, i) => a === 'pipefail' && /^-[a-zA-Z]*o$/.test(shell[i - 1] ?? ''))) continue;
      const cmds = commandsOf(step.run, ctx.text).filter((c) => !c.nested);
      for (const pipeline of pipelinesOf(cmds)) {
        if (hidesFailure(pipeline)) {
          const first = pipeline[0];
          const bar = ctx.text.indexOf('|', first.span.end);
          const span = bar >= 0 && bar < pipeline[1].span.start ? { start: bar, end: bar + 1 } : first.program?.span ?? first.span;
          ctx.report({ messageId: 'pipe', data: { source: first.name || 'the first command' }, span });
          break;
        }
        if (setsPipefail(pipeline)) break; // the pipes after it report their failures
      }
    }
  },
};

export default rule;
