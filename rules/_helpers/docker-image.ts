// Shared predicates for the container rules about images and users: image reference parsing, the
// images a Dockerfile pulls (an index, computed once per analysis), end-of-life matching against the
// shipped data file, USER helpers, and the line-insertion edits that fixes use. No checks live here.
import type { DataFile, Edit, Index, Instruction, Span, Stage } from '../_api';
import { mountFrom, STAGES } from './docker-stage';
import { withoutTrailingSlashes } from './trim';

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
  let normalised = withoutTrailingSlashes(entry.trim().replace(/^[a-z]+:\/\//i, ''));
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
  /** `node`, `debian`, `python`, `java`. */
  product: string;
  /** endoflife.date slug (the first of several for Java). */
  slug: string;
  /** The release as the image names it: a cycle (`3.8`), or a major version that covers several (`5`). */
  cycle: string;
  codename?: string;
  /** `YYYY-MM-DD`, or `''` when the source gives no date (or the release is older than the data). */
  eolDate: string;
  /** How it is known to have ended: its own date; every release of that major version ended; older than any release listed. */
  how: 'date' | 'family' | 'older';
  /** For `older`: the oldest release the data lists. */
  oldestListed?: string;
  /** The oldest cycle still supported on that day, if any. */
  oldestSupported?: string;
  /** `image`: the image's own product; `os`: the distribution it is built on; `runtime`: a runtime its tag or name says it ships. */
  part: 'image' | 'os' | 'runtime';
  /** Offsets within the tag of the characters that name the release, when it comes from the tag (else the name says it). */
  tagRange?: { start: number; end: number };
}

/** `3.10.2` -> [3, 10, 2]; undefined unless every part is a number. */
function versionParts(version: string): number[] | undefined {
  return /^\d+(\.\d+)*$/.test(version) ? version.split('.').map(Number) : undefined;
}

/** -1 when `a` is older than `b` on every part both give, 1 when newer, 0 when one is a prefix of the other (`3` and `3.8`). */
function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}

function findCycle(eol: EolData, slug: string, version: string): Cycle | undefined {
  const v = version.replace(/^v/i, '');
  if (!versionParts(v)) return undefined;
  let best: Cycle | undefined;
  for (const cycle of eol.products.get(slug)?.cycles ?? []) {
    if (v === cycle.cycle || v.startsWith(`${cycle.cycle}.`)) {
      if (!best || cycle.cycle.length > best.cycle.length) best = cycle;
    }
  }
  return best;
}

/** What the data says about a version of a product, as of `on`. */
type Verdict =
  | { how: 'date'; cycle: Cycle }
  | { how: 'family'; cycles: Cycle[] }
  | { how: 'older'; oldest: Cycle }
  | { how: 'current' }
  | undefined;

/**
 * Looks a version up: its own cycle (`3.8.10` -> 3.8); else, for a major version that names several
 * cycles (`php:5` -> 5.0 … 5.6), whether all of them ended; else, whether it is older than every
 * release the data lists (`redis:4`, oldest listed 5.0). A version that shares a prefix with a
 * listed one without naming a cycle (`node:1` against `1.x`) stays undecided.
 */
function verdict(eol: EolData, slug: string, version: string, on: string): Verdict {
  const cycle = findCycle(eol, slug, version);
  if (cycle) return { how: 'date', cycle };
  const parts = versionParts(version.replace(/^v/i, ''));
  const cycles = eol.products.get(slug)?.cycles ?? [];
  if (!parts || cycles.length === 0) return undefined;
  const family = cycles.filter((c) => c.cycle.startsWith(`${version.replace(/^v/i, '')}.`));
  if (family.length > 0) return family.every((c) => ended(endDate(slug, c), on)) ? { how: 'family', cycles: family } : { how: 'current' };
  // Date-like versions (Ubuntu's 16.04) have a two-digit minor: `ubuntu:1.2` names no release at all.
  const dateLike = cycles.every((c) => /^\d+\.\d\d$/.test(c.cycle)) && cycles.some((c) => /\.0\d$/.test(c.cycle));
  if (dateLike && !/^\d+\.\d\d(?:\.|$)/.test(version)) return undefined;
  let oldest: Cycle | undefined;
  for (const c of cycles) {
    const listed = versionParts(c.cycle);
    // Year-numbered releases beside small numbers (Amazon Linux 2018.03 and 2) have no order to compare against.
    if (!listed || listed[0] >= 1000 || compareVersions(parts, listed) >= 0) return undefined;
    if (!oldest || compareVersions(listed, versionParts(oldest.cycle)!) < 0) oldest = c;
  }
  return oldest && { how: 'older', oldest };
}

function supportedOn(eol: EolData, slug: string, on: string): string | undefined {
  return (eol.products.get(slug)?.cycles ?? []).filter((c) => !ended(endDate(slug, c), on)).at(-1)?.cycle;
}

