// What of each stage reaches an image, computed once per analysis (`ctx.index(SHIPPING)`): the
// final stage ships whole, and so do the stages it is built on and stages nothing uses (a likely
// `--target`); a stage that is only copied from ships the paths copied out of it, nothing else.
// Rules about what an image contains (package caches and lists, recommended packages, copies of the
// build context, secrets) ask whether the path they care about reaches an image, and say why not
// when it does not. Also: the WORKDIR in force at an instruction, to place relative COPY
// destinations. No checks live here.
import type { Index, Instruction, Stage, Word } from '../_api';
import { copySources, expandedWord } from './docker-instruction';
import { mountFrom, STAGES, type StageGraph } from './docker-stage';
import { withoutTrailingSlashes } from './trim';

/** What leaves a stage for an image. */
export interface StageOutput {
  /** Every file of the stage: the final stage, a stage a shipped one is built on, a stage nothing uses. */
  whole: boolean;
  /** Otherwise, the absolute paths copied out of it (or out of the stages built on it), in the order found. */
  copied: readonly string[];
  /** True when the paths are copied out of stages built on this one, not out of it. */
  throughChildren: boolean;
}

/** More paths than this copied out of one stage: treated as the whole stage (keeps every query short). */
const MAX_PATHS = 32;

/** `./app/`, `app`, `//app//x` -> `/app`, `/app/x`; `.` and `./` -> `/`. */
export function normalisePath(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

/** Linux's PATH_MAX: a longer path is no real one, and keeps a chain of relative WORKDIRs from costing more per stage. */
const PATH_MAX = 4096;

/** `dir` (absolute, normalised) joined with a relative path; undefined past PATH_MAX. */
function join(dir: string, relative: string): string | undefined {
  const joined = /(?:^|\/)\.\.?(?:\/|$)|\/\//.test(relative) ? normalisePath(`${dir}/${relative}`) : `${dir === '/' ? '' : dir}/${withoutTrailingSlashes(relative)}`;
  return joined.length > PATH_MAX ? undefined : joined === '' ? '/' : joined;
}

/**
 * One path segment of a glob as a regular expression: `*`, `?` and `[…]` classes (`[!…]` negated);
 * everything else, a `[` without its `]` included, stands for itself.
 */
function globSegment(pattern: string): RegExp {
  let out = '^';
  // Once no `]` is left, no later `[` opens a class: each character is read a bounded number of times.
  let closing = true;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    const close = c === '[' && closing ? pattern.indexOf(']', i + 2) : -1;
    if (c === '[' && close < 0) closing = false;
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (close > 0) {
      const body = pattern.slice(i + 1, close);
      const negated = body[0] === '!' || body[0] === '^';
      out += `[${negated ? '^' : ''}${(negated ? body.slice(1) : body).replace(/[\\\]^]/g, '\\$&')}]`;
      i = close;
    } else out += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  try {
    return new RegExp(`${out}$`);
  } catch {
    // A class no regular expression accepts (`[z-a]`): Docker would match nothing with it either.
    return /(?!)/;
  }
}

/**
 * Whether copying `copied` takes `path` along: `/` and `/var` take `/var/lib/apt/lists`. Either may
 * hold globs (a `*` for any user's home), matched one path segment at a time.
 */
export function covers(copied: string, path: string): boolean {
  if (copied === '/' || copied === path || path.startsWith(`${copied}/`)) return true;
  if (!GLOB.test(copied) && !GLOB.test(path)) return false;
  const want = copied.split('/');
  const have = path.split('/');
  if (want.length > have.length) return false;
  return want.every((segment, i) => segment === have[i] || (GLOB.test(segment) && globSegment(segment).test(have[i])) || (GLOB.test(have[i]) && globSegment(have[i]).test(segment)));
}

const GLOB = /[*?[]/;

/** `a`, `a and b`, `a, b and c`, `a, b, c and 2 more`. */
function listOf(paths: readonly string[]): string {
  const shown = paths.slice(0, 3);
  const rest = paths.length - shown.length;
  if (rest > 0) return `${shown.join(', ')} and ${rest} more`;
  return shown.length === 1 ? shown[0] : `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}`;
}

/** The WORKDIRs of one stage: absolute directory (undefined when not known) from the end of each on. */
interface Workdirs {
  initial: string | undefined;
  changes: { end: number; dir: string | undefined }[];
}

/** What reaches an image, per stage, and the WORKDIR in force where. Built once per analysis by SHIPPING. */
export class Shipping {
  private readonly outputs: StageOutput[];
  private readonly workdirs: Workdirs[] = [];

  constructor(
    private readonly graph: StageGraph,
    private readonly expand: (word: Word) => string | undefined,
  ) {
    this.outputs = this.computeOutputs();
    this.computeWorkdirs();
  }

  /** The stage of an instruction (`instruction.stageIndex`), if it has one. */
  stage(index: number): Stage | undefined {
    return this.graph.stages[index];
  }

  output(stage: Stage): StageOutput {
    return this.outputs[stage.index];
  }

  /** Whether the file or directory at `path` (absolute) in `stage` reaches an image. */
  reaches(stage: Stage | undefined, path: string): boolean {
    if (!stage) return true;
    const output = this.outputs[stage.index];
    return output.whole || output.copied.some((copied) => covers(copied, path));
  }

  /** Whether any of `paths` (absolute) reaches an image. */
  reachesAny(stage: Stage | undefined, paths: readonly string[]): boolean {
    return paths.some((path) => this.reaches(stage, path));
  }

  /** Whether any of `paths` reaches an image when a RUN step writes it: an `ONBUILD RUN` runs in every child image, so it always does. */
  stepReaches(step: { stageIndex: number; onbuild: boolean }, paths: readonly string[]): boolean {
    return step.onbuild || this.reachesAny(this.graph.stages[step.stageIndex], paths);
  }

  /** Why a stage's files do not ship, for messages: "this stage does not ship: only /out/app is copied out of it". */
  why(stage: Stage): string {
    const { copied, throughChildren } = this.outputs[stage.index];
    const verb = copied.length === 1 ? 'is' : 'are';
    return throughChildren
      ? `this stage does not ship: only ${listOf(copied)} ${verb} copied out of the stages built on it`
      : `this stage does not ship: only ${listOf(copied)} ${verb} copied out of it`;
  }

  /** The WORKDIR in force at `offset` in `stage`, absolute; undefined when it is not known (the base image's, or a variable). */
  workdir(stage: Stage, offset: number): string | undefined {
    const { initial, changes } = this.workdirs[stage.index];
    let lo = 0;
    let hi = changes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (changes[mid].end <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 ? changes[lo - 1].dir : initial;
  }

  /** Where a path written in an instruction of `stage` points: absolute as is, relative from the WORKDIR; undefined when unknown. */
  resolve(stage: Stage, offset: number, path: string): string | undefined {
    if (path.startsWith('/')) return normalisePath(path);
    const dir = this.workdir(stage, offset);
    return dir === undefined ? undefined : join(dir, path);
  }

  /**
   * One pass from the last stage to the first: every user of a stage comes after it, so when a
   * stage is reached, all it gives away is known. A stage reached by nothing (only named by a
   * later stage's `--from`, which Docker rejects) is taken as shipping whole.
   */
  private computeOutputs(): StageOutput[] {
    const { stages } = this.graph;
    const state: ({ whole: true } | { whole: false; copied: string[]; throughChildren: boolean } | undefined)[] = stages.map(() => undefined);
    const give = (to: Stage, paths: readonly string[] | undefined, throughChildren: boolean) => {
      const current = state[to.index];
      if (current?.whole) return;
      if (paths === undefined || paths.includes('/')) {
        state[to.index] = { whole: true };
        return;
      }
      const next = current ?? { whole: false, copied: [], throughChildren };
      next.throughChildren &&= throughChildren;
      for (const path of paths) if (!next.copied.includes(path)) next.copied.push(path);
      state[to.index] = next.copied.length > MAX_PATHS ? { whole: true } : next;
    };
    for (const stage of stages) {
      const use = this.graph.uses(stage);
      if (stage === this.graph.final || !use.asBase && !use.asSource) state[stage.index] = { whole: true };
    }
    for (let i = stages.length - 1; i >= 0; i--) {
      const stage = stages[i];
      const own = state[i] ?? { whole: true };
      state[i] = own;
      const base = this.graph.base(stage);
      if (base) give(base, own.whole ? undefined : own.copied, true);
      for (const instruction of stage.instructions) this.giveFrom(instruction, stage, give);
    }
    return state.map((s) => (s === undefined || s.whole ? { whole: true, copied: [], throughChildren: false } : { whole: false, copied: s.copied, throughChildren: s.throughChildren }));
  }

  /** What one instruction copies out of other stages: the paths of `COPY --from=<stage>`; all of a stage a RUN mounts. */
  private giveFrom(instruction: Instruction, stage: Stage, give: (to: Stage, paths: readonly string[] | undefined, throughChildren: boolean) => void): void {
    for (const flag of instruction.flags) {
      if (flag.value === undefined) continue;
      if (flag.name === 'from' && instruction.keyword === 'COPY') {
        const ref = this.graph.resolve(flag.value, stage.index);
        if (ref.kind !== 'stage') continue;
        const paths: string[] = [];
        for (const source of copySources(instruction)) {
          const value = this.expand(source);
          if (value === undefined) return give(ref.stage, undefined, false);
          paths.push(normalisePath(value));
        }
        give(ref.stage, paths, false);
      } else if (flag.name === 'mount' && instruction.keyword === 'RUN') {
        const from = mountFrom(flag.value);
        const ref = from && this.graph.resolve(from.value, stage.index);
        // The RUN can copy anything out of a mounted stage.
        if (ref?.kind === 'stage') give(ref.stage, undefined, false);
      }
    }
  }

  /** Per stage, its WORKDIRs made absolute, the first one starting from the WORKDIR its base stage ends with. */
  private computeWorkdirs(): void {
    for (const stage of this.graph.stages) {
      const base = this.graph.base(stage);
      const inherited = base ? this.workdirs[base.index] : undefined;
      // A registry image's own WORKDIR is not known here; scratch starts at `/`.
      const initial = inherited ? (inherited.changes.at(-1)?.dir ?? inherited.initial) : stage.image.scratch ? '/' : undefined;
      const changes: Workdirs['changes'] = [];
      let dir = initial;
      for (const workdir of this.graph.own(stage, 'WORKDIR')) {
        const word = workdir.args[0];
        const value = word && this.expand(word);
        dir = value === undefined ? undefined : value.startsWith('/') ? normalisePath(value) : dir === undefined ? undefined : join(dir, value);
        changes.push({ end: workdir.span.end, dir });
      }
      this.workdirs[stage.index] = { initial, changes };
    }
  }
}

export const SHIPPING: Index<'dockerfile', Shipping> = {
  name: 'docker.shipping',
  compute(source) {
    return new Shipping(source.index(STAGES), (word) => {
      const expanded = expandedWord(source, word);
      return expanded.known ? expanded.value : undefined;
    });
  },
};
