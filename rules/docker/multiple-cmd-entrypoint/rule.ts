import type { Rule } from '../../_api';
import { lineOf } from '../../_helpers/lines';
import { STAGES } from '../../_helpers/docker-stage';

const rule: Rule<'dockerfile'> = {
  id: 'docker/multiple-cmd-entrypoint',
  title: 'Several CMD or ENTRYPOINT in one stage',
  severity: 'low',
  layer: 'container',
  category: 'hygiene',
  model: 'dockerfile',
  description: 'A stage has more than one CMD or ENTRYPOINT; only the last one takes effect, so the others are dead code that misleads readers.',
  references: {
    cwe: ['CWE-1041'],
    hadolint: ['DL4003', 'DL4004'],
    trivy: ['AVD-DS-0016', 'AVD-DS-0007'],
    kics: ['41c195f4-fc31-4a5c-8a1b-90605538d49f', '6938958b-3f1a-451c-909b-baeee14bdc97'],
    links: ['https://docs.docker.com/reference/build-checks/multiple-instructions-disallowed/'],
  },
  messages: {
    overridden: 'Only the last {{keyword}} of a stage takes effect: this one is overridden by the {{keyword}} on line {{line}}, so the image does not run what it says here.',
  },
  visits: ['CMD', 'ENTRYPOINT'],
  check(ctx) {
    const graph = ctx.index(STAGES);
    for (const stage of graph.stages) {
      // A stage that is only copied from never runs, so its CMD does not matter.
      if (!graph.ships(stage)) continue;
      for (const keyword of ['CMD', 'ENTRYPOINT']) {
        const found = graph.own(stage, keyword);
        if (found.length < 2) continue;
        const line = lineOf(ctx, found[found.length - 1].keywordSpan.start);
        for (const instruction of found.slice(0, -1)) {
          ctx.report({ messageId: 'overridden', data: { keyword, line }, span: instruction.keywordSpan });
        }
      }
    }
  },
};

export default rule;
