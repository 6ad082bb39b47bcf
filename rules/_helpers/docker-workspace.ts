// What a Dockerfile can know from the rest of the workspace: the images other Dockerfiles build
// (their final USER, HEALTHCHECK and SHELL), and the image names compose files give those builds.
// Summaries are small per-file facts the workspace index keeps; `baseImageFacts` joins them.
import { factsOf, windowsTag, type ImageFacts, type ImagesData } from './docker-image-facts';
import { parseImageReference } from './docker-image';
import { withoutTrailingSlashes } from './trim';
import { isMap, isScalar, LineIndex, type DockerfileModel, type Instruction, type ProjectView, type Span, type Stage, type Summary, type YamlModel } from '../_api';

/** A CMD or ENTRYPOINT as the image keeps it: the argv of exec form, the words of shell form. */
export interface RunCommand {
  argv: string[];
  exec: boolean;
}

/** Where a fact was written in another Dockerfile, for related information. */
export interface WrittenAt {
  /** The instruction (keyword to the end of its arguments). */
  span: Span;
  /** 1-based line, for editors that cannot show the other file's range. */
  line: number;
}

/** What the image a Dockerfile's final stage builds sets for the images built FROM it. */
export interface BuiltImage {
  /** The last USER in force, as written (variables unresolved); undefined when none is set. */
  user?: string;
  userAt?: WrittenAt;
  /** `set` for HEALTHCHECK CMD, `none` for HEALTHCHECK NONE; undefined when there is none. */
  healthcheck?: 'set' | 'none';
  healthcheckAt?: WrittenAt;
  /** The stage's SHELL, JSON form, when set. */
  shell?: string[];
  entrypoint?: RunCommand;
  cmd?: RunCommand;
  /** An ENTRYPOINT is set nearer than any CMD: the CMD of the image it is built on no longer applies. */
  cmdReset?: true;
  /** The registry image the chain of stages starts from (ARG defaults substituted); none for scratch or a variable. */
  from?: string;
  scratch?: true;
  /** `# escape=`` ` or a PowerShell / cmd SHELL: a Windows image. */
  windows?: true;
  /** Step-down programs (gosu, su-exec, setpriv, runuser) its RUN steps mention: installed or used. */
  stepDownTools?: string[];
  /** Workspace paths of the script its ENTRYPOINT (or CMD) runs, when a COPY of the build put it there. */
  scripts?: string[];
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

/** The instruction's argv: exec form's strings, or the words of its (first) shell command. */
export function runCommandOf(instruction: Instruction): RunCommand {
  if (instruction.jsonForm) return { argv: instruction.args.map((a) => a.value), exec: true };
  const first = instruction.commands[0];
  return { argv: (first ? first.words : instruction.args).map((w) => w.value), exec: false };
}

/** SHELL ["powershell", …] / ["cmd", "/S", "/C"]: the stage runs Windows shells. */
export function isWindowsShell(shell: readonly string[] | undefined): boolean {
  const program = (shell?.[0] ?? '').toLowerCase().replace(/^.*[\\/]/, '').replace(/\.exe$/, '');
  return program === 'powershell' || program === 'pwsh' || program === 'cmd';
}

const STEP_DOWN_TOOLS = /\b(gosu|su-exec|setpriv|runuser)\b/g;

function writtenAt(lines: LineIndex, instruction: Instruction): WrittenAt {
  return { span: { start: instruction.keywordSpan.start, end: Math.max(instruction.argsSpan.end, instruction.keywordSpan.end) }, line: lines.position(instruction.keywordSpan.start).line + 1 };
}

/** A stage's facts with those of the stages it is built on (nearest wins), in one walk down the chain. */
function builtImage(model: DockerfileModel, stage: Stage, lines: LineIndex, folder: string): BuiltImage {
  const out: BuiltImage = {};
  const seen = new Set<number>();
  const tools = new Set<string>();
  let cmdSettled = false;
  let root = stage;
  let scriptFrom: Instruction | undefined;
  for (let current: Stage | undefined = stage; current && !seen.has(current.index); current = current.baseStage === undefined ? undefined : model.stages[current.baseStage]) {
    seen.add(current.index);
    root = current;
    const user = out.user === undefined ? lastOf(current, 'USER') : undefined;
    if (user) {
      out.user = user.args[0]?.value ?? '';
      out.userAt = writtenAt(lines, user);
    }
    const health = out.healthcheck === undefined ? lastOf(current, 'HEALTHCHECK') : undefined;
    if (health) {
      out.healthcheck = /^none$/i.test(health.args[0]?.value ?? '') ? 'none' : 'set';
      out.healthcheckAt = writtenAt(lines, health);
    }
    const shell = out.shell === undefined ? lastOf(current, 'SHELL') : undefined;
    if (shell?.jsonForm) out.shell = shell.args.map((a) => a.value);
    const entrypoint = lastOf(current, 'ENTRYPOINT');
    if (entrypoint && !out.entrypoint) {
      out.entrypoint = runCommandOf(entrypoint);
      scriptFrom ??= entrypoint;
    }
    if (!cmdSettled) {
      const cmd = lastOf(current, 'CMD');
      if (cmd) {
        out.cmd = runCommandOf(cmd);
        cmdSettled = true;
        if (!out.entrypoint) scriptFrom ??= cmd;
      } else if (entrypoint) {
        out.cmdReset = true;
        cmdSettled = true;
      }
    }
    for (const instruction of current.instructions) {
      if (instruction.keyword !== 'RUN') continue;
      for (const match of instruction.argsText.matchAll(STEP_DOWN_TOOLS)) tools.add(match[1]);
    }
  }
  if (root.image.scratch) out.scratch = true;
  else if (!root.image.unresolved) out.from = root.image.resolved;
  if (model.escape === '`' || isWindowsShell(out.shell)) out.windows = true;
  if (tools.size) out.stepDownTools = [...tools].sort();
  if (scriptFrom) {
    const scripts = scriptPaths(model, stage, scriptFrom, folder);
    if (scripts.length) out.scripts = scripts;
  }
  return out;
}

// ---------------------------------------------------------------- the script an ENTRYPOINT runs

/** Workspace paths of the script `instruction` (an ENTRYPOINT or CMD of `stage`'s chain) runs. */
export function scriptsOf(model: DockerfileModel, stage: Stage, instruction: Instruction, folder: string): string[] {
  return scriptPaths(model, stage, instruction, folder);
}

const SHELL_PROGRAMS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh']);
const INITS = new Set(['tini', 'dumb-init', 'catatonit', 'exec']);
/** Folders of the PATH that images commonly copy entrypoint scripts into. */
const PATH_FOLDERS = new Set(['/usr/local/bin', '/usr/local/sbin', '/usr/bin', '/usr/sbin', '/bin', '/sbin']);

function normalise(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

/** The script word of an argv: after inits and `sh`/`bash`, a path or a name that looks like a script. */
export function scriptWord(argv: readonly string[]): string | undefined {
  let i = 0;
  while (i < argv.length && (INITS.has(argv[i].replace(/^.*\//, '')) || argv[i] === '--' || (i > 0 && argv[i].startsWith('-')))) i++;
  if (SHELL_PROGRAMS.has((argv[i] ?? '').replace(/^.*\//, ''))) {
    i++;
    while (i < argv.length && argv[i].startsWith('-')) i++;
  }
  const word = argv[i];
  if (!word || word.includes('$')) return undefined;
  return /\.(?:sh|bash)$|entrypoint|^\.{0,2}\//i.test(word) ? word : undefined;
}

/**
 * Workspace paths of the script `instruction` runs, found through the COPY (or ADD) of the stage's
 * chain that put it at that path, relative to the Dockerfile's folder (the usual build context).
 */
function scriptPaths(model: DockerfileModel, stage: Stage, instruction: Instruction, folder: string): string[] {
  const word = scriptWord(runCommandOf(instruction).argv);
  if (!word) return [];
  const out = new Set<string>();
  const seen = new Set<number>();
  for (let current: Stage | undefined = stage; current && !seen.has(current.index); current = current.baseStage === undefined ? undefined : model.stages[current.baseStage]) {
    seen.add(current.index);
    let workdir = '/';
    const chainWorkdir = lastOf(stage, 'WORKDIR')?.args[0]?.value;
    const wanted = word.includes('/') ? normalise(word.startsWith('/') ? word : `${chainWorkdir ?? '/'}/${word}`) : undefined;
    for (const copy of current.instructions) {
      if (copy.keyword === 'WORKDIR' && copy.args[0]) workdir = normalise(copy.args[0].value.startsWith('/') ? copy.args[0].value : `${workdir}/${copy.args[0].value}`);
      if ((copy.keyword !== 'COPY' && copy.keyword !== 'ADD') || copy.flags.some((f) => f.name === 'from') || copy.args.length < 2) continue;
      const sources = copy.args.slice(0, -1).map((a) => a.value);
      const destWord = copy.args[copy.args.length - 1].value;
      const dest = normalise(destWord.startsWith('/') ? destWord : `${workdir}/${destWord}`);
      const intoFolder = destWord.endsWith('/') || sources.length > 1;
      for (const source of sources) {
        if (source.includes('$') || /^[a-z]+:\/\//i.test(source)) continue;
        const name = withoutTrailingSlashes(source).replace(/^.*\//, '');
        const target = intoFolder ? `${dest === '/' ? '' : dest}/${name}` : dest;
        const matches = wanted ? target === wanted : PATH_FOLDERS.has(target.slice(0, target.lastIndexOf('/'))) && target.endsWith(`/${word}`);
        if (matches) out.add(joinPath(folder, source));
        // `COPY scripts/ /usr/local/bin/`: a folder copied whole.
        else if (wanted && wanted.startsWith(`${dest === '/' ? '' : dest}/`) && !/\.\w+$/.test(name)) out.add(joinPath(joinPath(folder, source), wanted.slice(dest.length + 1)));
      }
    }
  }
  return [...out].sort();
}

export const DOCKERFILE_SUMMARY: Summary<'dockerfile', DockerfileSummary> = {
  name: 'docker.builtImage',
  model: 'dockerfile',
  compute(source) {
    const { model } = source;
    const final = model.stages.at(-1);
    if (!final) return undefined;
    const lines = new LineIndex(source.text);
    const folder = folderOf(source.path);
    // Stages are few; the chain walk per named stage stays linear in practice and is bounded by the file.
    const stages: Record<string, BuiltImage> = {};
    for (const stage of model.stages) if (stage.name) stages[stage.name] = builtImage(model, stage, lines, folder);
    return { final: builtImage(model, final, lines, folder), stages };
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

/** The folder part of a workspace path, '' at the root. */
export function folderOf(path: string): string {
  return path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
}

/** `folder/relative` with `.` and `..` resolved, as a workspace path. */
export function joinPath(folder: string, relative: string): string {
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
    const folder = folderOf(source.path);
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

// ---------------------------------------------------------------- the whole chain of base images

/** One image of the chain that a Dockerfile of the workspace builds. */
export interface BuiltLevel extends KnownBase {
  /** The reference the image was asked for by. */
  image: string;
}

/** Where a fact about a base image comes from: a Dockerfile of the workspace, the shipped data, or scratch. */
export type Origin =
  | { kind: 'workspace'; image: string; dockerfile: string; at?: WrittenAt }
  | { kind: 'data'; image: string; name: string; source: string }
  | { kind: 'scratch'; image: string };

export interface Known<T> {
  value: T;
  origin: Origin;
}

/**
 * What is known of the image a stage is built FROM: the images the workspace builds along the way
 * (nearest first), then what the chain ends in — an image of the shipped data, `scratch`, or an
 * image nothing is known of.
 */
export interface BaseChain {
  reference: string;
  levels: BuiltLevel[];
  end: { kind: 'data'; image: string; facts: ImageFacts } | { kind: 'scratch'; image: string } | { kind: 'unknown'; image: string };
}

/** How many images built FROM each other in the workspace are followed. */
const MAX_LEVELS = 8;

/** Follows `FROM <reference>` through the images the workspace builds to the data or scratch. */
export function baseChain(project: ProjectView, images: ImagesData | undefined, reference: string): BaseChain {
  const levels: BuiltLevel[] = [];
  const seen = new Set<string>();
  let current = reference;
  for (;;) {
    const known = levels.length < MAX_LEVELS ? baseImageFacts(project, current) : undefined;
    if (!known || seen.has(known.dockerfile)) break;
    seen.add(known.dockerfile);
    levels.push({ ...known, image: current });
    if (known.facts.scratch) return { reference, levels, end: { kind: 'scratch', image: 'scratch' } };
    if (!known.facts.from) return { reference, levels, end: { kind: 'unknown', image: current } };
    current = known.facts.from;
  }
  const facts = images && factsOf(images, current);
  return { reference, levels, end: facts ? { kind: 'data', image: current, facts } : { kind: 'unknown', image: current } };
}

function workspaceOrigin(level: BuiltLevel, at?: WrittenAt): Origin {
  return { kind: 'workspace', image: level.image, dockerfile: level.dockerfile, at };
}

function dataOrigin(end: { image: string; facts: ImageFacts }): Origin {
  return { kind: 'data', image: end.image, name: end.facts.name, source: end.facts.source };
}

/** The USER the base image runs as; undefined when nothing says. Scratch runs as root. */
export function baseUser(chain: BaseChain): Known<string> | undefined {
  for (const level of chain.levels) if (level.facts.user !== undefined) return { value: level.facts.user, origin: workspaceOrigin(level, level.facts.userAt) };
  const { end } = chain;
  if (end.kind === 'scratch') return { value: 'root', origin: { kind: 'scratch', image: 'scratch' } };
  if (end.kind === 'data' && end.facts.user !== undefined) return { value: end.facts.user, origin: dataOrigin(end) };
  return undefined;
}

/** The base image's HEALTHCHECK: `set`, `none` (HEALTHCHECK NONE) or `absent`; undefined when nothing says. */
export function baseHealthcheck(chain: BaseChain): Known<'set' | 'none' | 'absent'> | undefined {
  for (const level of chain.levels) if (level.facts.healthcheck) return { value: level.facts.healthcheck, origin: workspaceOrigin(level, level.facts.healthcheckAt) };
  const { end } = chain;
  if (end.kind === 'scratch') return { value: 'absent', origin: { kind: 'scratch', image: 'scratch' } };
  if (end.kind === 'data' && end.facts.healthcheck !== undefined) return { value: end.facts.healthcheck ? 'set' : 'absent', origin: dataOrigin(end) };
  return undefined;
}

/** What the base image runs: its ENTRYPOINT and CMD (an empty argv when it has none); undefined when unknown. */
export interface BaseCommand {
  entrypoint?: string[];
  cmd?: string[];
  /** Where the ENTRYPOINT comes from: the base image's own entrypoint may drop privileges. */
  entrypointOrigin?: Origin;
  /** Both known (or known to be absent). */
  known: boolean;
}

export function baseCommand(chain: BaseChain): BaseCommand {
  let entrypoint: string[] | undefined;
  let entrypointOrigin: Origin | undefined;
  let cmd: string[] | undefined;
  for (const level of chain.levels) {
    if (!entrypoint && level.facts.entrypoint) {
      entrypoint = level.facts.entrypoint.argv;
      entrypointOrigin = workspaceOrigin(level);
    }
    if (!cmd && level.facts.cmd) cmd = level.facts.cmd.argv;
    if (!cmd && level.facts.cmdReset) cmd = [];
    if (entrypoint && cmd) return { entrypoint, cmd, entrypointOrigin, known: true };
  }
  const { end } = chain;
  if (end.kind === 'scratch') return { entrypoint: entrypoint ?? [], cmd: cmd ?? [], entrypointOrigin, known: true };
  if (end.kind === 'data') {
    const facts = end.facts;
    if (!entrypoint && facts.entrypoint) {
      entrypoint = facts.entrypoint;
      entrypointOrigin = dataOrigin(end);
    }
    cmd ??= facts.cmd;
    // The data lists what an image sets; an entry that states its CMD but no ENTRYPOINT has none.
    if (!entrypoint && facts.cmd) entrypoint = [];
    return { entrypoint, cmd, entrypointOrigin, known: entrypoint !== undefined && cmd !== undefined };
  }
  return { entrypoint, cmd, entrypointOrigin, known: false };
}

/** Whether the base image is a Windows image: its data, its Dockerfile's escape or SHELL, or its tag. */
export function baseIsWindows(chain: BaseChain): boolean {
  if (chain.levels.some((level) => level.facts.windows)) return true;
  const { end } = chain;
  if (end.kind === 'data' && end.facts.windows !== undefined) return end.facts.windows;
  const image = parseImageReference(end.image);
  return Boolean(image && windowsTag(image));
}

/** The base image's SHELL, when a Dockerfile of the workspace sets it. */
export function baseShell(chain: BaseChain): string[] | undefined {
  for (const level of chain.levels) if (level.facts.shell) return level.facts.shell;
  return undefined;
}

/** The data entry the chain ends in, if any: for the entrypoint's step down and tool images. */
export function baseData(chain: BaseChain): ImageFacts | undefined {
  return chain.end.kind === 'data' ? chain.end.facts : undefined;
}

/** How a related location or a message names where a base image fact comes from. */
export function describeOrigin(origin: Origin): string {
  switch (origin.kind) {
    case 'workspace':
      return origin.at ? `${origin.dockerfile} line ${origin.at.line}` : origin.dockerfile;
    case 'data':
      return `${origin.name} (${origin.source})`;
    case 'scratch':
      return 'scratch';
  }
}
