import type { Rule } from '../../_api';
import { isGitSource, isRemoteSource } from '../../_helpers/docker-image';
import { copySources, expandedWord, withOnbuild } from '../../_helpers/docker-instruction';

/** A git source pinned to a full commit id (`…repo.git#<40 hex>`) cannot change under the build. */
function pinnedGitCommit(source: string): boolean {
  return /#[0-9a-f]{40}(?::[^#]*)?$/i.test(source);
}

const rule: Rule<'dockerfile'> = {
  id: 'docker/add-remote-without-checksum',
  title: 'ADD of a remote URL without --checksum',
  severity: 'medium',
  layer: 'container',
  category: 'security',
  model: 'dockerfile',
  description: 'ADD downloads a URL or git repository into the image without verifying what it got.',
  references: {
    cwe: ['CWE-494'],
    cis: ['CIS Docker 4.9'],
    kics: ['4b410d24-1cbe-4430-a632-62c9a931cf1c'],
  },
  messages: {
    url: 'ADD downloads {{url}} with no --checksum, so whatever the server returns goes into the image; add --checksum=sha256:… (or download and verify in a RUN step).',
    git: 'ADD clones {{url}} at a ref that can move and with no --checksum; pin a commit id or add --checksum=<commit>.',
  },
  visits: ['ADD', 'ONBUILD'],
  check(ctx) {
    for (const instruction of withOnbuild(ctx.nodes, 'ADD')) {
      if (instruction.flags.some((flag) => flag.name === 'checksum')) continue;
      for (const source of copySources(instruction)) {
        const url = expandedWord(ctx, source).value;
        if (!isRemoteSource(url)) continue;
        if (isGitSource(url)) {
          if (!pinnedGitCommit(url)) ctx.report({ messageId: 'git', data: { url }, span: source.span });
        } else {
          ctx.report({ messageId: 'url', data: { url }, span: source.span });
        }
      }
    }
  },
};

export default rule;
