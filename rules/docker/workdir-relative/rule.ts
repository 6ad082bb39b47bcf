import type { FixSource, Instruction, Rule } from '../../_api';
import { STAGES } from '../../_helpers/docker-stage';
import { lineOf } from '../../_helpers/lines';

/** Absolute on Linux (`/app`) or Windows (`C:\app`, `\\server\share`), or starting with a variable. */
function isAbsoluteOrVariable(path: string): boolean {
  return /^(?:[/$]|[A-Za-z]:[\\/]|\\\\)/.test(path);
}

/** `/app` + `src/../lib` -> `/app/lib`, as Docker resolves a relative WORKDIR. */
function resolvePosix(base: string, relative: string): string {
  const parts: string[] = [];
  for (const part of `${base}/${relative}`.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

/** Linux's PATH_MAX: a chain of relative WORKDIRs past it is no real path (and would cost more per WORKDIR). */
const PATH_MAX = 4096;

interface Known {
  /** The working directory, when every WORKDIR so far was literal. */
  path?: string;
  /** Set when relative WORKDIRs added up to more than PATH_MAX characters. */
  tooLong?: true;
  /** The WORKDIR that set it (or that made it unknown, when `path` is undefined). */
  from?: Instruction;
}

const rule: Rule<'dockerfile'> = {
  id: 'docker/workdir-relative',
  title: 'Relative WORKDIR',
  severity: 'low',
  layer: 'container',
  category: 'hygiene',
  model: 'dockerfile',
  description: 'WORKDIR is given a relative path, so the directory depends on the base image or on earlier instructions.',
  references: {
    cwe: ['CWE-665'],
    hadolint: ['DL3000'],
    trivy: ['AVD-DS-0009'],
    checkov: ['CKV_DOCKER_10'],
    kics: ['6b376af8-cfe8-49ab-a08d-f32de23661a4'],
    links: ['https://docs.docker.com/reference/build-checks/workdir-relative-path/'],
  },
  messages: {
    againstBase: 'WORKDIR {{path}} is relative to the base image\'s working directory, which this file does not set and which can change when the image is updated: files land, and commands run, somewhere unexpected. Use an absolute path.',
    againstVariable: 'WORKDIR {{path}} is relative to the WORKDIR on line {{line}}, which is only known at build time. Use an absolute path.',
    againstEarlier: 'WORKDIR {{path}} is relative to the WORKDIR on line {{line}} and resolves to {{resolved}}; write {{resolved}} so the directory does not depend on the order of instructions.',
    tooLong: 'WORKDIR {{path}} is relative to the WORKDIR on line {{line}}, and the relative WORKDIRs add up to a path longer than Linux allows (4096 characters). Use an absolute path.',
  },
  fixable: true,
  visits: ['WORKDIR'],
  check(ctx) {
    const text = ctx.text;
    const graph = ctx.index(STAGES);
    // A stage is built only on earlier ones, so in file order each starts from its base's end.
    const atEnd: Known[] = [];
    for (const stage of graph.stages) {
      const parent = graph.base(stage);
      let known: Known = parent ? atEnd[parent.index] : {};
      for (const instruction of graph.own(stage, 'WORKDIR')) {
        if (instruction.args.length === 0) continue;
        const path = instruction.args.map((a) => a.value).join(' ');
        if (isAbsoluteOrVariable(path)) {
          known = path.includes('$') || !path.startsWith('/') ? { from: instruction } : { path, from: instruction };
          continue;
        }
        const resolved = known.path !== undefined ? resolvePosix(known.path, path) : undefined;
        if (known.from && (known.tooLong || (resolved !== undefined && resolved.length > PATH_MAX))) {
          ctx.report({ messageId: 'tooLong', data: { path, line: lineOf(ctx, known.from.keywordSpan.start) }, span: instruction.args[0].span });
          known = { from: instruction, tooLong: true };
          continue;
        }
        if (resolved === undefined || !known.from) {
          const earlier = known.from;
          ctx.report({
            messageId: earlier ? 'againstVariable' : 'againstBase',
            data: { path, line: earlier ? lineOf(ctx, earlier.keywordSpan.start) : '' },
            span: instruction.args[0].span,
          });
          known = { from: instruction };
          continue;
        }
        // Rewrite only a plain single word; quoted or escaped text is left to the author.
        const raw = text.slice(instruction.argsSpan.start, instruction.argsSpan.end);
        const fix: FixSource | undefined = !path.includes('$') && raw === path && /^[\w./-]+$/.test(raw)
          ? () => ({ title: `Use the absolute path ${resolved}`, edits: [{ span: instruction.argsSpan, newText: resolved }] })
          : undefined;
        ctx.report({
          messageId: 'againstEarlier',
          data: { path, line: lineOf(ctx, known.from.keywordSpan.start), resolved },
          span: instruction.args[0].span,
          fix,
        });
        known = { path: resolved, from: instruction };
      }
      atEnd[stage.index] = known;
    }
  },
};

export default rule;
