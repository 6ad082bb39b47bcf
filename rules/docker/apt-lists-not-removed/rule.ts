import type { Rule } from '../../_api';
import { SHIPPING } from '../../_helpers/docker-ship';
import { mountTargets, namedPackages, removesPath, RUN_STEPS, type Command, type PackageCommand } from '../../_helpers/docker-shell';

const APT_LISTS = /^\/var\/lib\/apt\/lists(\/|$)/;

/** `apt-get update`: fetches the lists (a simulated one, `-s`, writes nothing). */
function fetchesLists(cmd: Command): boolean {
  const pc = cmd.package;
  return pc?.manager === 'apt' && pc.sub?.value === 'update' && !pc.dryRun;
}

/** `rm -rf /var/lib/apt/lists/*`, `apt-get dist-clean`. */
function removesLists(cmd: Command): boolean {
  return removesPath(cmd, APT_LISTS) || (['apt-get', 'apt'].includes(cmd.name) && cmd.args.some((a) => a.value === 'distclean' || a.value === 'dist-clean'));
}

const rule: Rule<'dockerfile'> = {
  id: 'docker/apt-lists-not-removed',
  title: 'apt lists left in the image layer',
  severity: 'low',
  layer: 'container',
  category: 'hygiene',
  model: 'dockerfile',
  description: 'A RUN installs with apt but does not remove `/var/lib/apt/lists/*` in the same RUN, so the package index stays in the layer.',
  references: {
    cwe: ['CWE-459'],
    hadolint: ['DL3009'],
    kics: ['df746b39-6564-4fed-bf85-e9c44382303c'],
  },
  messages: {
    listsKept: 'The apt package lists stay in this layer: tens of megabytes of stale index in every container, and a later `apt-get install` in another layer would use it. End this RUN with `&& rm -rf /var/lib/apt/lists/*` (`apt-get clean` does not remove them).',
  },
  visits: ['RUN', 'ONBUILD'],
  check(ctx) {
    const shipping = ctx.index(SHIPPING);
    for (const step of ctx.index(RUN_STEPS)) {
      // In a stage that is only copied from, the lists stay behind unless they are copied out.
      if (!shipping.stepReaches(step, ['/var/lib/apt/lists'])) continue;
      if (mountTargets(step.run).some((t) => t === '/var/lib/apt' || APT_LISTS.test(t))) continue;
      // Follow the lists through the RUN: `apt-get update` fetches them, `rm` removes them. An
      // install from the repositories with no update before it relies on lists an earlier layer
      // left (or has none to use); once this RUN removed them, an install of local .deb files
      // brings none back.
      let fetched = false;
      let removed = false;
      let kept: PackageCommand | undefined;
      for (const cmd of step.commands) {
        if (fetchesLists(cmd)) fetched = true;
        else if (removesLists(cmd)) {
          fetched = false;
          removed = true;
          kept = undefined;
        } else if (cmd.install?.manager === 'apt' && (fetched || (!removed && namedPackages(cmd.install).length > 0))) kept = cmd.install;
      }
      if (kept) ctx.report({ messageId: 'listsKept', span: (kept.sub ?? kept.command.program!).span });
    }
  },
};

export default rule;
