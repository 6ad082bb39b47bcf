import type { DockerfileModel, Rule } from '../../_api';
import { commandsOf, insertAfter, installCommand, mountTargets, removesPath, runSteps, shippingStages } from '../../_helpers/docker-shell';

const APK_CACHE = /^\/var\/cache\/apk(\/|$)/;

const rule: Rule<'dockerfile'> = {
  id: 'docker/apk-no-cache',
  title: 'apk add without --no-cache',
  severity: 'low',
  layer: 'container',
  category: 'hygiene',
  model: 'dockerfile',
  description: '`apk add` runs without `--no-cache`, so the package index downloaded for it stays in the image layer.',
  references: {
    cwe: ['CWE-459'],
    hadolint: ['DL3019'],
    trivy: ['AVD-DS-0025'],
    kics: ['ae9c56a6-3ed1-4ac0-9b54-31267f51151d'],
  },
  messages: {
    noCache: '`apk add` without `--no-cache` leaves the package index in /var/cache/apk in this layer. Use `apk add --no-cache` (it also makes `apk update` unnecessary).',
  },
  fixable: true,
  check(ctx) {
    const shipping = shippingStages(ctx.model);
    for (const step of runSteps(ctx.model)) {
      if (step.stageIndex >= 0 && !shipping.has(step.stageIndex)) continue;
      if (mountTargets(step.run).some((t) => APK_CACHE.test(t) || t === '/etc/apk/cache')) continue;
      const cmds = commandsOf(step.run, ctx.text);
      cmds.forEach((cmd, i) => {
        const pc = installCommand(cmd);
        if (pc?.manager !== 'apk' || !pc.sub || pc.args.some((a) => a.value === '--no-cache')) return;
        const cleaned = cmds.slice(i + 1).some((c) => removesPath(c, APK_CACHE) || (c.name === 'apk' && c.args[0]?.value === 'cache' && ['clean', 'purge'].includes(c.args[1]?.value ?? '')));
        if (cleaned) return;
        const sub = pc.sub;
        ctx.report({
          messageId: 'noCache',
          span: sub.span,
          fix: cmd.nested ? undefined : () => ({ title: 'Add --no-cache', edits: [insertAfter(sub, '--no-cache', cmd.exec)] }),
        });
      });
    }
  },
};

export default rule;
