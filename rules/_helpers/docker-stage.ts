// The stage graph of a Dockerfile, computed once per analysis (`ctx.index(STAGES)`): stages by
// name, what a `--from` names, the chain of `FROM <stage>`, the instructions in force at the end of a
// stage (USER, HEALTHCHECK, CMD…), and which stages ship. Every query but `chain` is O(1) or a binary
// search, so a file of thousands of chained stages costs no more per stage than a file of two.
// No checks live here.
import type { Index, Instruction, Stage } from '../_api';

export type StageReference =
  /** An earlier stage, as it should be. */
  | { kind: 'stage'; stage: Stage }
  /** The stage that contains the instruction. */
  | { kind: 'self'; stage: Stage }
  /** A stage defined further down the file. */
  | { kind: 'later'; stage: Stage }
  /** A numeric index that names no stage before this one. */
  | { kind: 'badIndex' }
  /** Clearly an image reference (`nginx:1.27`, `ghcr.io/acme/tools`, `alpine@sha256:…`). */
  | { kind: 'image' }
  /** Contains a variable: not known until build time. */
  | { kind: 'variable' }
  /** A bare word that is no stage of this file: Docker pulls an image of that name. */
  | { kind: 'unknown' };

export interface StageUse {
  /** A later stage is built `FROM` it, so it passes on its configuration (CMD, USER, HEALTHCHECK…). */
  asBase: boolean;
  /** Another stage copies files out of it (`COPY --from`, `RUN --mount=from=`). */
  asSource: boolean;
}

/** An instruction in force for a stage, and the stage that contains it (itself or one it is built on). */
export interface InForce {
  instruction: Instruction;
  stage: Stage;
}

/** `from=` of a `RUN --mount=…` flag value, with its offset inside that value. */
export function mountFrom(value: string): { value: string; offset: number } | undefined {
  const match = /(?:^|,)from=([^,]+)/.exec(value);
  return match ? { value: match[1], offset: match.index + match[0].indexOf('=') + 1 } : undefined;
}

/** The `--from` of a COPY or the `from=` of a RUN's `--mount`: the stage or image it reads files from. */
function fromValues(instruction: Instruction): string[] {
  const out: string[] = [];
  for (const f of instruction.flags) {
    if (f.value === undefined) continue;
    if (f.name === 'from' && instruction.keyword === 'COPY') out.push(f.value);
    else if (f.name === 'mount' && instruction.keyword === 'RUN') {
      const from = mountFrom(f.value);
      if (from) out.push(from.value);
    }
  }
  return out;
}

/** The last element of an ascending list that is below `limit`, by binary search. */
function lastBelow<T>(list: readonly T[], key: (item: T) => number, limit: number): T | undefined {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (key(list[mid]) < limit) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? list[lo - 1] : undefined;
}

const NONE: readonly Instruction[] = [];

/** The stage graph of one file: built once per analysis by the STAGES index. */
export class StageGraph {
  /** The last stage: what `docker build` produces without `--target`. */
  readonly final: Stage | undefined;
  private readonly roots: Stage[] = [];
  private readonly byName = new Map<string, Stage[]>();
  private readonly ownByKeyword: Map<string, Instruction[]>[] = [];
  private readonly stageUses: StageUse[] = [];
  /** Per keyword, what is in force at the end of each stage: one forward pass, on first use. */
  private readonly atEnd = new Map<string, (InForce | undefined)[]>();
  private suggester?: (ref: string) => string | undefined;

  /** The model's stages: `stages[instruction.stageIndex]` is an instruction's (an ONBUILD-wrapped one's: its wrapper's). */
  constructor(readonly stages: readonly Stage[]) {
    this.final = stages.at(-1);
    for (const stage of stages) {
      const base = this.base(stage);
      this.roots[stage.index] = base ? this.roots[base.index] : stage;
      if (stage.name) {
        const list = this.byName.get(stage.name);
        if (list) list.push(stage);
        else this.byName.set(stage.name, [stage]);
      }
      const own = new Map<string, Instruction[]>();
      for (const instruction of stage.instructions) {
        const list = own.get(instruction.keyword);
        if (list) list.push(instruction);
        else own.set(instruction.keyword, [instruction]);
      }
      this.ownByKeyword[stage.index] = own;
      this.stageUses[stage.index] = { asBase: false, asSource: false };
    }
    for (const stage of stages) {
      const base = this.base(stage);
      if (base) this.stageUses[base.index].asBase = true;
      for (const instruction of stage.instructions) {
        for (const value of fromValues(instruction)) {
          const ref = this.resolve(value, stage.index);
          if (ref.kind === 'stage' || ref.kind === 'later') this.stageUses[ref.stage.index].asSource = true;
        }
      }
    }
  }

  /** The earlier stage this one is built `FROM`, if it is (the parser links only earlier ones; checked so that every walk ends). */
  base(stage: Stage): Stage | undefined {
    return stage.baseStage !== undefined && stage.baseStage < stage.index ? this.stages[stage.baseStage] : undefined;
  }

  /** The stage at the root of a chain of `FROM <stage>`: the one that names a registry image or scratch. */
  root(stage: Stage): Stage {
    return this.roots[stage.index];
  }

  /** The stage and the stages it is built on, itself first. Walks the chain: for one stage, not for every instruction. */
  *chain(stage: Stage): Generator<Stage> {
    for (let current: Stage | undefined = stage; current; current = this.base(current)) yield current;
  }

  /** The stage's own instructions with this keyword, in order (not the ones wrapped by `ONBUILD`). */
  own(stage: Stage, keyword: string): readonly Instruction[] {
    return this.ownByKeyword[stage.index].get(keyword) ?? NONE;
  }

