import type { Rule } from '../../_api';
import { RUN_STEPS } from '../../_helpers/docker-shell';

const rule: Rule<'dockerfile'> = {
  id: 'docker/apt-get-upgrade',
  title: 'Distribution upgrade inside the image build',
  severity: 'low',
  layer: 'container',
  category: 'security',
  model: 'dockerfile',
  description: 'A RUN upgrades the whole distribution (`apt-get dist-upgrade`, `apt-get upgrade`, `zypper dist-upgrade`), so the image content depends on the day it was built rather than on the base image.',
  references: { hadolint: ['DL3035'], trivy: ['AVD-DS-0024'] },
  messages: {
    distUpgrade: '`{{command}}` can replace or remove packages of the base image, even move it to another release: the image differs from build to build and may break. Rebuild on a newer base image tag (or digest) instead.',
    upgrade: '`{{command}}` upgrades every package to whatever the mirror has today, so two builds of the same Dockerfile differ. Prefer a newer, patched base image; if you keep it, pin the base image by digest so changes are reviewable.',
  },
  visits: ['RUN', 'ONBUILD'],
  check(ctx) {
    for (const step of ctx.index(RUN_STEPS)) {
      for (const cmd of step.commands) {
        const pc = cmd.package;
        const sub = pc?.sub?.value;
        if (!pc?.sub || !sub) continue;
        const command = `${cmd.name} ${sub}`;
        if (pc.manager === 'apt' && (sub === 'dist-upgrade' || sub === 'full-upgrade')) {
          ctx.report({ messageId: 'distUpgrade', data: { command }, span: pc.sub.span });
        } else if (pc.manager === 'zypper' && (sub === 'dist-upgrade' || sub === 'dup')) {
          ctx.report({ messageId: 'distUpgrade', data: { command }, span: pc.sub.span });
        } else if (pc.manager === 'apt' && sub === 'upgrade') {
          // Upgrading does pick up security fixes: a weaker signal than a release-level upgrade.
          ctx.report({ messageId: 'upgrade', data: { command }, span: pc.sub.span, severity: 'info' });
        }
      }
    }
  },
};

export default rule;
