import type { Fix, Rule } from '../../_api';
import { isArchiveName, isRemoteSource } from '../../_helpers/docker-image';
import { copySources, expandedWord, withOnbuild } from '../../_helpers/docker-instruction';

/** Flags only ADD understands: with them COPY is not a drop-in replacement. */
const ADD_ONLY_FLAGS = new Set(['checksum', 'keep-git-dir', 'unpack']);

const rule: Rule<'dockerfile'> = {
  id: 'docker/add-instead-of-copy',
  title: 'ADD used where COPY does the same',
  severity: 'low',
  layer: 'container',
  category: 'security',
  model: 'dockerfile',
  description: 'ADD copies local files that are neither archives to unpack nor URLs, which COPY does without ADD\'s implicit behaviour.',
  references: {
    cis: ['CIS Docker 4.9'],
    hadolint: ['DL3020'],
    trivy: ['AVD-DS-0005'],
    checkov: ['CKV_DOCKER_4'],
    kics: ['9513a694-aa0d-41d8-be61-3271e056f36b'],
  },
  messages: {
    useCopy: 'Use COPY for local files: ADD would also unpack archives and fetch URLs, so a changed source can silently change what it does.',
  },
  fixable: true,
  visits: ['ADD', 'ONBUILD'],
  check(ctx) {
    for (const instruction of withOnbuild(ctx.nodes, 'ADD')) {
      if (instruction.args.length < 2) continue;
      if (instruction.flags.some((flag) => ADD_ONLY_FLAGS.has(flag.name))) continue;
      // Heredoc sources (`ADD <<EOF /etc/motd`) are plain files to COPY as well.
      const sources = copySources(instruction).map((source) => expandedWord(ctx, source));
      if (sources.some(({ value }) => isRemoteSource(value) || isArchiveName(value))) continue;
      // A variable known only at build time may still name a URL or an archive: then the author decides.
      const unknown = sources.some((source) => !source.known);
      ctx.report({
        messageId: 'useCopy',
        span: instruction.keywordSpan,
        fix: () => {
          const keyword = ctx.text.slice(instruction.keywordSpan.start, instruction.keywordSpan.end);
          const replacement = keyword === keyword.toLowerCase() ? 'copy' : 'COPY';
          const fix: Fix = { title: 'Replace ADD with COPY', edits: [{ span: instruction.keywordSpan, newText: replacement }] };
          return unknown ? { ...fix, safety: 'suggestion' } : fix;
        },
      });
    }
  },
};

export default rule;
