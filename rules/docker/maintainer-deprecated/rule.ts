import type { FixSource, Instruction, Rule } from '../../_api';

/** The MAINTAINER text as a double-quoted LABEL value: quotes, escapes and `$` escaped. */
function labelValue(raw: string, escape: string): string {
  const trimmed = raw.trim();
  // Already one double-quoted string with nothing to expand: keep it as written.
  if (/^"[^"$\\`]*"$/.test(trimmed)) return trimmed;
  const text = /^"(.*)"$/s.test(trimmed) || /^'(.*)'$/s.test(trimmed) ? trimmed.slice(1, -1) : trimmed;
  const e = escape;
  let out = '';
  for (const ch of text) out += ch === '"' || ch === '$' || ch === e ? `${e}${ch}` : ch;
  return `"${out}"`;
}

function toLabel(text: string, instruction: Instruction, escape: string): FixSource | undefined {
  const raw = text.slice(instruction.argsSpan.start, instruction.argsSpan.end);
  // A value continued over several lines is left to the author.
  if (raw.trim() === '' || /[\r\n]/.test(raw)) return undefined;
  return () => {
    const keyword = text.slice(instruction.keywordSpan.start, instruction.keywordSpan.end);
    const label = keyword === keyword.toLowerCase() ? 'label' : 'LABEL';
    return {
      title: 'Replace MAINTAINER with LABEL maintainer=…',
      edits: [
        { span: instruction.keywordSpan, newText: label },
        { span: instruction.argsSpan, newText: `maintainer=${labelValue(raw, escape)}` },
      ],
    };
  };
}

const rule: Rule<'dockerfile'> = {
  id: 'docker/maintainer-deprecated',
  title: 'MAINTAINER is deprecated',
  severity: 'info',
  layer: 'container',
  category: 'hygiene',
  model: 'dockerfile',
  description: 'MAINTAINER is deprecated; a `maintainer` LABEL records the same information where tools look for it.',
  references: {
    cwe: ['CWE-477'],
    hadolint: ['DL4000'],
    trivy: ['AVD-DS-0022'],
    checkov: ['CKV_DOCKER_6'],
    kics: ['99614418-f82b-4852-a9ae-5051402b741c'],
    links: ['https://docs.docker.com/reference/build-checks/maintainer-deprecated/'],
  },
  messages: {
    deprecated: 'MAINTAINER is deprecated: use `LABEL maintainer="…"`, which image tooling and registries read.',
  },
  fixable: true,
  visits: ['MAINTAINER'],
  check(ctx) {
    for (const instruction of ctx.nodes) {
      ctx.report({ messageId: 'deprecated', span: instruction.keywordSpan, fix: toLabel(ctx.text, instruction, ctx.model.escape) });
    }
  },
};

export default rule;
