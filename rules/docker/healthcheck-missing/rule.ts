import type { Rule } from '../../_api';
import { STAGES } from '../../_helpers/docker-stage';

const rule: Rule<'dockerfile'> = {
  id: 'docker/healthcheck-missing',
  title: 'No HEALTHCHECK in the final stage',
  severity: 'low',
  layer: 'container',
  category: 'security',
  model: 'dockerfile',
  description: 'The image the Dockerfile produces declares no HEALTHCHECK, so Docker cannot tell a hung container from a working one.',
  references: {
    cwe: ['CWE-710'],
    cis: ['CIS Docker 4.6'],
    trivy: ['AVD-DS-0026'],
    checkov: ['CKV_DOCKER_2'],
    kics: ['b03a748a-542d-44f4-bb86-9199ab4fd2d5'],
  },
  messages: {
    missing: 'The final stage ({{image}}) has no HEALTHCHECK: a container that hangs or stops serving keeps running and receiving traffic. Add `HEALTHCHECK CMD …`, or `HEALTHCHECK NONE` to say that the orchestrator checks health instead.',
  },
  // The file as a whole: the image its final stage produces.
  visits: ['FROM'],
  check(ctx) {
    const graph = ctx.index(STAGES);
    const stage = graph.final;
    if (!stage || stage.image.span.end <= stage.image.span.start) return;
    // A HEALTHCHECK (or HEALTHCHECK NONE) in the stage or a stage it is built FROM is inherited.
    if (graph.inForce(stage, 'HEALTHCHECK')) return;
    ctx.report({ messageId: 'missing', data: { image: stage.image.raw }, span: stage.image.span });
  },
};

export default rule;
