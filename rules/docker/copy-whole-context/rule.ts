import type { Rule } from '../../_api';
import { copySources, withOnbuild } from '../../_helpers/docker-instruction';

/** `.`, `./`, `/`, `*`, `./*`: the whole build context (COPY paths are relative to its root). */
function isWholeContext(source: string): boolean {
  const path = source.replace(/\/+$/, '').replace(/^(?:\.\/)+/, '').replace(/^\/+/, '');
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
  },
  visits: ['COPY', 'ADD', 'ONBUILD'],
  check(ctx) {
    const own = `${baseName(ctx.path)}.dockerignore`;
    const folder = ctx.path.includes('/') ? ctx.path.slice(0, ctx.path.lastIndexOf('/') + 1) : '';
    // BuildKit reads <Dockerfile name>.dockerignore before .dockerignore; either one is enough.
    const shared = ctx.project.exists(`${folder}.dockerignore`);
    const specific = ctx.project.exists(`${folder}${own}`);
    if (shared !== false || specific !== false) return;
    for (const instruction of withOnbuild(ctx.nodes, 'COPY', 'ADD')) {
      if (instruction.flags.some((flag) => flag.name === 'from')) continue;
      for (const source of copySources(instruction)) {
        if (!isWholeContext(source.value)) continue;
        ctx.report({ messageId: 'wholeContext', data: { keyword: instruction.keyword, source: source.value, own }, span: source.span });
      }
    }
  },
};

export default rule;
