// What a Dockerfile can know from the rest of the workspace: the images other Dockerfiles build
// (their final USER, HEALTHCHECK and SHELL), and the image names compose files give those builds.
// Summaries are small per-file facts the workspace index keeps; `baseImageFacts` joins them.
import { isMap, isScalar, type DockerfileModel, type Instruction, type ProjectView, type Stage, type Summary, type YamlModel } from '../_api';

/** What the image a Dockerfile's final stage builds sets for the images built FROM it. */
export interface BuiltImage {
  /** The last USER in force, as written (variables unresolved); undefined when none is set. */
  user?: string;
  /** `set` for HEALTHCHECK CMD, `none` for HEALTHCHECK NONE; undefined when there is none. */
  healthcheck?: 'set' | 'none';
  /** The stage's SHELL, JSON form, when set. */
  shell?: string[];
  /** Where each fact was written, for related information: line-independent offsets. */
  userAt?: number;
  healthcheckAt?: number;
}

export interface DockerfileSummary {
  /** The final stage's facts, following `FROM <earlier stage>` inside the file. */
  final: BuiltImage;
  /** Each named stage's facts: a `--target` build gives that stage's image. */
  stages: Record<string, BuiltImage>;
}

function lastOf(stage: Stage, keyword: string): Instruction | undefined {
  for (let i = stage.instructions.length - 1; i >= 0; i--) if (stage.instructions[i].keyword === keyword) return stage.instructions[i];
  return undefined;
}

/** A stage's facts with those of the stages it is built on (nearest wins), in one walk down the chain. */
function builtImage(model: DockerfileModel, stage: Stage): BuiltImage {
  const out: BuiltImage = {};
  const seen = new Set<number>();
  for (let current: Stage | undefined = stage; current && !seen.has(current.index); current = current.baseStage === undefined ? undefined : model.stages[current.baseStage]) {
    seen.add(current.index);
    const user = out.user === undefined ? lastOf(current, 'USER') : undefined;
    if (user) {
      out.user = user.args[0]?.value ?? '';
      out.userAt = user.span.start;
    }
    const health = out.healthcheck === undefined ? lastOf(current, 'HEALTHCHECK') : undefined;
    if (health) {
      out.healthcheck = /^none$/i.test(health.args[0]?.value ?? '') ? 'none' : 'set';
      out.healthcheckAt = health.span.start;
    }
    const shell = out.shell === undefined ? lastOf(current, 'SHELL') : undefined;
    if (shell?.jsonForm) out.shell = shell.args.map((a) => a.value);
  }
  return out;
}

export const DOCKERFILE_SUMMARY: Summary<'dockerfile', DockerfileSummary> = {
  name: 'docker.builtImage',
  model: 'dockerfile',
  compute(source) {
    const { model } = source;
    const final = model.stages.at(-1);
    if (!final) return undefined;
    // Stages are few; the chain walk per named stage stays linear in practice and is bounded by the file.
    const stages: Record<string, BuiltImage> = {};
    for (const stage of model.stages) if (stage.name) stages[stage.name] = builtImage(model, stage);
    return { final: builtImage(model, final), stages };
  },
};

/** One build a compose file describes: the image name it tags and the Dockerfile it builds. */
export interface ComposeBuild {
  image: string;
  /** Workspace-relative path of the Dockerfile. */
  dockerfile: string;
  target?: string;
}

const COMPOSE_NAME = /(?:^|\/)(?:docker-)?compose(?:[.-][^/]*)?\.ya?ml$/i;

function joinPath(folder: string, relative: string): string {
  const parts = folder ? folder.split('/') : [];
  for (const part of relative.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}

function scalar(node: unknown): string | undefined {
  return isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
}

/** `services.<name>.build` with `image` in a compose file: which Dockerfile builds which image name. */
export const COMPOSE_BUILDS: Summary<'yaml', ComposeBuild[]> = {
  name: 'docker.composeBuilds',
  model: 'yaml',
  compute(source) {
    if (!COMPOSE_NAME.test(source.path)) return undefined;
    const folder = source.path.includes('/') ? source.path.slice(0, source.path.lastIndexOf('/')) : '';
    const out: ComposeBuild[] = [];
    for (const document of (source.model as YamlModel).documents) {
      const services = isMap(document.root) ? document.root.get('services', true) : undefined;
      if (!isMap(services)) continue;
      for (const pair of services.items) {
        const service = pair.value;
        if (!isMap(service)) continue;
        const image = scalar(service.get('image', true));
        const build = service.get('build', true);
        if (!image || build === undefined) continue;
        let context = scalar(build);
        let dockerfile = 'Dockerfile';
        let target: string | undefined;
        if (isMap(build)) {
          context = scalar(build.get('context', true)) ?? '.';
          dockerfile = scalar(build.get('dockerfile', true)) ?? dockerfile;
          target = scalar(build.get('target', true));
        }
        if (context === undefined || /^[a-z]+:\/\//i.test(context) || context.includes('$')) continue;
        out.push({ image, dockerfile: joinPath(joinPath(folder, context), dockerfile), ...(target ? { target } : {}) });
      }
    }
    return out.length ? out : undefined;
  },
};

/** An image reference without its registry host's default, tag or digest: how two names are compared. */
function imageKey(reference: string): { name: string; tag: string } {
  const at = reference.indexOf('@');
  const noDigest = at >= 0 ? reference.slice(0, at) : reference;
  const colon = noDigest.lastIndexOf(':');
  const slash = noDigest.lastIndexOf('/');
  const hasTag = colon > slash;
  let name = hasTag ? noDigest.slice(0, colon) : noDigest;
  name = name.replace(/^(?:docker\.io\/)?(?:library\/)?/, '');
  return { name: name.toLowerCase(), tag: hasTag ? noDigest.slice(colon + 1) : 'latest' };
}

/** What a base image sets, when a Dockerfile of the workspace builds it. */
export interface KnownBase {
  facts: BuiltImage;
  /** The Dockerfile that builds the image, and how it was found. */
  dockerfile: string;
  via: string;
}

/**
 * Resolves `FROM <reference>` to a Dockerfile of the workspace that builds that image: through a
 * compose file that tags the build with the same name (a tag must match when both give one).
 */
export function baseImageFacts(project: ProjectView, reference: string): KnownBase | undefined {
  const wanted = imageKey(reference);
  const dockerfiles = project.summaries(DOCKERFILE_SUMMARY);
  for (const [composePath, builds] of project.summaries(COMPOSE_BUILDS)) {
    for (const build of builds) {
      const built = imageKey(build.image);
      if (built.name !== wanted.name || (built.tag !== wanted.tag && built.tag !== 'latest' && wanted.tag !== 'latest')) continue;
      const summary = dockerfiles.get(build.dockerfile);
      if (!summary) continue;
      const facts = build.target ? summary.stages[build.target.toLowerCase()] : summary.final;
      if (facts) return { facts, dockerfile: build.dockerfile, via: composePath };
    }
  }
  return undefined;
}
