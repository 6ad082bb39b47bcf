// Shared predicates for the container rules about images and users: image reference parsing, the
// images a Dockerfile pulls (an index, computed once per analysis), end-of-life matching against the
// shipped data file, USER helpers, and the line-insertion edits that fixes use. No checks live here.
import type { DataFile, Edit, Index, Instruction, Span, Stage } from '../_api';
import { mountFrom, STAGES } from './docker-stage';

// ---------------------------------------------------------------- image references

/** A parsed image reference, normalised the way Docker does (`node` = `docker.io/library/node`). */
export interface ImageName {
  /** Registry host, lower-cased; `docker.io` for Docker Hub (also when written `index.docker.io`). */
  host: string;
  /** Repository path on that host; Docker Hub official images get `library/`. */
  path: string;
  tag?: string;
  digest?: string;
}

const HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

function looksLikeHost(component: string): boolean {
  return component.includes('.') || component.includes(':') || component === 'localhost';
}

/** Parses `[host[:port]/]path[:tag][@digest]`. Undefined for empty or variable-bearing text. */
export function parseImageReference(reference: string): ImageName | undefined {
  let rest = reference.trim();
  if (rest === '' || rest.includes('$') || /\s/.test(rest)) return undefined;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  let host = 'docker.io';
  const slash = rest.indexOf('/');
  if (slash > 0 && looksLikeHost(rest.slice(0, slash))) {
    host = rest.slice(0, slash).toLowerCase();
    rest = rest.slice(slash + 1);
  }
  if (HUB_ALIASES.has(host)) host = 'docker.io';
  if (rest === '') return undefined;
  let path = rest.toLowerCase();
  if (host === 'docker.io' && !path.includes('/')) path = `library/${path}`;
  return { host, path, tag: tag || undefined, digest: digest || undefined };
}

/** `docker.io/library/node`: the key used to match aliases and trusted registries. */
export function canonicalName(image: ImageName): string {
  return `${image.host}/${image.path}`;
}

/** The short form people write: `node`, `bitnami/redis`, `ghcr.io/acme/app`. */
export function displayName(image: ImageName): string {
  if (image.host !== 'docker.io') return `${image.host}/${image.path}`;
  return image.path.startsWith('library/') ? image.path.slice('library/'.length) : image.path;
}

/** Whether a pull of `image` is allowed by a `trustedRegistries` entry (a host, or a host/path prefix). */
export function matchesRegistryEntry(image: ImageName, entry: string): boolean {
  let normalised = entry.trim().replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
  if (normalised === '') return false;
  const first = normalised.split('/')[0];
  // `acme/tools` (no host) means Docker Hub, as `docker pull acme/tools` does.
  if (!looksLikeHost(first)) normalised = `docker.io/${normalised}`;
  const [host, ...path] = normalised.split('/');
  const entryHost = HUB_ALIASES.has(host.toLowerCase()) ? 'docker.io' : host.toLowerCase();
  if (entryHost !== image.host) return false;
  if (path.length === 0) return true;
  const prefix = path.join('/').toLowerCase();
  return image.path === prefix || image.path.startsWith(`${prefix}/`);
}

// ---------------------------------------------------------------- images a Dockerfile pulls

/** One place where the build pulls an image from a registry. */
export interface ImageUse {
  image: ImageName;
  /** The reference after variable substitution, as Docker would pull it. */
  reference: string;
  /** The image word in the source (the `--from=` value for `COPY --from`). */
  span: Span;
  /** The tag's characters after `:`, when the reference is written literally. */
  tagSpan?: Span;
  /** The instruction that pulls it: `FROM`, `COPY --from=…`, `RUN --mount=…,from=…`. */
  instruction: Instruction;
  /** The stage whose `FROM` this is, for base images. */
  stage?: Stage;
}

function tagSpanIn(text: string, span: Span, reference: string): Span | undefined {
  if (text.slice(span.start, span.end) !== reference) return undefined;
  const at = reference.indexOf('@');
  const name = at >= 0 ? reference.slice(0, at) : reference;
  const colon = name.lastIndexOf(':');
  if (colon <= name.lastIndexOf('/')) return undefined;
  return { start: span.start + colon + 1, end: span.start + name.length };
}

/**
 * Every image the build pulls, in file order: `FROM` lines that name a registry image (not `scratch`,
 * not an earlier stage, not an unknown variable), and `COPY --from=<image>` / `RUN --mount=…,from=<image>`
 * (ONBUILD ones too). A bare `--from=builder` that names no stage is left to the stage rules (it is
 * more often a typo than an image); a value with `/`, `:` or `@` is clearly an image reference.
 */
