import type { Rule, Word } from '../../_api';
import { INSTALLS, isPinned, namedPackages } from '../../_helpers/docker-shell';

/** The gem a `-v`/`--version` option pins: the operand right before it, else the first one after it. */
function pinnedByOption(args: Word[], gems: Word[]): Set<Word> {
  const out = new Set<Word>();
  const isGem = new Set(gems);
  let before: Word | undefined;
  let pending = false; // a `-v` before the first gem pins the next gem
  for (const a of args) {
    if (isGem.has(a)) {
      if (pending) out.add(a);
      pending = false;
      before = a;
    } else if (a.value === '-v' || a.value === '--version' || a.value.startsWith('--version=')) {
      if (before) out.add(before);
      else pending = true;
    }
  }
  return out;
}

const rule: Rule<'dockerfile'> = {
  id: 'docker/gem-unpinned',
  title: 'gem install without a version',
  severity: 'info',
  layer: 'container',
  category: 'security',
  model: 'dockerfile',
  description: '`gem install` names a gem without `:<version>` or `-v`, so each build installs whatever RubyGems serves that day.',
  references: {
    cwe: ['CWE-1357'],
    hadolint: ['DL3028'],
    kics: ['22cd11f7-9c6c-4f6e-84c0-02058120b341'],
  },
  messages: {
    unpinned: '`{{packages}}` installed without a version: a new release — or a compromised one — lands in the next build unreviewed. Use `gem install <gem>:<version>` (or `-v <version>` for a single gem), or a Gemfile.lock with `bundle install`.',
  },
  visits: ['RUN', 'ONBUILD'],
  check(ctx) {
    for (const { install: pc } of ctx.index(INSTALLS)) {
      if (pc.manager !== 'gem') continue;
      const gems = namedPackages(pc);
      const byOption = pinnedByOption(pc.args, gems);
      const unpinned = gems.filter((g) => !byOption.has(g) && !isPinned('gem', g.value));
      if (unpinned.length) ctx.report({ messageId: 'unpinned', data: { packages: unpinned.map((w) => w.value).join(' ') }, span: unpinned[0].span });
    }
  },
};

export default rule;
