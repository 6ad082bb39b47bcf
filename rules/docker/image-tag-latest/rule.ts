import type { Rule } from '../../_api';
import { PULLED_IMAGES } from '../../_helpers/docker-image';

/** `$NAME` / `${NAME}` / `${NAME:-x}` in an image reference as written. */
const VARIABLE = /\$\{?([A-Za-z_][A-Za-z0-9_]*)/g;

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
    noTagByDefault:
      '{{image}} has no tag unless the build passes another {{variables}} (`--build-arg`), so a plain `docker build` gets whatever `latest` is that day; put a version tag in the ARG default.',
    latestByDefault:
      '{{image}} uses the `latest` tag unless the build passes another {{variables}} (`--build-arg`), so a plain `docker build` gets whatever `latest` is that day; put a version tag in the ARG default.',
  },
  // Base images and `COPY --from=<image>` / `RUN --mount=from=<image>`, ONBUILD ones too.
  visits: ['FROM', 'COPY', 'RUN', 'ONBUILD'],
  check(ctx) {
    for (const use of ctx.index(PULLED_IMAGES)) {
      if (use.image.digest) continue;
      const tag = use.image.tag;
      if (tag !== undefined && tag !== 'latest') continue;
      // A reference built from ARG defaults is what a build gets when it passes no `--build-arg`:
      // build scripts usually pass a version, so this is a default to improve, not a fact.
      const variables = [...new Set([...ctx.text.slice(use.span.start, use.span.end).matchAll(VARIABLE)].map((m) => m[1]))];
      if (variables.length > 0) {
        const names = variables.map((v) => `\`${v}\``).join(' or ');
        ctx.report({ messageId: tag === undefined ? 'noTagByDefault' : 'latestByDefault', data: { image: use.reference, variables: names }, span: use.span, severity: 'info' });
      } else if (tag === undefined) {
        ctx.report({ messageId: 'noTag', data: { image: use.reference }, span: use.span });
      } else {
        ctx.report({ messageId: 'latest', data: { image: use.reference }, span: use.tagSpan ?? use.span });
      }
    }
  },
};

export default rule;
