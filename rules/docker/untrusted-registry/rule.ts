import type { Rule } from '../../_api';
import { canonicalName, matchesRegistryEntry, PULLED_IMAGES } from '../../_helpers/docker-image';

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
  // Base images and `COPY --from=<image>` / `RUN --mount=from=<image>`, ONBUILD ones too.
  visits: ['FROM', 'COPY', 'RUN', 'ONBUILD'],
  check(ctx) {
    const trusted = ctx.settings.trustedRegistries.filter((entry) => entry.trim() !== '');
    if (trusted.length === 0) return;
    for (const use of ctx.index(PULLED_IMAGES)) {
      if (trusted.some((entry) => matchesRegistryEntry(use.image, entry))) continue;
      const source = use.image.host === 'docker.io' ? `Docker Hub (${canonicalName(use.image)})` : canonicalName(use.image);
      ctx.report({ messageId: 'untrusted', data: { image: use.reference, source, trusted: trusted.join(', ') }, span: use.span });
    }
  },
};

export default rule;
