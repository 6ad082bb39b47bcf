import type { Edit, Fix, Instruction, Rule, Stage } from '../../_api';
import { insertLineAfter, insertLineBefore, isRootUser, knownNonRootImage, parseImageReference, userOf } from '../../_helpers/docker-image';
import { STAGES, type StageGraph } from '../../_helpers/docker-stage';

/** A numeric id: it needs no /etc/passwd entry, so it works in every image, scratch included. */
const PLACEHOLDER_USER = '10001';

/**
 * Where a `USER` line goes so that build steps keep their user and the container does not run as
 * root: after the last `RUN` of the stage (and after `after`, when given), just above the next
 * `CMD`/`ENTRYPOINT`, or at the end of the stage when none follows.
 */
function insertUser(text: string, stage: Stage, line: string, after?: Instruction): Edit {
  const list = stage.instructions;
  let anchor = after ? list.indexOf(after) : -1;
  list.forEach((instruction, index) => {
    if (instruction.keyword === 'RUN' && index > anchor) anchor = index;
  });
  const next = list.find((instruction, index) => index > anchor && (instruction.keyword === 'CMD' || instruction.keyword === 'ENTRYPOINT'));
  if (next) return insertLineBefore(text, next, line);
  return insertLineAfter(text, list.at(-1) ?? stage.from, line);
}

/** A `FROM scratch` image with no `RUN` holds only copied files (a static binary): see README. */
function scratchWithoutShell(graph: StageGraph, stage: Stage): boolean {
  if (!graph.root(stage).image.scratch) return false;
  for (const s of graph.chain(stage)) if (graph.own(s, 'RUN').length > 0) return false;
  return true;
}

/**
 * Every fix here changes the user the container runs as, which can break an image that needs root
 * at run time (binding a port below 1024, writing to a root-owned volume): a suggestion, never
 * applied unattended.
 */
function suggestion(title: string, edit: () => Edit): () => Fix {
  return () => ({ title, edits: [edit()], safety: 'suggestion' });
}

const rule: Rule<'dockerfile'> = {
  id: 'docker/user-root',
  title: 'Container runs as root',
  severity: 'high',
  layer: 'container',
  category: 'security',
  model: 'dockerfile',
  description: 'The final stage sets no non-root USER, so the container process runs as root.',
  references: {
    cwe: ['CWE-250'],
    cis: ['CIS Docker 4.1'],
    hadolint: ['DL3002'],
    trivy: ['AVD-DS-0002'],
    checkov: ['CKV_DOCKER_3', 'CKV_DOCKER_8'],
    kics: ['fd54f200-402c-4333-a5a4-36ef6709af2f', '67fd0c4a-68cf-46d7-8c41-bc9fba7e40ae'],
  },
  messages: {
    noUser: 'The final stage sets no USER, so the container runs as root (the base image {{image}} is assumed to); add a non-root USER.',
    inheritedRoot: 'The final stage inherits USER {{user}} from stage {{stage}}, so the container runs as root; add a non-root USER.',
    lastUserRoot: 'USER {{user}} is the last USER of the final stage, so the container runs as root; switch back to a non-root user after the steps that need root.',
  },
  fixable: true,
  // The file as a whole: the user its final stage runs as.
  visits: ['FROM'],
  check(ctx) {
    const { text } = ctx;
    const graph = ctx.index(STAGES);
    const stage = graph.final;
    if (!stage) return;
    const setting = graph.inForce(stage, 'USER');

    if (!setting) {
      const origin = graph.root(stage);
      if (scratchWithoutShell(graph, stage) || origin.image.unresolved) return;
      const image = parseImageReference(origin.image.resolved);
      if (image && knownNonRootImage(image)) return;
      ctx.report({
        messageId: 'noUser',
        data: { image: origin.image.resolved },
        span: stage.image.span,
        fix: suggestion(`Add USER ${PLACEHOLDER_USER}`, () => insertUser(text, stage, `USER ${PLACEHOLDER_USER}`)),
      });
      return;
    }

    const user = userOf(setting.instruction);
    if (!isRootUser(user)) return;
    if (setting.stage !== stage) {
      ctx.report({
        messageId: 'inheritedRoot',
        data: { user, stage: setting.stage.name ?? String(setting.stage.index) },
        span: stage.image.span,
        fix: suggestion(`Add USER ${PLACEHOLDER_USER}`, () => insertUser(text, stage, `USER ${PLACEHOLDER_USER}`)),
      });
      return;
    }

    // `USER root` last. The fix returns to the non-root user the stage had before it, if any: by
    // replacing the word when no RUN needs root afterwards, else by a USER line after the last RUN.
    const rootAt = stage.instructions.indexOf(setting.instruction);
    const before = stage.instructions.slice(0, rootAt).filter((i) => i.keyword === 'USER');
    let previous = before.map(userOf).reverse().find((u) => u && !isRootUser(u));
    const baseStage = graph.base(stage);
    if (!previous && baseStage) {
      const base = graph.inForce(baseStage, 'USER');
      if (base && !isRootUser(userOf(base.instruction))) previous = userOf(base.instruction);
    }
    const word = setting.instruction.args[0];
    let fix;
    if (previous && word && !previous.includes('$')) {
      const user = previous;
      const runAfter = stage.instructions.slice(rootAt + 1).some((i) => i.keyword === 'RUN');
      fix = runAfter
        ? suggestion(`Add USER ${user} after the last RUN`, () => insertUser(text, stage, `USER ${user}`, setting.instruction))
        : suggestion(`Replace with USER ${user}`, () => ({ span: word.span, newText: user }));
    }
    ctx.report({ messageId: 'lastUserRoot', data: { user }, span: word?.span ?? setting.instruction.keywordSpan, fix });
  },
};

export default rule;
