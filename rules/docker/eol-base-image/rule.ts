import type { Rule } from '../../_api';
import { endOfLifeMatches, EOL, PULLED_IMAGES, type EolMatch } from '../../_helpers/docker-image';

/** How the release is known to have ended, for the message: no day-dependent words beyond the dates the data gives. */
function endedText(match: EolMatch): string {
  if (match.how === 'older') return `is older than the oldest release endoflife.date lists for ${match.product} (${match.oldestListed}), so it is long past its end of life`;
  const on = match.eolDate || 'an unannounced date';
  return match.how === 'family' ? `reached end of life with every ${match.product} ${match.cycle}.x release, the last on ${on}` : `reached end of life on ${on}`;
}

const rule: Rule<'dockerfile'> = {
  id: 'docker/eol-base-image',
  title: 'End-of-life base image',
  severity: 'high',
  layer: 'container',
  category: 'security',
  model: 'dockerfile',
  description: 'An image is an end-of-life release of its runtime or distribution, which no longer gets security fixes.',
  references: {
    cwe: ['CWE-1104'],
    links: ['https://endoflife.date'],
  },
  messages: {
    image: '{{release}} {{ended}}{{oldest}}; move {{image}} to a supported release.',
    os: '{{image}} is built on {{release}}, which {{ended}}{{oldest}}; use a variant on a supported release.',
    runtime: '{{image}} ships {{release}} (its {{where}} says so), which {{ended}}{{oldest}}; use a variant on a supported release.',
  },
  // Base images and `COPY --from=<image>` / `RUN --mount=from=<image>`, ONBUILD ones too.
  visits: ['FROM', 'COPY', 'RUN', 'ONBUILD'],
  data: [EOL],
  check(ctx) {
    const on = ctx.settings.today;
    const uses = ctx.index(PULLED_IMAGES);
    if (uses.length === 0) return;
    const eol = ctx.data(EOL);
    for (const use of uses) {
      for (const match of endOfLifeMatches(eol, use.image, on)) {
        const release = `${match.product} ${match.cycle}${match.codename ? ` (${match.codename})` : ''}`;
        // The release's characters in the tag when it comes from the tag, else the image word.
        const span = use.tagSpan && match.tagRange
          ? { start: use.tagSpan.start + match.tagRange.start, end: use.tagSpan.start + match.tagRange.end }
          : use.span;
        ctx.report({
          messageId: match.part,
          data: {
            release,
            image: use.reference,
            ended: endedText(match),
            where: match.tagRange ? 'tag' : 'name',
            oldest: match.oldestSupported ? `; the oldest supported release is ${match.oldestSupported}` : '',
          },
          span,
        });
      }
    }
  },
};

export default rule;
