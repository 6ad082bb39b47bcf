import type { Rule } from '../../_api';
import { PULLED_IMAGES } from '../../_helpers/docker-image';

const rule: Rule<'dockerfile'> = {
  id: 'docker/image-tag-latest',
  title: 'Image without a version tag',
  severity: 'medium',
  layer: 'container',
  category: 'security',
  model: 'dockerfile',
  description: 'An image is pulled with no tag or with the tag `latest`, so each build may get a different image.',
  references: {
    cwe: ['CWE-1357'],
    hadolint: ['DL3006', 'DL3007'],
    trivy: ['AVD-DS-0001'],
    checkov: ['CKV_DOCKER_7'],
    kics: ['9efb0b2d-89c9-41a3-91ca-dcc0aec911fd', 'f45ea400-6bbe-4501-9fc7-1c3d75c32067'],
  },
  messages: {
    noTag: '{{image}} has no tag, so it means whatever `latest` is on the day of the build; pin a version tag (and a digest).',
    latest: '{{image}} uses the `latest` tag, which moves with every release; pin a version tag (and a digest).',
  },
  // Base images and `COPY --from=<image>` / `RUN --mount=from=<image>`, ONBUILD ones too.
  visits: ['FROM', 'COPY', 'RUN', 'ONBUILD'],
  check(ctx) {
    for (const use of ctx.index(PULLED_IMAGES)) {
      if (use.image.digest) continue;
      if (use.image.tag === undefined) {
        ctx.report({ messageId: 'noTag', data: { image: use.reference }, span: use.span });
      } else if (use.image.tag === 'latest') {
        ctx.report({ messageId: 'latest', data: { image: use.reference }, span: use.tagSpan ?? use.span });
      }
    }
  },
};

export default rule;