export const PULLED_IMAGES: Index<'dockerfile', readonly ImageUse[]> = {
  name: 'docker.pulledImages',
  compute(source) {
    const { model, text } = source;
    const graph = source.index(STAGES);
    const uses: ImageUse[] = [];
    for (const stage of model.stages) {
      const ref = stage.image;
      if (ref.scratch || ref.unresolved || stage.baseStage !== undefined) continue;
      const image = parseImageReference(ref.resolved);
      if (image) uses.push({ image, reference: ref.resolved, span: ref.span, tagSpan: tagSpanIn(text, ref.span, ref.resolved), instruction: stage.from, stage });
    }
    const copied: ImageUse[] = [];
    const consider = (instruction: Instruction, value: string, span: Span) => {
      if (graph.resolve(value, instruction.stageIndex).kind !== 'image') return;
      const image = parseImageReference(value);
      if (image) copied.push({ image, reference: value, span, tagSpan: tagSpanIn(text, span, value), instruction });
    };
    for (const outer of model.instructions) {
      for (const instruction of outer.onbuild ? [outer, outer.onbuild] : [outer]) {
        for (const flag of instruction.flags) {
          if (flag.value === undefined || !flag.valueSpan) continue;
          if (flag.name === 'from' && instruction.keyword === 'COPY') consider(instruction, flag.value, flag.valueSpan);
          if (flag.name !== 'mount' || instruction.keyword !== 'RUN') continue;
          const from = mountFrom(flag.value);
          if (!from) continue;
          const literal = text.slice(flag.valueSpan.start, flag.valueSpan.end) === flag.value;
          const start = flag.valueSpan.start + from.offset;
          consider(instruction, from.value, literal ? { start, end: start + from.value.length } : flag.valueSpan);
        }
      }
    }
    return [...uses, ...copied].sort((a, b) => a.span.start - b.span.start);
  },
};

// ---------------------------------------------------------------- users

/** The user named by a `USER` instruction: `app` for `USER app:app`. */
export function userOf(instruction: Instruction): string {
  return instruction.args[0]?.value ?? '';
}

/** `root`, `0`, `root:root`, `0:0`, `root:wheel`: the user part is root. Variables are not root (unknown). */
export function isRootUser(value: string): boolean {
  const user = value.split(':')[0];
  return user === 'root' || /^0+$/.test(user);
}

// ---------------------------------------------------------------- edits

/** The file's own line ending: the first one it uses, `\n` when it has none. */
export function lineEnding(text: string): string {
  const match = /\r\n|\n|\r/.exec(text);
  return match ? match[0] : '\n';
}

function lineStart(text: string, offset: number): number {
  let i = offset;
  while (i > 0 && text[i - 1] !== '\n' && text[i - 1] !== '\r') i--;
  return i;
}

function indentBefore(text: string, instruction: Instruction): string {
  const start = lineStart(text, instruction.keywordSpan.start);
  const indent = text.slice(start, instruction.keywordSpan.start);
  return /^[ \t]*$/.test(indent) ? indent : '';
}

/** Inserts `line` as a line of its own just above `instruction`, with its indentation. */
export function insertLineBefore(text: string, instruction: Instruction, line: string): Edit {
  const at = lineStart(text, instruction.keywordSpan.start);
  return { span: { start: at, end: at }, newText: `${indentBefore(text, instruction)}${line}${lineEnding(text)}` };
}

/** Inserts `line` as a line of its own just below `instruction` (after its continuations and heredocs). */
export function insertLineAfter(text: string, instruction: Instruction, line: string): Edit {
  const eol = lineEnding(text);
  const indent = indentBefore(text, instruction);
  let end = instruction.span.end;
  if (end > 0 && (text[end - 1] === '\n' || text[end - 1] === '\r')) return { span: { start: end, end }, newText: `${indent}${line}${eol}` };
  const rest = /\r\n|\n|\r/.exec(text.slice(end));
  if (!rest) return { span: { start: text.length, end: text.length }, newText: `${eol}${indent}${line}` };
  end += rest.index + rest[0].length;
  return { span: { start: end, end }, newText: `${indent}${line}${eol}` };
}

// ---------------------------------------------------------------- end of life

interface Cycle {
  cycle: string;
  codename?: string;
  eol: string | boolean;
  eoes?: string | boolean | null;
}

interface Product {
  title: string;
  aliases: string[];
  imageCycles?: Record<string, string>;
  cycles: Cycle[];
}

/** The end-of-life data as the rules read it (`ctx.data(EOL)`), shaped once per engine. */
export interface EolData {
  /** By endoflife.date slug. */
  products: ReadonlyMap<string, Product>;
  /** Codenames that container tags use (`bookworm`, `focal`), with the release they name. */
  codenames: ReadonlyMap<string, { product: string; cycle: string }>;
  /** Canonical image names (`docker.io/library/node`) with the product they ship and, for some, the cycle. */
  byImage: ReadonlyMap<string, { slug: string; cycle?: string }>;
}

