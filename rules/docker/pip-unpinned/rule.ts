import type { Rule } from '../../_api';
import { INSTALLS, isPinned, namedPackages } from '../../_helpers/docker-shell';

const rule: Rule<'dockerfile'> = {
  id: 'docker/pip-unpinned',
  title: 'pip install without pinned versions',
  severity: 'info',
  layer: 'container',
  category: 'security',
  model: 'dockerfile',
  description: '`pip install` names packages without `==` versions (and without a constraints file), so each build installs whatever PyPI serves that day.',
  references: {
    cwe: ['CWE-1357'],
    hadolint: ['DL3013'],
    kics: ['02d9c71f-3ee8-4986-9c27-1a20d0d19bfc'],
  },
  messages: {
    unpinned: '`{{packages}}` installed without a pinned version: a new release — or a compromised one — lands in the next build unreviewed. Pin with `=={{example}}`, or install from a requirements file with pinned (ideally hashed) versions.',
  },
  visits: ['RUN', 'ONBUILD'],
  check(ctx) {
    for (const { install: pc } of ctx.index(INSTALLS)) {
      if (pc.manager !== 'pip') continue;
      if (pc.args.some((a) => a.value === '-c' || a.value === '--constraint' || a.value.startsWith('--constraint='))) continue;
      const unpinned = namedPackages(pc).filter((w) => !isPinned('pip', w.value));
      if (unpinned.length === 0) continue;
      ctx.report({
        messageId: 'unpinned',
        data: { packages: unpinned.map((w) => w.value).join(' '), example: '<version>' },
        span: unpinned[0].span,
      });
    }
  },
};

export default rule;
