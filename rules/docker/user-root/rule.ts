import type { Edit, Fix, Instruction, Related, Report, Rule, Stage } from '../../_api';
import { finalImage, isPrivilegedUser, isWindowsAdmin, privilegeDrop, type Drop, type FinalImage } from '../../_helpers/docker-base';
import { IMAGES } from '../../_helpers/docker-image-facts';
import { insertLineAfter, insertLineBefore, isRootUser, userOf } from '../../_helpers/docker-image';
import { SHELL_SCRIPTS } from '../../_helpers/docker-privilege';
import { type StageGraph } from '../../_helpers/docker-stage';
import { baseUser, COMPOSE_BUILDS, describeOrigin, DOCKERFILE_SUMMARY } from '../../_helpers/docker-workspace';

/** A numeric id: it needs no /etc/passwd entry, so it works in every Linux image, scratch included. */
const PLACEHOLDER_USER = '10001';
/** Windows images have no numeric users: ContainerUser is the unprivileged account every base image has. */
const WINDOWS_USER = 'ContainerUser';

/**
 * Where a `USER` line goes so that build steps keep their user and the container does not run as
 * root: after the last `RUN` of the stage (and after `after`, when given), just above the next
 * `CMD`/`ENTRYPOINT`, or at the end of the stage when none follows.
 */
