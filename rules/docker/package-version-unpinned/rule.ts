import type { Rule } from '../../_api';
import { INSTALLS, isPinned, namedPackages, type Manager } from '../../_helpers/docker-shell';

const SYNTAX: Partial<Record<Manager, string>> = {
  apt: '<package>=<version>',
  apk: '<package>=<version>',
  yum: '<package>-<version>',
  dnf: '<package>-<version>',
  microdnf: '<package>-<version>',
  zypper: '<package>=<version>',
};

const rule: Rule<'dockerfile'> = {
  id: 'docker/package-version-unpinned',
  title: 'System packages installed without versions',
  severity: 'info',
  layer: 'container',
  category: 'security',
  model: 'dockerfile',
  description: 'apt-get, apk, yum, dnf, microdnf or zypper installs packages without a version, so the image content changes with the mirror rather than with the Dockerfile.',
  references: {
    cwe: ['CWE-1357'],
    hadolint: ['DL3008', 'DL3018', 'DL3033', 'DL3041', 'DL3037'],
    kics: [
      '965a08d7-ef86-4f14-8792-4a3b2098937e',
      'd3499f6d-1651-41bb-a9a7-de925fea487b',
      '6452c424-1d92-4deb-bb18-a03e95d579c4',
      '93d88cf7-f078-46a8-8ddc-178e03aeacf1',
      '562952e4-0348-4dea-9826-44f3a2c6117b',
    ],
  },
  messages: {
    unpinned: '`{{tool}}` installs `{{packages}}` without a version: each build takes whatever the mirror has, so images built from the same Dockerfile differ and a bad update arrives unreviewed. Pin as `{{syntax}}` (and let a bot such as Renovate bump it), or accept the drift deliberately.',
  },
  visits: ['RUN', 'ONBUILD'],
  check(ctx) {
    for (const { command, install: pc } of ctx.index(INSTALLS)) {
      const syntax = SYNTAX[pc.manager];
      if (!syntax) continue;
      const unpinned = namedPackages(pc).filter((w) => !isPinned(pc.manager, w.value));
      if (unpinned.length === 0) continue;
      ctx.report({ messageId: 'unpinned', data: { tool: command.name, packages: unpinned.map((w) => w.value).join(' '), syntax }, span: unpinned[0].span });
    }
  },
};

export default rule;
