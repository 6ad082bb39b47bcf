// The image a Dockerfile's final stage produces, seen with what is known of its base image: the
// chain of workspace images and the shipped data (docker-workspace.ts), the command it runs (its
// own ENTRYPOINT/CMD or inherited ones), whether it is a Windows image, and whether it steps down
// from root. Shared by user-root, healthcheck-missing and cmd-shell-form. No checks live here.
import type { Instruction, RuleContext, Stage } from '../_api';
import { IMAGES, type ImagesData } from './docker-image-facts';
import { isRootUser } from './docker-image';
import { SHELL_SCRIPTS, stepDownIn, type StepDown } from './docker-privilege';
import { STAGES, type StageGraph } from './docker-stage';
import {
  baseChain,
  baseCommand,
  baseData,
  baseIsWindows,
  baseShell,
  folderOf,
  isWindowsShell,
  runCommandOf,
  scriptsOf,
  type BaseChain,
  type Origin,
} from './docker-workspace';

/** What a rule needs of its context: the model, the project, the data and the indexes. */
export type BaseContext = Pick<RuleContext<'dockerfile'>, 'model' | 'path' | 'project' | 'index' | 'data'>;

/** The command the final image runs, and where each half comes from. */
export interface FinalCommand {
  /** Empty when there is none; undefined when it is inherited from an image nothing is known of. */
  entrypoint?: string[];
  cmd?: string[];
  /** The own instruction that sets the ENTRYPOINT; undefined when inherited. */
  entrypointInstruction?: Instruction;
  cmdInstruction?: Instruction;
  /** Where an inherited ENTRYPOINT comes from. */
  entrypointOrigin?: Origin;
  /** Shell-form ENTRYPOINT: the CMD is not passed to it. */
  shellEntrypoint: boolean;
}

export interface FinalImage {
  graph: StageGraph;
  stage: Stage;
  /** The base image chain; undefined for a variable base or `scratch`. */
  chain?: BaseChain;
  /** The registry image the final stage's chain starts from. */
  root: Stage;
  windows: boolean;
  command: FinalCommand;
}

function images(ctx: BaseContext): ImagesData | undefined {
  try {
    return ctx.data(IMAGES);
  } catch {
    // A host without the data file (a lone file outside any installation) knows nothing of images.
    return undefined;
  }
}

/** The final stage and what it inherits; undefined for a file without stages. */
export function finalImage(ctx: BaseContext): FinalImage | undefined {
  const graph = ctx.index(STAGES);
  const stage = graph.final;
  if (!stage) return undefined;
  const root = graph.root(stage);
  const chain = root.image.scratch || root.image.unresolved ? undefined : baseChain(ctx.project, images(ctx), root.image.resolved);
  const shell = graph.inForce(stage, 'SHELL');
  const ownShell = shell?.instruction.jsonForm ? shell.instruction.args.map((a) => a.value) : undefined;
  const windows =
    ctx.model.escape === '`' || isWindowsShell(ownShell) || (!ownShell && isWindowsShell(chain && baseShell(chain))) || Boolean(chain && baseIsWindows(chain));
  return { graph, stage, chain, root, windows, command: finalCommand(graph, stage, chain) };
}

function finalCommand(graph: StageGraph, stage: Stage, chain: BaseChain | undefined): FinalCommand {
  const entrypoint = graph.inForce(stage, 'ENTRYPOINT');
  const cmd = graph.inForce(stage, 'CMD');
  const out: FinalCommand = { shellEntrypoint: false };
  const base = chain ? baseCommand(chain) : graph.root(stage).image.scratch ? { entrypoint: [], cmd: [], known: true } : undefined;
  if (entrypoint) {
    out.entrypoint = runCommandOf(entrypoint.instruction).argv;
    out.entrypointInstruction = entrypoint.instruction;
    out.shellEntrypoint = !entrypoint.instruction.jsonForm;
  } else {
    out.entrypoint = base?.entrypoint;
    if (base && 'entrypointOrigin' in base) out.entrypointOrigin = base.entrypointOrigin;
  }
  // An ENTRYPOINT set nearer than the CMD resets it (higher stage index: nearer the final stage).
  if (cmd && !(entrypoint && entrypoint.stage.index > cmd.stage.index)) {
    out.cmd = runCommandOf(cmd.instruction).argv;
    out.cmdInstruction = cmd.instruction;
  } else if (entrypoint) out.cmd = [];
  else out.cmd = base?.cmd;
  return out;
}