function insertUser(text: string, stage: Stage, line: string, after?: Instruction): Edit | undefined {
  const list = stage.instructions;
  let anchor = after ? list.indexOf(after) : -1;
  list.forEach((instruction, index) => {
    if (instruction.keyword === 'RUN' && index > anchor) anchor = index;
  });
  const next = list.find((instruction, index) => index > anchor && (instruction.keyword === 'CMD' || instruction.keyword === 'ENTRYPOINT'));
  if (next) return insertLineBefore(text, next, line);
  const last = list.at(-1) ?? stage.from;
  // A last instruction left open by a line continuation would take the added line in: no fix then.
  const tail = text.trimEnd();
  if ((tail.endsWith('\\') || tail.endsWith('`')) && last.span.end >= tail.length) return undefined;
  return insertLineAfter(text, last, line);
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
function suggestion(title: string, edit: () => Edit | undefined): () => Fix | undefined {
  return () => {
    const built = edit();
    return built && { title, edits: [built], safety: 'suggestion' };
  };
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
    noUser: 'The final stage sets no USER, so the container runs as root, as its base image {{image}} does; add a non-root USER.',
    noUserUnknownBase: 'The final stage sets no USER, so the container runs as whatever user its base image {{image}} sets: root, unless that image sets another USER (Fourfold does not know it). Add a non-root USER to be sure.',
    baseUserRoot: 'The final stage sets no USER and its base image {{image}}, built by {{dockerfile}}, ends with USER {{user}}, so the container runs as root; add a non-root USER.',
    inheritedRoot: 'The final stage inherits USER {{user}} from stage {{stage}}, so the container runs as root; add a non-root USER.',
    lastUserRoot: 'USER {{user}} is the last USER of the final stage, so the container runs as root; switch back to a non-root user after the steps that need root.',
    entrypointDrops: 'The final stage sets no USER, so the container runs as root until its entrypoint {{script}} drops to {{user}} with {{tool}} (line {{line}}); make sure every path through the script does, or set USER {{user}} if the entrypoint needs no root.',
    windowsAdmin: 'The final stage sets no USER, so the container runs as ContainerAdministrator, the administrator account of the Windows base image {{image}}; add USER ContainerUser.',
    windowsUnknownBase: 'The final stage sets no USER, so the container runs as whatever user its Windows base image {{image}} sets: ContainerAdministrator, unless that image sets another USER (Fourfold does not know it). Add USER ContainerUser to be sure.',
    lastUserAdmin: 'USER {{user}} is the last USER of the final stage, so the container runs with administrator rights; switch to USER ContainerUser after the steps that need them.',
  },
  fixable: true,
  // The file as a whole: the user its final stage runs as, and what its base image sets.
  visits: ['FROM'],
  scope: 'workspace',
  summaries: [DOCKERFILE_SUMMARY, COMPOSE_BUILDS, SHELL_SCRIPTS],
  data: [IMAGES],
  check(ctx) {
    const { text } = ctx;
    const image = finalImage(ctx);
    if (!image) return;
    const { graph, stage } = image;
    const setting = graph.inForce(stage, 'USER');
    const addUser = (user: string) => suggestion(`Add USER ${user}`, () => insertUser(text, stage, `USER ${user}`));

    if (!setting) {
      const origin = image.root;
      if (scratchWithoutShell(graph, stage) || origin.image.unresolved) return;
      const known = origin.image.scratch ? { value: 'root', origin: { kind: 'scratch' as const, image: 'scratch' } } : image.chain && baseUser(image.chain);
      if (known && !isPrivilegedUser(known.value)) return;
      const drop = privilegeDrop(ctx, image);
      // The command or the base image's own entrypoint steps down: nothing runs as root but the step itself.
      if (drop && drop.kind !== 'script') return;
      const span = stage.image.span;
      const name = origin.image.scratch ? 'scratch' : stage.image.resolved;
      if (drop?.kind === 'script') {
        ctx.report({
          messageId: 'entrypointDrops',
          data: { script: drop.script, user: drop.step.user, tool: drop.step.tool, line: drop.line },
          span,
          severity: 'info',
          related: [{ path: drop.script, span: drop.span, message: `${drop.script} line ${drop.line}: ${drop.step.tool} ${drop.step.user}` }],
        });
        return;
      }
      if (image.windows) {
        const report: Report = { messageId: known ? 'windowsAdmin' : 'windowsUnknownBase', data: { image: name }, span, fix: addUser(WINDOWS_USER) };
        if (!known) report.severity = 'medium';
        ctx.report(withOrigin(report, known?.origin));
        return;
      }
      if (!known) {
        ctx.report({ messageId: 'noUserUnknownBase', data: { image: name }, span, severity: 'medium', fix: addUser(PLACEHOLDER_USER) });
        return;
      }
      if (known.origin.kind === 'workspace' && known.origin.at) {
        ctx.report(withOrigin({ messageId: 'baseUserRoot', data: { image: name, dockerfile: known.origin.dockerfile, user: known.value }, span, fix: addUser(PLACEHOLDER_USER) }, known.origin));
        return;
      }
      ctx.report({ messageId: 'noUser', data: { image: name }, span, fix: addUser(PLACEHOLDER_USER) });
      return;
    }

    const user = userOf(setting.instruction);
    if (isWindowsAdmin(user)) {
      if (setting.stage !== stage) return reportInherited(ctx, image, user, setting.stage, WINDOWS_USER);
      const word = setting.instruction.args[0];
      ctx.report({
        messageId: 'lastUserAdmin',
        data: { user },
        span: word?.span ?? setting.instruction.keywordSpan,
        fix: word ? suggestion(`Replace with USER ${WINDOWS_USER}`, () => ({ span: word.span, newText: WINDOWS_USER })) : undefined,
      });
      return;
    }
    if (!isRootUser(user)) return;
    if (isStepDownCertain(ctx, image)) return;
    if (setting.stage !== stage) return reportInherited(ctx, image, user, setting.stage, PLACEHOLDER_USER);

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

/** A USER root set explicitly and a command that steps down at once (`USER root` + `ENTRYPOINT ["gosu", …]`). */
function isStepDownCertain(ctx: Parameters<typeof privilegeDrop>[0], image: FinalImage): boolean {
  const drop: Drop | undefined = privilegeDrop(ctx, image);
  return drop?.kind === 'command' || drop?.kind === 'base';
}

function reportInherited(ctx: Parameters<Rule<'dockerfile'>['check']>[0], image: FinalImage, user: string, from: Stage, replacement: string): void {
  const { stage } = image;
  ctx.report({
    messageId: isWindowsAdmin(user) ? 'lastUserAdmin' : 'inheritedRoot',
    data: { user, stage: from.name ?? String(from.index) },
    span: stage.image.span,
    fix: suggestion(`Add USER ${replacement}`, () => insertUser(ctx.text, stage, `USER ${replacement}`)),
  });
}

/** Points at the other Dockerfile that decides the user, when one does. */
function withOrigin(report: Report, origin: Parameters<typeof describeOrigin>[0] | undefined): Report {
  if (origin?.kind !== 'workspace' || !origin.at) return report;
  const related: Related = { path: origin.dockerfile, span: origin.at.span, message: `${origin.image} is built by ${describeOrigin(origin)}, which sets this USER` };
  return { ...report, related: [related] };
}

export default rule;
