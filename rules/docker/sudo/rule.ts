import type { FixSource, Instruction, Rule } from '../../_api';
import { isRootUser, parseImageReference, userOf } from '../../_helpers/docker-image';
import { RUN_STEPS, type Command } from '../../_helpers/docker-shell';
import { STAGES, type StageGraph } from '../../_helpers/docker-stage';

/**
 * Official Docker Hub images of operating systems and language runtimes whose default user is root.
 * Only under these (or after an explicit `USER root`) is dropping `sudo` known to change nothing.
 */
const ROOT_BY_DEFAULT = new Set(
  'alpine debian ubuntu fedora centos rockylinux almalinux amazonlinux oraclelinux archlinux busybox buildpack-deps python node golang ruby php perl rust gcc openjdk eclipse-temurin maven gradle'
    .split(' ')
    .map((name) => `library/${name}`),
);

/** Whether the RUN certainly runs as root: the USER in force before it is root, or none is set on a root-default image. */
function runsAsRoot(graph: StageGraph, run: Instruction, stageIndex: number): boolean {
  const stage = graph.stages[stageIndex];
  if (!stage) return false;
  const user = graph.inForce(stage, 'USER', run.span.start);
  if (user) return isRootUser(userOf(user.instruction));
  const base = graph.root(stage).image;
  const image = base.unresolved || base.scratch ? undefined : parseImageReference(base.resolved);
  return image?.host === 'docker.io' && ROOT_BY_DEFAULT.has(image.path);
}

/** Removes `sudo ` before the program, when sudo has no options of its own (`-u app` would change the user). */
function dropSudo(cmd: Command, text: string): FixSource | undefined {
  const sudo = cmd.sudo!;
  const next = cmd.words[cmd.words.indexOf(sudo) + 1];
  if (cmd.exec || cmd.nested || !next || next !== cmd.program || !/^[ \t]+$/.test(text.slice(sudo.span.end, next.span.start))) return undefined;
  // `RUN sudo [ … ]` without sudo would read as an exec-form array.
  if (text[next.span.start] === '[') return undefined;
  return () => ({ title: 'Remove sudo (this step already runs as root)', edits: [{ span: { start: sudo.span.start, end: next.span.start }, newText: '' }] });
}

const rule: Rule<'dockerfile'> = {
  id: 'docker/sudo',
  title: 'sudo used in RUN',
  severity: 'medium',
  layer: 'container',
  category: 'security',
  model: 'dockerfile',
  description: 'A RUN command uses sudo, which leaves a privilege-escalation tool in the image and hides which user a step needs.',
  references: {
    cwe: ['CWE-250'],
    hadolint: ['DL3004'],
    trivy: ['AVD-DS-0010'],
    checkov: ['CKV2_DOCKER_1'],
    kics: ['8ada6e80-0ade-439e-b176-0b28f6bce35a'],
  },
  messages: {
    sudo: 'RUN uses `sudo`: switch to `USER root` for the steps that need it and back to an unprivileged USER afterwards, instead of relying on sudo inside the image.',
  },
  fixable: true,
  visits: ['RUN', 'ONBUILD'],
  check(ctx) {
    const graph = ctx.index(STAGES);
    for (const step of ctx.index(RUN_STEPS)) {
      let root: boolean | undefined;
      for (const cmd of step.commands) {
        if (!cmd.sudo) continue;
        root ??= !step.onbuild && runsAsRoot(graph, step.run, step.stageIndex);
        ctx.report({ messageId: 'sudo', span: cmd.sudo.span, fix: root ? dropSudo(cmd, ctx.text) : undefined });
      }
    }
  },
};

export default rule;
