import type { Instruction, Rule } from '../../_api';
import { copySources, expandedWord } from '../../_helpers/docker-instruction';
import { SHIPPING } from '../../_helpers/docker-ship';
import { withoutTrailingSlashes } from '../../_helpers/trim';

/** `.`, `./`, `/`, `*`, `./*`: the whole build context (COPY paths are relative to its root). */
function isWholeContext(source: string): boolean {
  const path = withoutTrailingSlashes(source).replace(/^(?:\.\/)+/, '').replace(/^\/+/, '');
  return path === '' || path === '.' || path === '*' || path === './*';
}

function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

const rule: Rule<'dockerfile'> = {
  id: 'docker/copy-whole-context',
  title: 'Whole build context copied without a .dockerignore',
  severity: 'medium',
  layer: 'container',
  category: 'security',
  model: 'dockerfile',
  description: 'COPY or ADD takes the whole build context while no .dockerignore sits beside the Dockerfile, so secrets and VCS data can end up in the image.',
  references: {
    cwe: ['CWE-538'],
  },
  messages: {
    wholeContext: '{{keyword}} {{source}} copies the whole build context and there is no .dockerignore (nor {{own}}) beside this Dockerfile: .git, .env files and keys go into the image too.',
    wholeContextBuildStage: '{{keyword}} {{source}} copies the whole build context and there is no .dockerignore (nor {{own}}) beside this Dockerfile, but {{why}}: .git, .env files and keys reach the builder and its cache, not the image. A .dockerignore keeps them out of both, and stops unrelated changes from rebuilding this stage.',
  },
  visits: ['COPY', 'ADD', 'ONBUILD'],
  check(ctx) {
    const own = `${baseName(ctx.path)}.dockerignore`;
    const folder = ctx.path.includes('/') ? ctx.path.slice(0, ctx.path.lastIndexOf('/') + 1) : '';
    // BuildKit reads <Dockerfile name>.dockerignore before .dockerignore; either one is enough.
    const shared = ctx.project.exists(`${folder}.dockerignore`);
    const specific = ctx.project.exists(`${folder}${own}`);
    if (shared !== false || specific !== false) return;
    const shipping = ctx.index(SHIPPING);
    // Where the context lands, and whether that place reaches an image; an ONBUILD copy runs in every child image.
    const ships = (instruction: Instruction, wrapped: boolean): boolean => {
      const stage = shipping.stage(instruction.stageIndex);
      if (wrapped || !stage) return true;
      const dest = instruction.args.at(-1);
      const value = dest && expandedWord(ctx, dest);
      const at = value?.known ? shipping.resolve(stage, instruction.span.start, value.value) : undefined;
      return at === undefined || shipping.reaches(stage, at);
    };
    for (const node of ctx.nodes) {
      for (const [instruction, wrapped] of [[node, false], [node.onbuild, true]] as const) {
        if (!instruction || (instruction.keyword !== 'COPY' && instruction.keyword !== 'ADD')) continue;
        if (instruction.flags.some((flag) => flag.name === 'from')) continue;
        for (const source of copySources(instruction)) {
          if (!isWholeContext(source.value)) continue;
          const data = { keyword: instruction.keyword, source: source.value, own };
          if (ships(instruction, wrapped)) ctx.report({ messageId: 'wholeContext', data, span: source.span });
          else ctx.report({ messageId: 'wholeContextBuildStage', data: { ...data, why: shipping.why(shipping.stage(instruction.stageIndex)!) }, span: source.span, severity: 'info' });
        }
      }
    }
  },
};

export default rule;
