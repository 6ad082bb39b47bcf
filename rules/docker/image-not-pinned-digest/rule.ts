import type { Rule } from '../../_api';
import { PULLED_IMAGES } from '../../_helpers/docker-image';

const rule: Rule<'dockerfile'> = {
  id: 'docker/image-not-pinned-digest',
  title: 'Image not pinned by digest',
  severity: 'info',
  layer: 'container',
  category: 'security',
  model: 'dockerfile',
  description: 'An image is pulled by tag only; a tag can be moved to different content, a digest cannot.',
  references: {
    cwe: ['CWE-1357', 'CWE-494'],
  },
  messages: {
    notPinned: '{{image}} is not pinned by digest; tags can be re-pointed, so write {{image}}@sha256:… to get exactly the image you reviewed.',
  },
  // Base images and `COPY --from=<image>` / `RUN --mount=from=<image>`, ONBUILD ones too.
  visits: ['FROM', 'COPY', 'RUN', 'ONBUILD'],
  check(ctx) {
    for (const use of ctx.index(PULLED_IMAGES)) {
      if (use.image.digest) continue;
      ctx.report({ messageId: 'notPinned', data: { image: use.reference }, span: use.span });
    }
  },
};

export default rule;