/** Image names whose tags carry no version of the product (a hint only, see data/README.md). */
const VERSIONLESS_ALIASES = new Set(['docker.io/library/openjdk']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(what: string): never {
  throw new Error(`data/eol.json: ${what}`);
}

function readProduct(slug: string, value: unknown): Product {
  if (!isRecord(value)) invalid(`product ${slug} is not an object`);
  const { title, aliases, imageCycles, cycles } = value;
  if (!Array.isArray(aliases) || !aliases.every((a) => typeof a === 'string')) invalid(`product ${slug}: aliases must be strings`);
  if (imageCycles !== undefined && (!isRecord(imageCycles) || !Object.values(imageCycles).every((c) => typeof c === 'string'))) invalid(`product ${slug}: imageCycles must map images to cycles`);
  if (!Array.isArray(cycles)) invalid(`product ${slug}: cycles must be a list`);
  for (const cycle of cycles as unknown[]) {
    if (!isRecord(cycle) || typeof cycle.cycle !== 'string') invalid(`product ${slug}: every cycle needs a "cycle" string`);
    if (typeof cycle.eol !== 'string' && typeof cycle.eol !== 'boolean') invalid(`product ${slug} ${cycle.cycle}: "eol" must be a date or a boolean`);
    if (cycle.codename !== undefined && cycle.codename !== null && typeof cycle.codename !== 'string') invalid(`product ${slug} ${cycle.cycle}: "codename" must be a string`);
  }
  return { title: typeof title === 'string' ? title : slug, aliases: aliases as string[], imageCycles: imageCycles as Record<string, string> | undefined, cycles: cycles as Cycle[] };
}

/** `data/eol.json`: endoflife.date cycles of runtimes and distributions, and the image names that ship them. */
export const EOL: DataFile<EolData> = {
  name: 'eol',
  file: 'eol.json',
  read(json) {
    if (!isRecord(json) || !isRecord(json.products) || !isRecord(json.codenames)) invalid('expected { products, codenames }');
    const products = new Map<string, Product>();
    for (const [slug, product] of Object.entries(json.products)) products.set(slug, readProduct(slug, product));
    // Codenames of Debian 7 (wheezy) and later, Ubuntu 12.04 (precise) and later: older ones (`bo`,
    // `rex`, `hamm`…) are too short and too common to read as a distribution in a tag.
    const codenames = new Map<string, { product: string; cycle: string }>();
    for (const [codename, value] of Object.entries(json.codenames)) {
      if (!isRecord(value) || typeof value.product !== 'string' || typeof value.cycle !== 'string') invalid(`codename ${codename}: expected { product, cycle }`);
      const { product, cycle } = value as { product: string; cycle: string };
      if (product === 'debian' ? Number(cycle) >= 7 : Number(cycle) >= 12.04) codenames.set(codename, { product, cycle });
    }
    const byImage = new Map<string, { slug: string; cycle?: string }>();
    for (const [slug, product] of products) {
      for (const alias of product.aliases) {
        const name = parseImageReference(alias);
        if (name && !VERSIONLESS_ALIASES.has(canonicalName(name))) byImage.set(canonicalName(name), { slug });
      }
      for (const [alias, cycle] of Object.entries(product.imageCycles ?? {})) {
        const name = parseImageReference(alias);
        if (name) byImage.set(canonicalName(name), { slug, cycle });
      }
    }
    return { products, codenames, byImage };
  },
};

/** Short names used in messages (`node 14`, `debian 9`), keyed by endoflife.date slug. */
const SHORT_NAMES: Record<string, string> = { nodejs: 'node', 'alpine-linux': 'alpine', 'apache-http-server': 'httpd', postgresql: 'postgres' };

/**
 * The date a cycle stops getting security fixes in container images. Debian images keep receiving
 * Debian LTS updates, so for Debian that is the end of LTS (`eoes`); Ubuntu's ESM needs a
 * subscription that images do not have, so there it is `eol`, as for every other product.
 */
function endDate(slug: string, cycle: Cycle): string | boolean {
  if (slug === 'debian' && typeof cycle.eoes === 'string') return cycle.eoes;
  return cycle.eol;
}

function ended(date: string | boolean, on: string): boolean {
  return date === true || (typeof date === 'string' && date < on);
}

/** A release that reached end of life, found in an image reference. */
export interface EolMatch {
  /** `node`, `debian`, `python`. */
  product: string;
  /** endoflife.date slug. */
  slug: string;
  cycle: string;
  codename?: string;
  /** `YYYY-MM-DD`, or `''` when the source gives no date. */
  eolDate: string;
  /** The oldest cycle still supported on that day, if any. */
  oldestSupported?: string;
  /** `image` when the image's own product is old, `os` for the distribution named in the tag. */
  part: 'image' | 'os';
  /** Offsets within the tag of the characters that name the release, when it comes from the tag. */
  tagRange?: { start: number; end: number };
}

function findCycle(eol: EolData, slug: string, version: string): Cycle | undefined {
  const v = version.replace(/^v/i, '');
  if (!/^\d+(\.\d+)*$/.test(v)) return undefined;
  let best: Cycle | undefined;
  for (const cycle of eol.products.get(slug)?.cycles ?? []) {
    if (v === cycle.cycle || v.startsWith(`${cycle.cycle}.`)) {
      if (!best || cycle.cycle.length > best.cycle.length) best = cycle;
    }
  }
  return best;
}

function toMatch(eol: EolData, slug: string, cycle: Cycle, on: string, part: EolMatch['part'], tagRange?: EolMatch['tagRange']): EolMatch | undefined {
  const date = endDate(slug, cycle);
  if (!ended(date, on)) return undefined;
  const supported = (eol.products.get(slug)?.cycles ?? []).filter((c) => !ended(endDate(slug, c), on));
  return {
    product: SHORT_NAMES[slug] ?? slug,
    slug,
    cycle: cycle.cycle,
    codename: cycle.codename?.split(' ')[0].toLowerCase(),
    eolDate: typeof date === 'string' ? date : '',
    oldestSupported: supported.at(-1)?.cycle,
    part,
    tagRange,
  };
}

/**
 * End-of-life releases an image reference names, as of `on` (`YYYY-MM-DD`): the image's own product
 * (`node:14`, `debian:stretch`, `registry.access.redhat.com/ubi7`) and the distribution its tag names
 * (`-bullseye`, `-slim-buster`, `-alpine3.12`, `-focal`).
 */
export function endOfLifeMatches(eol: EolData, image: ImageName, on: string): EolMatch[] {
  const matches: EolMatch[] = [];
  const known = eol.byImage.get(canonicalName(image));
  const tag = image.tag ?? '';
  const parts: { text: string; start: number }[] = [];
  let offset = 0;
  for (const text of tag.split('-')) {
    parts.push({ text, start: offset });
    offset += text.length + 1;
  }
  let ownPart = -1;
  if (known?.cycle) {
    const cycle = eol.products.get(known.slug)?.cycles.find((c) => c.cycle === known.cycle);
    const match = cycle && toMatch(eol, known.slug, cycle, on, 'image');
    if (match) matches.push(match);
  } else if (known && tag) {
    const first = parts[0];
    const codename = eol.codenames.get(first.text.toLowerCase());
    const cycle = codename && codename.product === known.slug
      ? eol.products.get(known.slug)?.cycles.find((c) => c.cycle === codename.cycle)
      : findCycle(eol, known.slug, first.text);
    if (cycle) {
      ownPart = 0;
      const match = toMatch(eol, known.slug, cycle, on, 'image', { start: first.start, end: first.start + first.text.length });
      if (match) matches.push(match);
    }
  }
  // The distribution in the tag, unless it is the image's own product (`debian:stretch-slim`).
  parts.forEach((part, index) => {
    if (index === ownPart || (index === 0 && !known)) return;
    const lower = part.text.toLowerCase();
    let slug: string | undefined;
    let cycle: Cycle | undefined;
    const codename = eol.codenames.get(lower);
    if (codename) {
      slug = codename.product;
      cycle = eol.products.get(slug)?.cycles.find((c) => c.cycle === codename.cycle);
    } else {
      const alpine = /^alpine(\d+\.\d+)$/.exec(lower);
      if (alpine) {
        slug = 'alpine-linux';
        cycle = findCycle(eol, slug, alpine[1]);
      }
    }
    if (!slug || !cycle || slug === known?.slug) return;
    const match = toMatch(eol, slug, cycle, on, 'os', { start: part.start, end: part.start + part.text.length });
    if (match) matches.push(match);
  });
  return matches;
}

// ---------------------------------------------------------------- COPY / ADD sources

/** `http(s)://…`, `git://…`, `ssh://…`, `git@host:repo`: ADD fetches these itself. */
export function isRemoteSource(source: string): boolean {
  return /^(?:https?|git|ssh):\/\//i.test(source) || /^[\w.-]+@[\w.-]+:/.test(source);
}

/** A git repository source of ADD: `git@…`, `git://…`, or an http(s)/ssh URL of a `.git` repository. */
export function isGitSource(source: string): boolean {
  return /^git@|^git:\/\//i.test(source) || (isRemoteSource(source) && /\.git(?:#.*)?$/i.test(source));
}

/** Local files that ADD unpacks: tar archives, plain or compressed (ADD looks at the content; so do we, by name). */
export function isArchiveName(source: string): boolean {
  return /\.(?:tar|tgz|tbz2?|txz|tzst|tar\.(?:gz|bz2|xz|zst|lz4)|gz|bz2|xz|zst|lz4)$/i.test(source);
}