/** The argv the container starts: ENTRYPOINT followed by CMD (a shell-form ENTRYPOINT ignores CMD). */
export function startArgv(command: FinalCommand): string[] | undefined {
  if (command.entrypoint === undefined) return undefined;
  if (command.shellEntrypoint) return command.entrypoint;
  if (command.cmd === undefined) return command.entrypoint.length ? command.entrypoint : undefined;
  return [...command.entrypoint, ...command.cmd];
}

// ---------------------------------------------------------------- stepping down from root

export type Drop =
  /** The command itself runs the program as another user (`ENTRYPOINT ["su-exec", "app"]`). */
  | { kind: 'command'; step: StepDown }
  /** The base image's own entrypoint steps down for this command (mysql, redis, mongo…). */
  | { kind: 'base'; user: string; tool?: string; image: string; source: string }
  /** The entrypoint script the build copies in steps down (on some path: it is a script). */
  | { kind: 'script'; step: StepDown; script: string; line: number; span: { start: number; end: number } };

function matchesCommand(drop: { commands: string[]; options?: boolean }, first: string | undefined): boolean {
  if (first === undefined) return false;
  if (drop.options && first.startsWith('-')) return true;
  const name = first.slice(first.lastIndexOf('/') + 1);
  return drop.commands.some((c) => (c.endsWith('*') ? name.startsWith(c.slice(0, -1)) : name === c));
}

/** How the final image steps down from root, if it does. */
export function privilegeDrop(ctx: BaseContext, image: FinalImage): Drop | undefined {
  const { command, chain } = image;
  const argv = startArgv(command);
  const step = argv && stepDownIn(argv);
  if (step) return { kind: 'command', step };
  // The base image's entrypoint, kept as it is, with a command it steps down for.
  const data = chain && baseData(chain);
  if (data?.dropsTo && command.entrypointOrigin?.kind === 'data' && !command.entrypointInstruction && matchesCommand(data.dropsTo, command.cmd?.[0])) {
    return { kind: 'base', user: data.dropsTo.user, tool: data.dropsTo.tool, image: command.entrypointOrigin.image, source: data.source };
  }
  // An entrypoint script from the workspace: the own one, or one a workspace base image runs.
  const scripts = command.entrypointInstruction
    ? scriptsOf(ctx.model, image.stage, command.entrypointInstruction, folderOf(ctx.path))
    : !command.entrypoint?.length && command.cmdInstruction
      ? scriptsOf(ctx.model, image.stage, command.cmdInstruction, folderOf(ctx.path))
      : chain?.levels.find((level) => level.facts.entrypoint)?.facts.scripts ?? [];
  if (scripts.length === 0) return undefined;
  const summaries = ctx.project.summaries(SHELL_SCRIPTS);
  for (const script of scripts) {
    const drop = summaries.get(script)?.drops[0];
    if (drop) return { kind: 'script', step: { tool: drop.tool, user: drop.user }, script, line: drop.line, span: drop.span };
  }
  return undefined;
}

/** `ContainerAdministrator`: the Windows account with administrator rights that containers run as by default. */
export function isWindowsAdmin(user: string): boolean {
  return /^containeradministrator$/i.test(user.split(':')[0]);
}

/** Root on Linux, ContainerAdministrator on Windows. */
export function isPrivilegedUser(user: string): boolean {
  return isRootUser(user) || isWindowsAdmin(user);
}
