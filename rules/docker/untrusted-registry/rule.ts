import type { DockerfileModel, Rule } from '../../_api';
import { canonicalName, matchesRegistryEntry, pulledImages } from '../../_helpers/docker-image';

const rule: Rule<'dockerfile'> = {
  id: 'docker/untrusted-registry',
  title: 'Image from a registry that is not trusted',
  severity: 'high',
  layer: 'container',
  category: 'security',
  model: 'dockerfile',
  description: 'An image is pulled from a registry outside the configured trustedRegistries.',
  references: {
    cwe: ['CWE-829'],
    cis: ['CIS Docker 4.2'],
    hadolint: ['DL3026'],
  },
  messages: {
    untrusted: '{{image}} comes from {{source}}, which is not in trustedRegistries ({{trusted}}).',
  },
  check(ctx) {
    const trusted = ctx.settings.trustedRegistries.filter((entry) => entry.trim() !== '');
    if (trusted.length === 0) return;
    for (const use of pulledImages(ctx.model, ctx.text)) {
      if (trusted.some((entry) => matchesRegistryEntry(use.image, entry))) continue;
      const source = use.image.host === 'docker.io' ? `Docker Hub (${canonicalName(use.image)})` : canonicalName(use.image);
      ctx.report({ messageId: 'untrusted', data: { image: use.reference, source, trusted: trusted.join(', ') }, span: use.span });
    }
  },
};

export default rule;
