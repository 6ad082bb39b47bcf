import type { Rule, Span } from '../../_api';
import { lineOf } from '../../_helpers/lines';
import { mountFrom, STAGES } from '../../_helpers/docker-stage';

const rule: Rule<'dockerfile'> = {
  id: 'docker/copy-from-undefined-stage',
  title: 'COPY --from names no earlier stage',
  severity: 'medium',
  layer: 'container',
  category: 'hygiene',
  model: 'dockerfile',
  description: '`COPY --from` (or `RUN --mount=from=`) names its own stage, a later stage, a stage number that does not exist, or a word that is no stage — which Docker then pulls as an image.',
  references: {
    cwe: ['CWE-706', 'CWE-829'],
    hadolint: ['DL3022', 'DL3023'],
    trivy: ['AVD-DS-0006'],
    kics: ['cdddb86f-95f6-4fc4-b5a1-483d9afceb2b'],
  },
  messages: {
    selfReference: '--from={{ref}} names the stage this instruction is in: a stage cannot copy from itself. Name the earlier stage that produces these files.',
    laterStage: 'Stage "{{ref}}" is only defined below this one (line {{line}}): copy from stages above, so that the build order is the file order. Move that stage up.',
    badIndex: '--from={{ref}}: there is no stage {{ref}} before this one (stages are numbered from 0). Name the stage (`FROM … AS build`, `--from=build`) so that reordering cannot break it.',
    unknownStageSuggestion: 'No stage named "{{ref}}" in this file — did you mean "{{suggestion}}"? As written, Docker pulls an image called {{ref}} from Docker Hub and copies from that instead.',
    unknownStage: 'No stage named "{{ref}}" in this file, so Docker pulls the image {{ref}}:latest from Docker Hub and copies from it. If a stage was meant, fix the name; if the image was, pin it ({{ref}}:<version>).',
  },
  // The stage's own COPY and RUN: an ONBUILD one names the stages of the image built from this one.
  visits: ['COPY', 'RUN'],
  check(ctx) {
    const graph = ctx.index(STAGES);
    const inspect = (stageIndex: number, ref: string, span: Span) => {
      const resolved = graph.resolve(ref, stageIndex);
      switch (resolved.kind) {
        case 'self':
          ctx.report({ messageId: 'selfReference', data: { ref }, span });
          break;
        case 'later':
          ctx.report({ messageId: 'laterStage', data: { ref, line: lineOf(ctx, resolved.stage.from.keywordSpan.start) }, span });
          break;
        case 'badIndex':
          ctx.report({ messageId: 'badIndex', data: { ref }, span });
          break;
        case 'unknown': {
          const near = graph.similarName(ref);
          ctx.report({ messageId: near ? 'unknownStageSuggestion' : 'unknownStage', data: { ref, suggestion: near ?? '' }, span });
          break;
        }
        default:
      }
    };
    for (const instruction of ctx.nodes) {
      if (instruction.stageIndex < 0) continue;
      for (const flag of instruction.flags) {
        if (flag.value === undefined || !flag.valueSpan) continue;
        if (flag.name === 'from' && instruction.keyword === 'COPY') inspect(instruction.stageIndex, flag.value, flag.valueSpan);
        if (flag.name === 'mount' && instruction.keyword === 'RUN') {
          const from = mountFrom(flag.value);
          if (!from) continue;
          const literal = ctx.text.slice(flag.valueSpan.start, flag.valueSpan.end) === flag.value;
          const start = flag.valueSpan.start + from.offset;
          inspect(instruction.stageIndex, from.value, literal ? { start, end: start + from.value.length } : flag.valueSpan);
        }
      }
    }
  },
};

export default rule;