/** The latest of some end dates (`''` when one of them has none). */
function latestDate(dates: (string | boolean)[]): string {
  let latest = '';
  for (const date of dates) {
    if (typeof date !== 'string') return '';
    if (date > latest) latest = date;
  }
  return latest;
}

function toMatch(eol: EolData, slug: string, version: string, on: string, part: EolMatch['part'], tagRange?: EolMatch['tagRange']): EolMatch | undefined {
  const found = verdict(eol, slug, version, on);
  if (!found || found.how === 'current') return undefined;
  const base = { product: SHORT_NAMES[slug] ?? slug, slug, oldestSupported: supportedOn(eol, slug, on), part, tagRange };
  if (found.how === 'date') {
    const date = endDate(slug, found.cycle);
    if (!ended(date, on)) return undefined;
    return { ...base, cycle: found.cycle.cycle, codename: found.cycle.codename?.split(' ')[0].toLowerCase(), eolDate: typeof date === 'string' ? date : '', how: 'date' };
  }
  if (found.how === 'family') return { ...base, cycle: version.replace(/^v/i, ''), eolDate: latestDate(found.cycles.map((c) => endDate(slug, c))), how: 'family' };
  return { ...base, cycle: version.replace(/^v/i, ''), eolDate: '', how: 'older', oldestListed: found.oldest.cycle };
}

/** The match for a cycle named directly (a codename, a UBI image): no version arithmetic. */
function cycleMatch(eol: EolData, slug: string, cycle: string, on: string, part: EolMatch['part'], tagRange?: EolMatch['tagRange']): EolMatch | undefined {
  return eol.products.get(slug)?.cycles.some((c) => c.cycle === cycle) ? toMatch(eol, slug, cycle, on, part, tagRange) : undefined;
}

/** The Java vendors' products: a bare `jdk11` names no vendor. */
const JAVA = ['eclipse-temurin', 'amazon-corretto', 'openjdk-builds-from-oracle', 'microsoft-build-of-openjdk', 'azul-zulu', 'ibm-semeru', 'sapmachine', 'bellsoft-liberica'];

/**
 * A Java version whose end is certain whichever vendor built it: every vendor that lists it has
 * ended it (or none lists it and it is older than all of them list).
 */
function javaMatch(eol: EolData, version: string, on: string, tagRange?: EolMatch['tagRange']): EolMatch | undefined {
  const matches: EolMatch[] = [];
  for (const slug of JAVA) {
    if (!eol.products.has(slug)) continue;
    const found = verdict(eol, slug, version, on);
    if (found === undefined) continue;
    if (found.how === 'current') return undefined;
    const match = toMatch(eol, slug, version, on, 'runtime', tagRange);
    if (found.how === 'date' && !match) return undefined;
    if (match && match.how !== 'older') matches.push(match);
  }
  if (matches.length === 0) return undefined;
  return { ...matches[0], product: 'java', eolDate: latestDate(matches.map((m) => m.eolDate || true)), oldestSupported: undefined };
}

/** Distributions and runtimes a tag or an image name may name, glued to their version: `alpine3.12`, `python3.8`, `node18`, `ubuntu18.04`, `centos7`, `jdk11`. */
const NAMED_RELEASE = /^(alpine|ubuntu|debian|centos|fedora|python|py|node|nodejs|php|ruby|golang|go|jdk|jre|java|openjdk)-?v?(\d+(?:\.\d+)*)$/;
const SLUG_BY_WORD: Record<string, { slug: string; part: EolMatch['part'] }> = {
  alpine: { slug: 'alpine-linux', part: 'os' },
  ubuntu: { slug: 'ubuntu', part: 'os' },
  debian: { slug: 'debian', part: 'os' },
  centos: { slug: 'centos', part: 'os' },
  fedora: { slug: 'fedora', part: 'os' },
  python: { slug: 'python', part: 'runtime' },
  py: { slug: 'python', part: 'runtime' },
  node: { slug: 'nodejs', part: 'runtime' },
  nodejs: { slug: 'nodejs', part: 'runtime' },
  php: { slug: 'php', part: 'runtime' },
  ruby: { slug: 'ruby', part: 'runtime' },
  golang: { slug: 'go', part: 'runtime' },
  go: { slug: 'go', part: 'runtime' },
};
const JAVA_WORDS = new Set(['jdk', 'jre', 'java', 'openjdk']);

/**
 * The release a word names, with its version as the data writes it: `python3.8` -> python 3.8,
 * `ubuntu18.04`, `centos7`; `alpine317` (Kasm's spelling) -> alpine 3.17; a bare `py3` needs a minor.
 */