  /**
   * The last `keyword` instruction in force in `stage` before offset `before` (at its end when absent),
   * following `FROM <stage>`: the USER a step runs as, the HEALTHCHECK an image inherits.
   */
  inForce(stage: Stage, keyword: string, before?: number): InForce | undefined {
    const list = this.ownByKeyword[stage.index].get(keyword);
    const last = before === undefined ? list?.at(-1) : list && lastBelow(list, (i) => i.span.end, before + 1);
    if (last) return { instruction: last, stage };
    const base = this.base(stage);
    return base ? this.inForceAtEnd(keyword)[base.index] : undefined;
  }

  private inForceAtEnd(keyword: string): (InForce | undefined)[] {
    let ends = this.atEnd.get(keyword);
    if (ends) return ends;
    ends = [];
    for (const stage of this.stages) {
      const last = this.ownByKeyword[stage.index].get(keyword)?.at(-1);
      const base = this.base(stage);
      ends[stage.index] = last ? { instruction: last, stage } : base ? ends[base.index] : undefined;
    }
    this.atEnd.set(keyword, ends);
    return ends;
  }

  /** Resolves a `COPY --from` / `--mount=from=` value used inside stage `current`. */
  resolve(value: string, current: number): StageReference {
    if (value.includes('$')) return { kind: 'variable' };
    if (/^\d+$/.test(value)) {
      const index = Number(value);
      const stage = this.stages[index];
      if (index < current && stage) return { kind: 'stage', stage };
      if (index === current && stage) return { kind: 'self', stage };
      return { kind: 'badIndex' };
    }
    // Docker prefers a stage over an image of the same name, so look at the stages first.
    const named = this.byName.get(value.toLowerCase());
    if (named) {
      const earlier = lastBelow(named, (s) => s.index, current);
      if (earlier) return { kind: 'stage', stage: earlier };
      if (named[0].index === current) return { kind: 'self', stage: named[0] };
      return { kind: 'later', stage: named[0] };
    }
    if (/[/:@]/.test(value)) return { kind: 'image' };
    return { kind: 'unknown' };
  }

  /** How the other stages use a stage. */
  uses(stage: Stage): StageUse {
    return this.stageUses[stage.index];
  }

  /**
   * Whether a stage's files and configuration can end up in an image: the final stage, a stage
   * another is built on, and a stage nothing uses (a likely `--target`). A stage that is only copied
   * from is a build step: its caches stay behind and its CMD never runs.
   */
  ships(stage: Stage): boolean {
    const use = this.stageUses[stage.index];
    return stage.index === this.stages.length - 1 || !use || use.asBase || !use.asSource;
  }

  /** A stage name close to `ref` ("did you mean"), if one is. */
  similarName(ref: string): string | undefined {
    this.suggester ??= nameSuggester([...this.byName.keys()]);
    return this.suggester(ref);
  }
}

export const STAGES: Index<'dockerfile', StageGraph> = {
  name: 'docker.stages',
  compute: (source) => new StageGraph(source.model.stages),
};

// ---------------------------------------------------------------- "did you mean"

/**
 * Levenshtein distance between `a` and `b` when it is at most `limit`, else `limit + 1`: only the
 * diagonal band of width 2·limit+1 is filled, so a comparison costs O(length · limit).
 */
export function boundedEditDistance(a: string, b: string, limit: number): number {
  const over = limit + 1;
  if (Math.abs(a.length - b.length) > limit) return over;
  let previous = new Uint32Array(b.length + 1);
  let row = new Uint32Array(b.length + 1);
  for (let j = 0; j <= b.length; j++) previous[j] = Math.min(j, over);
  for (let i = 1; i <= a.length; i++) {
    const from = Math.max(1, i - limit);
    const to = Math.min(b.length, i + limit);
    row.fill(over);
    row[0] = Math.min(i, over);
    let best = row[0];
    for (let j = from; j <= to; j++) {
      row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1), over);
      if (row[j] < best) best = row[j];
    }
    if (best > limit) return over;
    [previous, row] = [row, previous];
  }
  return previous[b.length];
}

/**
 * How many name comparisons one file may spend on suggestions: enough for a hundred misspelt
 * references among two hundred stage names of one length. A typo is compared only with names of
 * about its length, and each distinct typo once; a generated file with thousands of similar names
 * and thousands of distinct unknown references stops suggesting rather than going quadratic.
 */
const SUGGESTION_BUDGET = 20_000;

/** The closest name within edit distance 2 (and under half its length) of a reference; the first such name on a tie. */
function nameSuggester(names: readonly string[]): (ref: string) => string | undefined {
  const byLength = new Map<number, { name: string; rank: number }[]>();
  names.forEach((name, rank) => {
    const list = byLength.get(name.length);
    if (list) list.push({ name, rank });
    else byLength.set(name.length, [{ name, rank }]);
  });
  const answers = new Map<string, string | undefined>();
  let budget = SUGGESTION_BUDGET;
  return (ref) => {
    const lower = ref.toLowerCase();
    if (answers.has(lower)) return answers.get(lower);
    let best: { name: string; distance: number; rank: number } | undefined;
    for (let length = lower.length - 2; length <= lower.length + 2; length++) {
      for (const { name, rank } of byLength.get(length) ?? []) {
        if (budget-- <= 0) return undefined;
        const distance = boundedEditDistance(lower, name, 2);
        if (distance > 2 || distance >= name.length / 2) continue;
        if (!best || distance < best.distance || (distance === best.distance && rank < best.rank)) best = { name, distance, rank };
      }
    }
    answers.set(lower, best?.name);
    return best?.name;
  };
}
