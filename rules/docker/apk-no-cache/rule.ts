import type { Rule } from '../../_api';
import { SHIPPING } from '../../_helpers/docker-ship';
import { insertAfter, mountTargets, removesPath, RUN_STEPS, type Command } from '../../_helpers/docker-shell';

const APK_CACHE = /^\/var\/cache\/apk(\/|$)/;

/** `rm -rf /var/cache/apk/*`, `apk cache clean`, `apk cache purge`. */
function cleansCache(cmd: Command): boolean {
  return removesPath(cmd, APK_CACHE) || (cmd.name === 'apk' && cmd.args[0]?.value === 'cache' && ['clean', 'purge'].includes(cmd.args[1]?.value ?? ''));
}

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
  visits: ['RUN', 'ONBUILD'],
  check(ctx) {
    const shipping = ctx.index(SHIPPING);
    for (const step of ctx.index(RUN_STEPS)) {
      // In a stage that is only copied from, the cache stays behind unless it is copied out.
      if (!shipping.stepReaches(step, ['/var/cache/apk', '/etc/apk/cache'])) continue;
      if (mountTargets(step.run).some((t) => APK_CACHE.test(t) || t === '/etc/apk/cache')) continue;
      const cmds = step.commands;
      let lastCleanup = -1;
      cmds.forEach((cmd, i) => {
        if (cleansCache(cmd)) lastCleanup = i;
      });
      cmds.forEach((cmd, i) => {
        const pc = cmd.install;
        if (pc?.manager !== 'apk' || !pc.sub || pc.args.some((a) => a.value === '--no-cache' || a.value === '--no-network')) return;
        if (lastCleanup > i) return;
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
