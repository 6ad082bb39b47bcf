import type { Rule } from '../../_api';
import { INSTALLS, isPinned, isRegistryPackage, namedPackages } from '../../_helpers/docker-shell';

const rule: Rule<'dockerfile'> = {
  id: 'docker/npm-unpinned',
  title: 'npm install of a package without a version',
  severity: 'info',
  layer: 'container',
  category: 'security',
  model: 'dockerfile',
  description: '`npm install <package>` names a package without a version (or with a moving tag such as `@latest`), so each build installs whatever the registry serves that day.',
  references: {
    cwe: ['CWE-1357'],
    hadolint: ['DL3016'],
    kics: ['e36d8880-3f78-4546-b9a1-12f0745ca0d5'],
  },
  messages: {
    unpinned: '`{{packages}}` installed without a fixed version: a new release — or a hijacked one — lands in the next build unreviewed. Use `<package>@<version>`, or add it to package.json and install with `npm ci` from the lockfile.',
  },
  visits: ['RUN', 'ONBUILD'],
  check(ctx) {
    for (const { install: pc } of ctx.index(INSTALLS)) {
      if (pc.manager !== 'npm') continue;
      const unpinned = namedPackages(pc).filter((w) => isRegistryPackage(w.value) && !isPinned('npm', w.value));
      if (unpinned.length) ctx.report({ messageId: 'unpinned', data: { packages: unpinned.map((w) => w.value).join(' ') }, span: unpinned[0].span });
    }
  },
};

export default rule;
