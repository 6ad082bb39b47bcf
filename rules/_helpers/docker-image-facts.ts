// Facts about widely used registry images (data/images.json, read through `ctx.data(IMAGES)`): the
// user an image runs as, whether it declares a HEALTHCHECK, what it runs, whether its entrypoint
// steps down from root, and whether it is a Windows image. Every entry names where it was read.
// No checks live here.
import type { DataFile } from '../_api';
import { canonicalName, parseImageReference, type ImageName } from './docker-image';

/** An image's own ENTRYPOINT's step down from root, as its entrypoint script does it. */
export interface PrivilegeDrop {
  /** The user the entrypoint re-executes as. */
  user: string;
  /** `gosu`, `su-exec`…, when the source says. */
  tool?: string;
  /** The commands (first argument) it steps down for; `mongo*` is a prefix. */
  commands: string[];
  /** Whether a first argument that is an option (`-…`) counts as the image's own command. */
  options?: boolean;
}

/** What the data says of one image (tag variants applied). A field that is absent is not known. */
export interface ImageFacts {
  /** The name as the data lists it, for messages. */
  name: string;
  user?: string;
  healthcheck?: boolean;
  entrypoint?: string[];
  cmd?: string[];
  dropsTo?: PrivilegeDrop;
  distribution?: string;
  windows?: boolean;
  /** An image for one-off builds and jobs, not a service. */
  tool?: boolean;
  /** Where the facts were read: the image's Dockerfile or documentation. */
  source: string;
}

type Overrides = Partial<Omit<ImageFacts, 'name' | 'source'>>;

interface Entry {
  names: string[];
  /** Canonical names matched exactly, and prefixes (`gcr.io/distroless/`) from names ending in `/*`. */
  exact: Set<string>;
  prefixes: string[];
  facts: Overrides;
  variants: { tag: RegExp; facts: Overrides }[];
  source: string;
}

/** The image facts as rules read them, shaped once per engine. */
export interface ImagesData {
  entries: readonly Entry[];
}

const FIELDS = ['user', 'healthcheck', 'entrypoint', 'cmd', 'dropsTo', 'distribution', 'windows', 'tool'] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(what: string): never {
  throw new Error(`data/images.json: ${what}`);
}

const isStrings = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');

/** The known fields of an entry or a variant; `null` in a variant means "not known for these tags". */
function readFacts(where: string, value: Record<string, unknown>): Overrides {
  const out: Record<string, unknown> = {};
  for (const field of FIELDS) {
    if (!(field in value)) continue;
    const v = value[field];
    if (v === null) {
      out[field] = undefined;
      continue;
    }
    const ok =
      field === 'healthcheck' || field === 'windows' || field === 'tool'
        ? typeof v === 'boolean'
        : field === 'entrypoint' || field === 'cmd'
          ? isStrings(v)
          : field === 'dropsTo'
            ? isRecord(v) && typeof v.user === 'string' && isStrings(v.commands) && (v.tool === undefined || typeof v.tool === 'string')
            : typeof v === 'string';
    if (!ok) invalid(`${where}: "${field}" has the wrong type`);
    out[field] = v;
  }
  return out as Overrides;
}

/** `data/images.json`: facts about widely used images, each with its source. */
export const IMAGES: DataFile<ImagesData> = {
  name: 'images',
  file: 'images.json',
  read(json) {
    if (!isRecord(json) || !Array.isArray(json.images)) invalid('expected { images: [...] }');
    const entries: Entry[] = [];
    for (const [index, value] of (json.images as unknown[]).entries()) {
      if (!isRecord(value) || !isStrings(value.names) || value.names.length === 0) invalid(`images[${index}]: "names" must list image names`);
      const where = value.names[0];
      if (typeof value.source !== 'string' || !/^https:\/\//.test(value.source)) invalid(`${where}: every entry names its source URL`);
      const exact = new Set<string>();
      const prefixes: string[] = [];
      for (const name of value.names) {
        const wildcard = name.endsWith('/*');
        const image = parseImageReference(wildcard ? name.slice(0, -2) : name);
        if (!image) invalid(`${where}: "${name}" is not an image name`);
        if (wildcard) prefixes.push(`${canonicalName(image)}/`);
        else exact.add(canonicalName(image));
      }
      const variants: Entry['variants'] = [];
      if (value.variants !== undefined) {
        if (!Array.isArray(value.variants)) invalid(`${where}: "variants" must be a list`);
        for (const variant of value.variants as unknown[]) {
          if (!isRecord(variant) || typeof variant.tag !== 'string') invalid(`${where}: every variant needs a "tag" pattern`);
          variants.push({ tag: new RegExp(variant.tag, 'i'), facts: readFacts(`${where} ${variant.tag}`, variant) });
        }
      }
      entries.push({ names: value.names, exact, prefixes, facts: readFacts(where, value), variants, source: value.source });
    }
    return { entries };
  },
};

/** What the data knows of `image` (its tag picks a variant), or undefined when it is not listed. */
export function imageFacts(data: ImagesData, image: ImageName): ImageFacts | undefined {
  const name = canonicalName(image);
  const entry = data.entries.find((e) => e.exact.has(name)) ?? data.entries.find((e) => e.prefixes.some((p) => name.startsWith(p)));
  if (!entry) return undefined;
  const variant = entry.variants.find((v) => v.tag.test(image.tag ?? 'latest'));
  return { name: entry.names[0], ...entry.facts, ...(variant?.facts ?? {}), source: entry.source };
}

/** A tag that names a Windows base (`ltsc2022`, `windowsservercore-…`, `nanoserver-…`): true for any image. */
export function windowsTag(image: ImageName): boolean {
  return /(?:^|-)(?:windowsservercore|nanoserver|ltsc20\d\d|servercore)(?:-|$)/i.test(image.tag ?? '');
}

/** Parses an image reference and looks it up; undefined for variables, scratch or unknown names. */
export function factsOf(data: ImagesData, reference: string): ImageFacts | undefined {
  const image = parseImageReference(reference);
  return image && imageFacts(data, image);
}