function namedRelease(word: string): { word: string; slug: string; part: EolMatch['part']; version: string } | undefined {
  const match = NAMED_RELEASE.exec(word.toLowerCase());
  if (!match) return undefined;
  const [, name, version] = match;
  if (JAVA_WORDS.has(name)) return { word: name, slug: 'java', part: 'runtime', version };
  const known = SLUG_BY_WORD[name];
  if (name === 'py' && !version.includes('.')) return undefined;
  if (name === 'alpine' && /^3\d\d$/.test(version)) return { word: name, ...known, version: `3.${version.slice(1)}` };
  if (name === 'ubuntu' && /^\d{4}$/.test(version)) return { word: name, ...known, version: `${version.slice(0, 2)}.${version.slice(2)}` };
  return { word: name, ...known, version };
}

/** A release named by a word of a tag or name: a codename (`bullseye`) or a glued name and version (`python3.8`). */
function wordMatch(eol: EolData, word: string, on: string, ownSlug: string | undefined, tagRange?: EolMatch['tagRange']): EolMatch | undefined {
  const codename = eol.codenames.get(word.toLowerCase());
  if (codename) return codename.product === ownSlug ? undefined : cycleMatch(eol, codename.product, codename.cycle, on, 'os', tagRange);
  const named = namedRelease(word);
  if (!named || named.slug === ownSlug) return undefined;
  if (named.slug === 'java') return javaMatch(eol, named.version, on, tagRange);
  return toMatch(eol, named.slug, named.version, on, named.part, tagRange);
}

/**
 * Releases named in a third-party image's own name: `kasmweb/core-ubuntu-focal`, `acme/base-alpine-317`,
 * `core-fedora-39`, `acme/python3.8-base`. A distribution or runtime word followed by its version
 * or codename, or glued to its version; nothing when the name names two releases of one product.
 */
function nameMatches(eol: EolData, image: ImageName, on: string): EolMatch[] {
  const name = image.path.slice(image.path.lastIndexOf('/') + 1);
  const words = name.split(/[-_]/);
  const found = new Map<string, EolMatch | null>();
  const add = (match: EolMatch | undefined, slug: string) => {
    if (found.has(slug)) found.set(slug, null);
    else found.set(slug, match ?? null);
  };
  for (let i = 0; i < words.length; i++) {
    const word = words[i].toLowerCase();
    const next = words[i + 1]?.toLowerCase();
    const glued = namedRelease(word);
    if (glued) {
      add(glued.slug === 'java' ? javaMatch(eol, glued.version, on) : toMatch(eol, glued.slug, glued.version, on, glued.part), glued.slug);
      continue;
    }
    const known = SLUG_BY_WORD[word] ?? (JAVA_WORDS.has(word) ? { slug: 'java', part: 'runtime' as const } : undefined);
    if (!known || next === undefined) continue;
    const codename = eol.codenames.get(next);
    if (codename?.product === known.slug) add(cycleMatch(eol, known.slug, codename.cycle, on, 'os'), known.slug);
    else if (/^v?\d+(\.\d+)*$/.test(next)) {
      const release = namedRelease(`${word}${next}`);
      if (release) add(release.slug === 'java' ? javaMatch(eol, release.version, on) : toMatch(eol, release.slug, release.version, on, release.part), release.slug);
    } else continue;
    i++;
  }
  return [...found.values()].filter((m): m is EolMatch => m !== null);
}

/**
 * End-of-life releases an image reference names, as of `on` (`YYYY-MM-DD`): the image's own product
 * (`node:14`, `debian:stretch`, `registry.access.redhat.com/ubi7`, `redis:4` older than any release
 * listed), the distribution or runtime its tag names (`-bullseye`, `-alpine3.12`, `python3.8-slim`,
 * `buildpack-deps:bullseye`), and, for an image that is no known product, releases its own name
 * names (`kasmweb/core-ubuntu-focal`). Only what the reference says for certain is matched.
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
    const match = cycleMatch(eol, known.slug, known.cycle, on, 'image');
    if (match) matches.push(match);
  } else if (known && tag) {
    const first = parts[0];
    const range = { start: first.start, end: first.start + first.text.length };
    const codename = eol.codenames.get(first.text.toLowerCase());
    const match = codename?.product === known.slug ? cycleMatch(eol, known.slug, codename.cycle, on, 'image', range) : codename ? undefined : toMatch(eol, known.slug, first.text, on, 'image', range);
    if (codename?.product === known.slug || versionParts(first.text.replace(/^v/i, ''))) ownPart = 0;
    if (match) matches.push(match);
  }
  // The distribution or runtime in the tag, unless it is the image's own product. The first part
  // of an unknown image's tag is its own version, unless it is a codename or a glued name.
  parts.forEach((part, index) => {
    if (index === ownPart || part.text === '') return;
    const match = wordMatch(eol, part.text, on, known?.slug, { start: part.start, end: part.start + part.text.length });
    if (match) matches.push(match);
  });
  if (!known) matches.push(...nameMatches(eol, image, on));
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

