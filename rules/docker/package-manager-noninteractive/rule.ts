import type { Rule } from '../../_api';
import { clusterHas, insertAfter, pipedFrom, RUN_STEPS } from '../../_helpers/docker-shell';

/** Subcommands that ask for confirmation before changing packages. */
const PROMPTING: Record<string, ReadonlySet<string>> = {
  yum: new Set(['install', 'groupinstall', 'localinstall', 'reinstall', 'update', 'upgrade', 'remove', 'erase', 'autoremove', 'distro-sync', 'downgrade']),
  dnf: new Set(['install', 'in', 'groupinstall', 'localinstall', 'reinstall', 'update', 'upgrade', 'up', 'remove', 'rm', 'erase', 'autoremove', 'distro-sync', 'downgrade']),
  zypper: new Set(['install', 'in', 'remove', 'rm', 'update', 'up', 'patch', 'dist-upgrade', 'dup', 'source-install', 'si']),
};

const rule: Rule<'dockerfile'> = {
  id: 'docker/package-manager-noninteractive',
  title: 'yum, dnf or zypper without the non-interactive switch',
  severity: 'low',
  layer: 'container',
  category: 'hygiene',
  model: 'dockerfile',
  description: '`yum`/`dnf install` without `-y`, or `zypper install` without `-n`/`-y`, waits for a confirmation that a build cannot give.',
  references: {
    cwe: ['CWE-710'],
    hadolint: ['DL3030', 'DL3038', 'DL3034'],
    kics: [
      '6e19193a-8753-436d-8a09-76dcff91bb03',
      '7ebd323c-31b7-4e5b-b26f-de5e9e477af8',
      '45e1fca5-f90e-465d-825f-c2cb63fa3944',
    ],
  },
  messages: {
    rpm: '`{{command}}` without `-y`: when it asks for confirmation the build aborts instead of installing. Add `-y`.',
    zypper: '`{{command}}` without `-n`/`--non-interactive` (or `-y`): when it asks for confirmation the build aborts instead of installing. Use `zypper --non-interactive {{sub}}` or add `-y`.',
  },
  fixable: true,
  visits: ['RUN', 'ONBUILD'],
  check(ctx) {
    for (const step of ctx.index(RUN_STEPS)) {
      const cmds = step.commands;
      cmds.forEach((cmd, i) => {
        const pc = cmd.package;
        if (!pc?.sub || (pc.manager !== 'yum' && pc.manager !== 'dnf' && pc.manager !== 'zypper')) return;
        if (!PROMPTING[pc.manager].has(pc.sub.value)) return;
        const answered = pc.manager === 'zypper'
          ? pc.args.some((a) => ['--non-interactive', '--no-confirm', '-n', '-y'].includes(a.value) || clusterHas(a.value, 'n', 'rtRDCc') || clusterHas(a.value, 'y', 'rtRDCc'))
          : pc.args.some((a) => a.value === '--assumeyes' || a.value === '--assumeno' || clusterHas(a.value, 'y', 'cdexR'));
        if (answered || pipedFrom(cmds, i)?.name === 'yes') return;
        const sub = pc.sub;
        ctx.report({
          messageId: pc.manager === 'zypper' ? 'zypper' : 'rpm',
          data: { command: `${cmd.name} ${sub.value}`, sub: sub.value },
          span: sub.span,
          fix: cmd.nested ? undefined : () => ({ title: 'Add -y', edits: [insertAfter(sub, '-y', cmd.exec)] }),
        });
      });
    }
  },
};

export default rule;
