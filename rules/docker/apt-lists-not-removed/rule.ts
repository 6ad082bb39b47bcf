import type { Rule } from '../../_api';
import { mountTargets, removesPath, SHIPPED_RUN_STEPS } from '../../_helpers/docker-shell';

const APT_LISTS = /^\/var\/lib\/apt\/lists(\/|$)/;

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
    for (const step of ctx.index(SHIPPED_RUN_STEPS)) {
      if (mountTargets(step.run).some((t) => t === '/var/lib/apt' || APT_LISTS.test(t))) continue;
      const cmds = step.commands;
      let lastInstall = -1;
      cmds.forEach((cmd, i) => {
        if (cmd.install?.manager === 'apt') lastInstall = i;
      });
      if (lastInstall < 0) continue;
      const cleaned = cmds.slice(lastInstall + 1).some((cmd) => removesPath(cmd, APT_LISTS) || (['apt-get', 'apt'].includes(cmd.name) && cmd.args.some((a) => a.value === 'distclean' || a.value === 'dist-clean')));
      if (cleaned) continue;
      const pc = cmds[lastInstall].install!;
      ctx.report({ messageId: 'listsKept', span: (pc.sub ?? pc.command.program!).span });
    }
  },
};

export default rule;
