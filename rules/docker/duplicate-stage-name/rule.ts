import type { Rule, Stage } from '../../_api';
import { lineOf } from '../../_helpers/lines';

/** How many other declarations a message lists by line before it counts the rest. */
const LISTED = 5;

const rule: Rule<'dockerfile'> = {
  id: 'docker/duplicate-stage-name',
  title: 'Two stages share a name',
  severity: 'low',
  layer: 'container',
  category: 'hygiene',
  model: 'dockerfile',
  description: 'Several FROM lines declare the same stage name, so `--from`, `FROM <stage>` and `--target` may pick a different stage than the author meant.',
  references: {
    cwe: ['CWE-694'],
    hadolint: ['DL3024'],
    trivy: ['AVD-DS-0012'],
    checkov: ['CKV_DOCKER_11'],
    kics: ['f2daed12-c802-49cd-afed-fe41d0b82fed'],
    links: ['https://docs.docker.com/reference/build-checks/duplicate-stage-name/'],
  },
  messages: {
    duplicate: 'Stage name "{{name}}" is also declared on line {{others}}: `COPY --from={{name}}`, `FROM {{name}}` and `--target {{name}}` then depend on which stage the builder picks. Give each stage its own name.',
  },
  visits: ['FROM'],
  check(ctx) {
    const byName = new Map<string, Stage[]>();
    for (const stage of ctx.model.stages) {
      if (!stage.name || !stage.nameSpan) continue;
      const list = byName.get(stage.name);
      if (list) list.push(stage);
      else byName.set(stage.name, [stage]);
    }
    for (const [name, stages] of byName) {
      if (stages.length < 2) continue;
      const lines = stages.map((s) => lineOf(ctx, s.from.keywordSpan.start));
      // Every declaration is reported (as compilers do for duplicate identifiers): either may be the one to rename.
      stages.forEach((stage, i) => {
        const others: number[] = [];
        for (let j = 0; j < lines.length && others.length < LISTED; j++) if (j !== i) others.push(lines[j]);
        const rest = lines.length - 1 - others.length;
        ctx.report({ messageId: 'duplicate', data: { name, others: others.join(', ') + (rest > 0 ? ` and ${rest} more` : '') }, span: stage.nameSpan! });
      });
    }
  },
};

export default rule;
