// Shared predicates for the container rules that read what RUN executes. The RUN_STEPS index
// works out once per analysis the commands of every RUN (shell form, heredocs, exec form, `sh -c
// '…'` strings and command substitutions), where each one runs (an `if` condition, a branch, a
// function body), the program behind `sudo`/`env` prefixes and what each command does to packages
// (a simulated or dry-run install installs nothing); rules read it instead of walking the model.
// Also: option parsing for package managers, settings earlier RUNs write, and the insertion edit
// the fixes use. No checks live here.
import type { Edit, Index, Instruction, ShellCommand, Source, Span, Word } from '../_api';
import { shiftMap, tokenizeShell, type OffsetMap } from '../_api';
import { expandVariables, walkVariables } from './docker-instruction';
import { withoutTrailingSlashes } from './trim';

// ---------------------------------------------------------------- RUN instructions and commands

/** A RUN to check, with the stage it belongs to (ONBUILD RUN counts: it runs in every child image). */
export interface RunStep {
  /** The RUN itself (the wrapped one for `ONBUILD RUN`). */
  run: Instruction;
  /** The instruction in the file: the ONBUILD for `ONBUILD RUN`, else `run`. */
  outer: Instruction;
  stageIndex: number;
  onbuild: boolean;
  /** What it executes, in source order (see `commandsOf`). */
  commands: readonly Command[];
}

/** Every RUN and `ONBUILD RUN` in file order, with its commands classified: one pass per analysis. */
export const RUN_STEPS: Index<'dockerfile', readonly RunStep[]> = {
  name: 'docker.runSteps',
  compute({ model, text }) {
    const out: RunStep[] = [];
    for (const ins of model.instructions) {
      const run = ins.keyword === 'RUN' ? ins : ins.keyword === 'ONBUILD' && ins.onbuild?.keyword === 'RUN' ? ins.onbuild : undefined;
      if (run) out.push({ run, outer: ins, stageIndex: ins.stageIndex, onbuild: run !== ins, commands: commandsOf(run, text, model.escape) });
    }
    return out;
  },
};

/** An install command (`apt-get install`, `apk add`, `pip install`…) of some RUN. */
export interface InstallStep {
  step: RunStep;
  command: Command;
  install: PackageCommand;
}

/** Every package install of every RUN, in file order. */
export const INSTALLS: Index<'dockerfile', readonly InstallStep[]> = {
  name: 'docker.installs',
  compute(source) {
    const out: InstallStep[] = [];
    for (const step of source.index(RUN_STEPS)) {
      for (const command of step.commands) if (command.install) out.push({ step, command, install: command.install });
    }
    return out;
  },
};

/** One simple command as a rule sees it: the program after prefixes such as `sudo`, and its arguments. */
export interface Command {
  /** Every word, prefixes included. */
  words: Word[];
  /** The program word after `VAR=x`, `sudo`, `env`, `exec`… prefixes; undefined for a bare assignment. */
  program?: Word;
  /** The program's base name: `/usr/bin/apt-get` -> `apt-get`. */
  name: string;
  /** Words after the program. */
  args: Word[];
  /** The `sudo` word when the command runs through sudo. */
  sudo?: Word;
  /** `VAR=value` prefixes (also those given to `env`). */
  assignments: Word[];
  /** Redirections, operator and target in one word as the parser gives them: `>>/etc/sudoers`, `2>&1`, `<<EOF`. */
  redirects: Word[];
  /** The operator after the command in its own script; `|` pipes into the next command of that script. Undefined for exec form. */
  next?: ShellCommand['next'];
  /** The command of the same script that pipes into this one (`yes | apt-get install …`). */
  pipedFrom?: Command;
  span: Span;
  /** True for the argv of an exec-form RUN (`RUN ["apt-get", "install", "x"]`). */
  exec: boolean;
  /** True for a command found inside an `sh -c '…'` string: spans are approximate. */
  nested: boolean;
  /** Inside a command substitution (`$( … )` or backquotes): what it prints becomes words of the command around it. */
  substitution: boolean;
  /**
   * The script the command belongs to: 0 for the RUN's own, another number for each `sh -c` string
   * and each substitution. Pipes join commands of one script only.
   */
  script: number;
  /** In the condition of an `if`, `elif`, `while` or `until`: its status is tested, so a failure does not stop the script. */
  condition: boolean;
  /** Runs on some paths only: an `if`/`case` branch, a loop body, right of `||`. */
  conditional: boolean;
  /** In a pipeline negated with `!`: a failure does not stop the script. */
  negated: boolean;
  /** Inside `( … )`: its `cd`, `export` and variables do not outlast the subshell. */
  subshell: boolean;
  /** The function whose body holds it: it runs only if that function is called. */
  inFunction?: string;
  /** What it does with a package manager (`apt-get update`, `pip install x`), when it runs one. */
  package?: PackageCommand;
  /** `package`, when it installs packages (not when a simulation or dry-run flag makes it install nothing). */
  install?: PackageCommand;
}

/**
 * Whether a command runs on every path through its RUN: not only in a branch, a loop, a function
 * body or after `||`. (A command in an `if` condition runs; only its failure is tolerated.)
 */
export function runsOnEveryPath(cmd: Command): boolean {
  return !cmd.conditional && cmd.inFunction === undefined;
}

/** For messages, when a command that may not run does: "only if the function `setup` is called". */
export function whenItRuns(cmd: Command): string {
  if (cmd.inFunction !== undefined) return `only if the function \`${cmd.inFunction}\` is called`;
  return 'only on some paths (an `if`/`case` branch, a loop, or after `||`)';
}

/** Where a command sits: the parser's flags, with those of the commands it is nested in. */
interface Context {
  condition: boolean;
  conditional: boolean;
  negated: boolean;
  subshell: boolean;
  inFunction?: string;
  substitution: boolean;
}

const TOP: Context = { condition: false, conditional: false, negated: false, subshell: false, substitution: false };

/** The context of a command of a script nested in a command of context `outer`: each flag holds for what is nested. */
function within(outer: Context, inner: ShellCommand, substitution: boolean): Context {
  const context: Context = {
    condition: outer.condition || inner.condition === true,
    conditional: outer.conditional || inner.conditional === true,
    negated: outer.negated || inner.negated === true,
    subshell: outer.subshell || inner.subshell === true,
    substitution: outer.substitution || substitution,
  };
  const fn = outer.inFunction ?? inner.inFunction;
  if (fn !== undefined) context.inFunction = fn;
  return context;
}

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;
export const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh', 'busybox']);

/** `/usr/bin/apt-get` -> `apt-get`. */
export function baseName(value: string): string {
  const slash = value.lastIndexOf('/');
  return slash >= 0 ? value.slice(slash + 1) : value;
}

/** Options of the prefix programs that take a value (so the value is not the program). */
const SUDO_VALUE_OPTIONS = new Set(['-u', '-g', '-h', '-p', '-C', '-D', '-R', '-T', '-U', '-r', '-t', '--user', '--group', '--host', '--prompt', '--chdir', '--role', '--type', '--other-user', '--close-from']);
const ENV_VALUE_OPTIONS = new Set(['-u', '--unset', '-C', '--chdir', '-S', '--split-string']);

/** Where a command comes from: its script, its place in it, and how its spans map. */
interface Origin {
  next?: ShellCommand['next'];
  redirects: Word[];
  exec: boolean;
  nested: boolean;
  script: number;
  context: Context;
}

function toCommand(words: Word[], span: Span, origin: Origin): Command {
  const assignments: Word[] = [];
  let sudo: Word | undefined;
  let i = 0;
  for (;;) {
    while (i < words.length && ASSIGNMENT.test(words[i].value)) assignments.push(words[i++]);
    if (i >= words.length) break;
    const name = baseName(words[i].value);
    if (name === 'sudo' || name === 'doas') {
      sudo ??= words[i];
      i++;
      while (i < words.length && words[i].value.startsWith('-')) {
        const opt = words[i++].value;
        if (opt === '--') break;
        if (SUDO_VALUE_OPTIONS.has(opt)) i++;
      }
    } else if (name === 'env') {
      i++;
      while (i < words.length && (words[i].value.startsWith('-') || ASSIGNMENT.test(words[i].value))) {
        const w = words[i++];
        if (ASSIGNMENT.test(w.value)) assignments.push(w);
        else if (ENV_VALUE_OPTIONS.has(w.value)) i++;
      }
    } else if (name === 'command' && (/^-[pvV]+$/.test(words[i + 1]?.value ?? '') && /[vV]/.test(words[i + 1].value))) {
      // `command -v sudo` looks a program up; it does not run it.
      break;
    } else if (name === 'exec' || name === 'nohup' || name === 'command' || name === 'time' || name === 'builtin') {
      i++;
      while (i < words.length && words[i].value.startsWith('-')) i++;
    } else break;
  }
  const program = words[i];
  const command: Command = {
    words,
    program,
    name: program ? baseName(program.value) : '',
    args: program ? words.slice(i + 1) : [],
    sudo,
    assignments,
    redirects: origin.redirects,
    next: origin.next,
    span,
    exec: origin.exec,
    nested: origin.nested,
    script: origin.script,
    ...origin.context,
  };
  command.package = packageCommand(command);
  command.install = command.package && !command.package.dryRun && installs(command.package) ? command.package : undefined;
  return command;
}

/** An OffsetMap for the script inside a quoted word: exact when the source is `"…"`/`'…'` around the value. */
function scriptMap(word: Word, text: string): OffsetMap {
  const raw = text.slice(word.span.start, word.span.end);
  if (raw.length === word.value.length + 2 && raw.slice(1, -1) === word.value) return shiftMap(word.span.start + 1, word.span.end - 1);
  if (raw === word.value) return shiftMap(word.span.start, word.span.end);
  // Escapes inside the string: point everything at the whole word.
  return { start: () => word.span.start, end: () => word.span.end };
}

/** The script of `sh -c 'script'` / `bash -lc "script"`, if the command is one. */
export function shellScriptArg(cmd: Command): Word | undefined {
  if (!SHELLS.has(cmd.name)) return undefined;
  const args = cmd.name === 'busybox' ? cmd.args.slice(1) : cmd.args;
  if (cmd.name === 'busybox' && !SHELLS.has(cmd.args[0]?.value ?? '')) return undefined;
  for (let i = 0; i < args.length; i++) {
    const v = args[i].value;
    if (v === '-o' || v === '+o') {
      i++;
      continue;
    }
    // `-c`, `-lc`, `-ec`: a cluster of short options one of which is c (two linear tests: `/^-[a-z]*c[a-z]*$/` backtracks).
    if (/^-[a-zA-Z]+$/.test(v) && v.includes('c')) return args[i + 1];
    if (!v.startsWith('-') && !v.startsWith('+')) return undefined;
  }
  return undefined;
}

/**
 * The inner scripts of `$( … )` and backquotes in a word's source text, as ranges of that text (not
 * `$(( … ))` arithmetic, nothing inside single quotes). Substitutions inside those are left to the
 * inner script. One pass over the text.
 */
export function substitutionRanges(raw: string): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  let single = false;
  let double = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (single) {
      if (c === "'") single = false;
    } else if (c === '\\') i++;
    else if (c === "'" && !double) single = true;
    else if (c === '"') double = !double;
    else if (c === '$' && raw[i + 1] === '(') {
      const close = closingParen(raw, i + 2);
      if (raw[i + 2] !== '(') out.push({ start: i + 2, end: close });
      i = close;
    } else if (c === '`') {
      let j = i + 1;
      while (j < raw.length && raw[j] !== '`') j += raw[j] === '\\' ? 2 : 1;
      out.push({ start: i + 1, end: Math.min(j, raw.length) });
      i = j;
    }
  }
  return out;
}

/** The index of the `)` that closes the `(` just before `from` (quotes and nesting respected), or the text's end. */
function closingParen(raw: string, from: number): number {
  let depth = 1;
  let single = false;
  let double = false;
  for (let i = from; i < raw.length; i++) {
    const c = raw[i];
    if (single) {
      if (c === "'") single = false;
    } else if (c === '\\') i++;
    else if (c === "'" && !double) single = true;
    else if (c === '"') double = !double;
    else if (c === '(' && !double) depth++;
    else if (c === ')' && !double && --depth === 0) return i;
  }
  return raw.length;
}

/** How deep `sh -c` strings and substitutions inside one another are followed. */
const MAX_DEPTH = 3;

/** Builds the commands of one RUN: numbers its scripts and links each command to the one piped into it. */
class CommandList {
  readonly out: Command[] = [];
  private scripts = 0;
  private readonly lastOf = new Map<number, Command>();

  constructor(
    private readonly text: string,
    private readonly substitutions: boolean,
  ) {}

  newScript(): number {
    return this.scripts++;
  }

  /** Adds a command: first the commands of its substitutions (they run before it), then it, then those of its `sh -c` string. */
  add(words: Word[], span: Span, origin: Origin, depth: number): void {
    if (depth < MAX_DEPTH && this.substitutions && !origin.nested && !origin.exec) {
      for (const word of words) this.addSubstitutions(word, origin.context, depth);
    }
    const command = toCommand(words, span, origin);
    const previous = this.lastOf.get(origin.script);
    if (previous?.next === '|') command.pipedFrom = previous;
    this.lastOf.set(origin.script, command);
    this.out.push(command);
    const script = depth < MAX_DEPTH ? shellScriptArg(command) : undefined;
    if (!script || script.value.trim() === '') return;
    const id = this.newScript();
    for (const c of tokenizeShell(script.value, scriptMap(script, this.text))) {
      this.add(c.words, c.span, { next: c.next, redirects: c.redirects, exec: false, nested: true, script: id, context: within(origin.context, c, false) }, depth + 1);
    }
  }

  /** The commands of `$( … )` and backquotes in a word, read from its source text (spans exact). */
  private addSubstitutions(word: Word, context: Context, depth: number): void {
    if (!word.value.includes('$(') && !word.value.includes('`')) return;
    const raw = this.text.slice(word.span.start, word.span.end);
    for (const range of substitutionRanges(raw)) {
      const id = this.newScript();
      for (const c of tokenizeShell(raw.slice(range.start, range.end), shiftMap(word.span.start + range.start, word.span.end))) {
        this.add(c.words, c.span, { next: c.next, redirects: c.redirects, exec: false, nested: false, script: id, context: within(context, c, true) }, depth + 1);
      }
    }
  }
}

/**
 * The commands a RUN executes, in the order they run: shell form and heredoc bodies as parsed, the
 * argv of exec form as one command, the commands of a substitution just before the command that
 * holds it, and those inside `sh -c '…'` strings just after their shell. Rules read them from
 * RUN_STEPS, worked out once per analysis.
 */
function commandsOf(run: Instruction, text: string, escape: '\\' | '`'): Command[] {
  // With the backtick escape (Windows images) the shell is rarely POSIX: no substitutions are read.
  const list = new CommandList(text, escape === '\\');
  const script = list.newScript();
  if (run.jsonForm) {
    if (run.args.length === 0) return [];
    const span = { start: run.args[0].span.start, end: run.args[run.args.length - 1].span.end };
    list.add(run.args, span, { redirects: [], exec: true, nested: false, script, context: TOP }, 0);
    return list.out;
  }
  for (const c of run.commands) list.add(c.words, c.span, { next: c.next, redirects: c.redirects, exec: false, nested: false, script, context: within(TOP, c, false) }, 0);
  return list.out;
}

/** Commands grouped into pipelines (`a | b | c` is one group), each within one script. Exec form has no pipelines. */
export function pipelinesOf(cmds: readonly Command[]): Command[][] {
  const out: Command[][] = [];
  const open = new Map<number, Command[]>();
  for (const cmd of cmds) {
    let current = open.get(cmd.script);
    if (!current) open.set(cmd.script, (current = []));
    current.push(cmd);
    if (cmd.next !== '|') {
      out.push(current);
      open.delete(cmd.script);
    }
  }
  for (const rest of open.values()) out.push(rest);
  return out;
}

// ---------------------------------------------------------------- options

/** Whether a short-option cluster such as `-fsSLk` sets `letter`; stops at a letter that takes a value. */
export function clusterHas(arg: string, letter: string, valueLetters = ''): boolean {
  if (!/^-[A-Za-z0-9]/.test(arg) || arg.startsWith('--')) return false;
  for (const ch of arg.slice(1)) {
    if (ch === letter) return true;
    if (valueLetters.includes(ch) || !/[A-Za-z0-9]/.test(ch)) return false;
  }
  return false;
}

/** The word `--name` or `--name=…` among `args`. */
export function longOption(args: Word[], name: string): Word | undefined {
  return args.find((a) => a.value === `--${name}` || a.value.startsWith(`--${name}=`));
}

/** The value of `--name=value` or `--name value`. */
export function longOptionValue(args: Word[], name: string): string | undefined {
  const i = args.findIndex((a) => a.value === `--${name}` || a.value.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  const v = args[i].value;
  return v.includes('=') ? v.slice(v.indexOf('=') + 1) : args[i + 1]?.value;
}

/** How a command line is split: the options that take a separate value, per package manager. */
export interface OptionSyntax {
  /** Options whose value is the next word unless written `--opt=value` / `-ovalue`. */
  valueOptions: ReadonlySet<string>;
}

/** Arguments that are not options, skipping the values of value-taking options. */
export function operands(args: Word[], syntax: OptionSyntax): { word: Word; index: number }[] {
  const out: { word: Word; index: number }[] = [];
  let endOfOptions = false;
  for (let i = 0; i < args.length; i++) {
    const v = args[i].value;
    if (!endOfOptions && v === '--') {
      endOfOptions = true;
      continue;
    }
    if (!endOfOptions && v.startsWith('-') && v.length > 1) {
      // `--opt value` and `-o value`; `--opt=value`, `-ovalue` and clusters like `-qy` stand alone
      if (syntax.valueOptions.has(v)) i++;
      continue;
    }
    out.push({ word: args[i], index: i });
  }
  return out;
}

// ---------------------------------------------------------------- package managers

export type Manager = 'apt' | 'apk' | 'yum' | 'dnf' | 'microdnf' | 'zypper' | 'pip' | 'npm' | 'gem' | 'pacman';

const MANAGER_BY_NAME: Record<string, Manager> = {
  'apt-get': 'apt',
  apt: 'apt',
  aptitude: 'apt',
  apk: 'apk',
  yum: 'yum',
  dnf: 'dnf',
  tdnf: 'dnf',
  microdnf: 'microdnf',
  zypper: 'zypper',
  npm: 'npm',
  gem: 'gem',
  pacman: 'pacman',
};

const VALUE_OPTIONS: Record<Manager, ReadonlySet<string>> = {
  apt: new Set(['-o', '--option', '-c', '--config-file', '-t', '--target-release', '--default-release', '-a', '--host-architecture']),
  apk: new Set(['-X', '--repository', '-p', '--root', '--arch', '-t', '--virtual', '--cache-dir', '--keys-dir', '--repositories-file', '--dir', '--timeout']),
  yum: new Set(['-c', '--config', '-d', '--debuglevel', '-e', '--errorlevel', '--installroot', '--enablerepo', '--disablerepo', '-x', '--exclude', '--releasever', '--setopt', '--downloaddir', '--color', '--rpmverbosity']),
  dnf: new Set(['-c', '--config', '-d', '--debuglevel', '-e', '--errorlevel', '--installroot', '--enablerepo', '--disablerepo', '--repo', '--repoid', '-x', '--exclude', '--releasever', '--setopt', '--downloaddir', '--destdir', '--color', '--rpmverbosity', '--forcearch']),
  microdnf: new Set(['--config', '--installroot', '--enablerepo', '--disablerepo', '--releasever', '--setopt', '--setup-only']),
  zypper: new Set(['-r', '--repo', '--from', '-t', '--type', '-R', '--root', '--installroot', '-D', '--reposd-dir', '-C', '--cache-dir', '-c', '--config', '--download']),
  pip: new Set(['-r', '--requirement', '-c', '--constraint', '-i', '--index-url', '--extra-index-url', '-f', '--find-links', '-t', '--target', '--prefix', '--root', '--trusted-host', '--platform', '--python-version', '--implementation', '--abi', '--src', '--upgrade-strategy', '--progress-bar', '--cache-dir', '--log', '--proxy', '--retries', '--timeout', '--exists-action', '--cert', '--client-cert', '--no-binary', '--only-binary', '--global-option', '--install-option', '--config-settings', '-C', '--report', '--root-user-action', '-e', '--editable', '--python']),
  npm: new Set(['--prefix', '--registry', '--tag', '--cache', '-w', '--workspace', '--omit', '--include', '--userconfig', '--loglevel', '-C']),
  gem: new Set(['-v', '--version', '-i', '--install-dir', '-n', '--bindir', '-s', '--source', '-P', '--trust-policy', '--platform', '--document', '-g', '--file', '--build-root']),
  pacman: new Set(['-r', '--root', '-b', '--dbpath', '--cachedir', '--config', '--arch', '--ignore', '--ignoregroup']),
};

/** A package-manager invocation: which manager, its subcommand and the package operands. */
export interface PackageCommand {
  command: Command;
  manager: Manager;
  /** The subcommand word (`install`, `add`, `in`…); undefined when there is none. */
  sub?: Word;
  /** Arguments after the program (options and operands, in order). */
  args: Word[];
  /** Operands after the subcommand: packages, files, URLs. */
  packages: Word[];
  /** The option that makes it change nothing (`-s`, `--dry-run`, `--assumeno`…): then it installs nothing. */
  dryRun?: Word;
}

/** `python -m pip …`, `pip3.11 …`, `python3 -m pip …` are pip. */
function pipArgs(cmd: Command): Word[] | undefined {
  if (/^pip(\d+(\.\d+)?)?$/.test(cmd.name)) return cmd.args;
  if (/^python(\d+(\.\d+)?)?$/.test(cmd.name)) {
    const m = cmd.args.findIndex((a) => a.value === '-m');
    if (m >= 0 && /^pip(\d+(\.\d+)?)?$/.test(cmd.args[m + 1]?.value ?? '') && cmd.args.slice(0, m).every((a) => a.value.startsWith('-'))) {
      return cmd.args.slice(m + 2);
    }
  }
  return undefined;
}

function packageCommand(cmd: Command): PackageCommand | undefined {
  const pip = pipArgs(cmd);
  const manager: Manager | undefined = pip ? 'pip' : MANAGER_BY_NAME[cmd.name];
  if (!manager) return undefined;
  const args = pip ?? cmd.args;
  const syntax = { valueOptions: VALUE_OPTIONS[manager] };
  const ops = operands(args, syntax);
  const dryRun = args.find((a) => DRY_RUN[manager](a.value));
  if (manager === 'pacman') return { command: cmd, manager, args, packages: ops.map((o) => o.word), dryRun };
  const sub = ops[0]?.word;
  return { command: cmd, manager, sub, args, packages: ops.slice(1).map((o) => o.word), dryRun };
}

/**
 * Options that make a package manager only show what it would do (or only download): `apt-get
 * install -s`, `apk add --simulate`, `pip install --dry-run`, `dnf install --assumeno`. Such a
 * command installs nothing, whatever its operands.
 */
const DRY_RUN: Record<Manager, (value: string) => boolean> = {
  apt: (v) => ['--simulate', '--dry-run', '--just-print', '--no-act', '--recon', '--download-only', '--print-uris'].includes(v) || clusterHas(v, 's', 'otca') || clusterHas(v, 'd', 'otca') || /^APT::Get::(?:Simulate|Download-Only)=(?:true|1|yes)$/i.test(v),
  apk: (v) => v === '--simulate' || clusterHas(v, 's', 'Xpt'),
  yum: (v) => v === '--assumeno' || v === '--downloadonly',
  dnf: (v) => v === '--assumeno' || v === '--downloadonly',
  microdnf: () => false,
  zypper: (v) => v === '--dry-run' || v === '--download-only',
  pip: (v) => v === '--dry-run',
  npm: (v) => v === '--dry-run' || v === '--dry-run=true',
  gem: (v) => v === '--explain',
  pacman: (v) => v === '--print' || /^-[A-Za-z]+$/.test(v) && v.includes('p') && !v.startsWith('--'),
};

const INSTALL_SUBCOMMANDS: Record<Manager, ReadonlySet<string>> = {
  apt: new Set(['install']),
  apk: new Set(['add']),
  yum: new Set(['install', 'groupinstall', 'localinstall', 'reinstall']),
  dnf: new Set(['install', 'in', 'groupinstall', 'localinstall', 'reinstall']),
  microdnf: new Set(['install', 'reinstall']),
  zypper: new Set(['install', 'in', 'source-install', 'si']),
  pip: new Set(['install']),
  npm: new Set(['install', 'i', 'add', 'isntall', 'in', 'ins', 'inst', 'insta', 'instal', 'isnt', 'isnta', 'isntal']),
  gem: new Set(['install', 'i']),
  pacman: new Set(),
};

/** `apt-get install …`, `apk add …`, `pip install …`, `pacman -S …`: a command that installs packages. */
function installs(pc: PackageCommand): boolean {
  if (pc.manager === 'pacman') {
    const op = pc.args.find((a) => /^-S[a-zA-Z]*$/.test(a.value) || a.value === '--sync');
    return op !== undefined && !/[cislpgw]/.test(op.value.slice(2)) && pc.packages.length > 0;
  }
  return pc.sub !== undefined && INSTALL_SUBCOMMANDS[pc.manager].has(pc.sub.value);
}

/** Package operands that name a package (not a local file, URL, variable-only word or group). */
export function namedPackages(pc: PackageCommand): Word[] {
  return pc.packages.filter((w) => {
    const v = w.value;
    if (v === '' || v.startsWith('$') || v.startsWith('@') && pc.manager !== 'npm') return false;
    if (/^(\.|\/|~)/.test(v) || /:\/\//.test(v) || /\.(deb|rpm|apk|whl|tar\.gz|tgz|zip|gem)$/.test(v)) return false;
    return true;
  });
}

/** Words `a b c` after the word list `words` begins with `a b c`, as values (for `apt-get clean`-style checks). */
export function startsWithWords(cmd: Command, ...values: string[]): boolean {
  if (!cmd.program) return false;
  const seq = [cmd.program, ...cmd.args].map((w) => w.value);
  return values.every((v, i) => seq[i] === v || (i === 0 && baseName(seq[0]) === v));
}

// ---------------------------------------------------------------- mounts and fixes

/** `--mount=type=cache,target=/var/lib/apt` and friends: the mount targets of a RUN. */
export function mountTargets(run: Instruction): string[] {
  const out: string[] = [];
  for (const flag of run.flags) {
    if (flag.name !== 'mount' || !flag.value) continue;
    const fields = Object.fromEntries(
      flag.value.split(',').map((kv) => {
        const eq = kv.indexOf('=');
        return eq < 0 ? [kv.trim(), ''] : [kv.slice(0, eq).trim(), kv.slice(eq + 1).trim()];
      }),
    );
    const type = fields.type ?? 'bind';
    const target = fields.target ?? fields.dst ?? fields.destination;
    if ((type === 'cache' || type === 'tmpfs') && target) out.push(withoutTrailingSlashes(target));
  }
  return out;
}

/** Inserts `option` after `word`: ` -y` in shell form, `, "-y"` in exec form. */
export function insertAfter(word: Word, option: string, exec: boolean): Edit {
  return { span: { start: word.span.end, end: word.span.end }, newText: exec ? `, ${JSON.stringify(option)}` : ` ${option}` };
}

/** Source text of a span. */
export function sourceOf(text: string, span: Span): string {
  return text.slice(span.start, span.end);
}

// ---------------------------------------------------------------- file modes

/** What a chmod mode grants: world write, setuid, setgid; undefined when the mode is not understood. */
export interface ModeGrant {
  worldWritable: boolean;
  setuid: boolean;
  setgid: boolean;
  sticky: boolean;
}

/** Reads `777`, `4755`, `o+w`, `a=rwx,u+s`, `+s`. Symbolic clauses without who follow the umask for `w`. */
export function modeGrant(mode: string): ModeGrant | undefined {
  if (/^0*[0-7]{3,4}$/.test(mode)) {
    const digits = mode.slice(-4).padStart(4, '0');
    const special = Number(digits[0]);
    return { worldWritable: (Number(digits[3]) & 2) !== 0, setuid: (special & 4) !== 0, setgid: (special & 2) !== 0, sticky: (special & 1) !== 0 };
  }
  const grant: ModeGrant = { worldWritable: false, setuid: false, setgid: false, sticky: false };
  for (const clause of mode.split(',')) {
    const m = /^([ugoa]*)((?:[-+=][rwxXstugo]*)+)$/.exec(clause);
    if (!m) return undefined;
    const who = m[1];
    for (const op of m[2].match(/[-+=][rwxXstugo]*/g) ?? []) {
      if (op[0] === '-') continue;
      const perms = op.slice(1);
      if (perms.includes('w') && /[oa]/.test(who)) grant.worldWritable = true;
      if (perms.includes('s') && (who === '' || /[ua]/.test(who))) grant.setuid = true;
      if (perms.includes('s') && (who === '' || /[ga]/.test(who))) grant.setgid = true;
      if (perms.includes('t')) grant.sticky = true;
    }
  }
  return grant;
}

/** The files that decide who a process is and what it may become: docker/account-file-writable's. */
export const ACCOUNT_FILES = /^\/etc\/(?:passwd|shadow|group|gshadow|sudoers|sudoers\.d(?:\/.*)?)$/;

/** The mode word of a `chmod` command and the paths it applies to. */
export function chmodMode(cmd: Command): { mode: Word; paths: Word[]; recursive: boolean } | undefined {
  if (cmd.name !== 'chmod') return undefined;
  let recursive = false;
  let optionsEnded = false;
  const operands: Word[] = [];
  // GNU chmod takes options anywhere (`chmod 0777 -R /dir`); `-w`, `-x` and the like are modes.
  for (const a of cmd.args) {
    const v = a.value;
    if (!optionsEnded && v === '--') {
      optionsEnded = true;
      continue;
    }
    if (!optionsEnded && (/^-[RvcfHLP]+$/.test(v) || v.startsWith('--'))) {
      if (v === '--recursive' || /^-[a-zA-Z]*R/.test(v)) recursive = true;
      continue;
    }
    operands.push(a);
  }
  return operands.length ? { mode: operands[0], paths: operands.slice(1), recursive } : undefined;
}

// ---------------------------------------------------------------- per-stage context

/** Per stage, the offset from which a setting applies: a RUN starting at or after it runs with it. */
export type SettingPoints = ReadonlyMap<number, number>;

/**
 * A setting some RUN writes (to apt.conf.d, pip.conf…), as an index: per stage, the end of the first
 * RUN whose text matches `pattern`. Declare it once, at module level, and read it with `ctx.index`.
 */
export function writtenSetting(name: string, pattern: RegExp): Index<'dockerfile', SettingPoints> {
  return {
    name: `docker.setting.${name}`,
    compute(source: Source<'dockerfile'>) {
      const from = new Map<number, number>();
      for (const step of source.index(RUN_STEPS)) {
        if (!from.has(step.stageIndex) && pattern.test(source.text.slice(step.run.span.start, step.run.span.end))) from.set(step.stageIndex, step.outer.span.end);
      }
      return from;
    },
  };
}

/** Whether a setting applies to a RUN of `stageIndex` starting at `offset`. */
export function settingApplies(from: SettingPoints, stageIndex: number, offset: number): boolean {
  return (from.get(stageIndex) ?? Infinity) <= offset;
}

/** The command before `cmds[index]` in its pipeline (`yes | apt-get install …`). */
export function pipedFrom(cmds: readonly Command[], index: number): Command | undefined {
  return cmds[index]?.pipedFrom;
}

/** `rm -rf /var/lib/apt/lists/*` and the like: an `rm` of a path under one of `prefixes`. */
export function removesPath(cmd: Command, prefixes: RegExp): boolean {
  return cmd.name === 'rm' && cmd.args.some((a) => prefixes.test(a.value));
}

// ---------------------------------------------------------------- version pins

/** Whether a package operand carries a version, in the syntax of its manager. */
export function isPinned(manager: Manager, value: string): boolean {
  if (value.includes('$')) return true; // a version from a build argument: unknown here, assume pinned
  switch (manager) {
    case 'apt':
      return value.includes('=');
    case 'apk':
      return /[=~<>]/.test(value);
    case 'yum':
    case 'dnf':
    case 'microdnf':
      return /-\d/.test(value) || /[=<>]/.test(value);
    case 'zypper':
      return /[=<>]/.test(value) || /-\d/.test(value);
    case 'pip':
      // `pkg==1.2`, `pkg===1.2`, `pkg~=1.2` (and the invalid `pkg=1.2` some write); not `>=`, `<=`, `!=`
      return /(^|[^<>!])=/.test(value) || /\s@\s/.test(value);
    case 'npm': {
      const at = value.indexOf('@', value.startsWith('@') ? 1 : 0);
      if (at < 0) return false;
      const version = value.slice(at + 1);
      return !['', 'latest', 'next', '*', 'x'].includes(version);
    }
    case 'gem':
      return value.includes(':');
    default:
      return true;
  }
}

/** npm operands that come from a registry by name (not git, a tarball, a folder or `user/repo`). */
export function isRegistryPackage(value: string): boolean {
  if (/^(git|github|gitlab|bitbucket|gist|file|https?|npm|link|workspace)[+:]/.test(value)) return false;
  if (!value.startsWith('@') && value.includes('/')) return false;
  return true;
}

// ---------------------------------------------------------------- variables in RUN

/** Builtins that set the variables named by their operands (`export URL=…`, `read -r NAME`). */
const SETTERS = new Set(['export', 'declare', 'typeset', 'local', 'readonly', 'read', 'getopts', 'unset']);

/** Names the script of a RUN sets itself: these hide the ARG or ENV of the same name. */
function namesSetIn(step: RunStep, text: string): Set<string> {
  const out = new Set<string>();
  const name = (value: string) => /^[A-Za-z_]\w*/.exec(value)?.[0];
  for (const cmd of step.commands) {
    for (const a of cmd.assignments) out.add(name(a.value)!);
    if (!SETTERS.has(cmd.name)) continue;
    for (const a of cmd.args) {
      const n = a.value.startsWith('-') ? undefined : name(a.value);
      if (n) out.add(n);
    }
  }
  // `for NAME in …` headers are no commands.
  for (const match of text.slice(step.run.span.start, step.run.span.end).matchAll(/\bfor\s+([A-Za-z_]\w*)/g)) out.add(match[1]);
  return out;
}

/**
 * Words of RUN commands with a `$`, with their value where the shell would expand every variable in
 * them to an ARG or ENV value this file gives (undefined where one is not known): `wget
 * ${DEB_SITE}/x.deb` after `ARG DEB_SITE=http://mirror.example.org/debian`. Left out: words in single
 * quotes, words of `sh -c` strings (approximate spans), exec form (no shell expands it), ONBUILD RUNs
 * (they run in another build), and variables the RUN sets itself.
 */
export const RUN_VALUES: Index<'dockerfile', ReadonlyMap<Word, string | undefined>> = {
  name: 'docker.runValues',
  compute(source) {
    const out = new Map<Word, string | undefined>();
    const steps = new Map<Instruction, RunStep>();
    for (const step of source.index(RUN_STEPS)) if (!step.onbuild && !step.run.jsonForm) steps.set(step.run, step);
    if (steps.size === 0) return out;
    walkVariables(source, (instruction, _stage, lookup) => {
      const step = instruction.keyword === 'RUN' ? steps.get(instruction) : undefined;
      if (!step) return;
      let own: Set<string> | undefined;
      for (const cmd of step.commands) {
        if (cmd.nested) continue;
        for (const word of cmd.words) {
          if (!word.value.includes('$') || source.text.slice(word.span.start, word.span.end).includes("'")) continue;
          own ??= namesSetIn(step, source.text);
          const shadowed = own;
          out.set(word, expandVariables(word.value, (name) => (shadowed.has(name) ? undefined : lookup(name))));
        }
      }
    });
    return out;
  },
};

/** A word of a RUN command as the shell expands it, where the file says what its variables hold. */
export function shellWord(source: Source<'dockerfile'>, word: Word): { value: string; known: boolean } {
  if (!word.value.includes('$')) return { value: word.value, known: true };
  const value = source.index(RUN_VALUES).get(word);
  return value === undefined ? { value: word.value, known: false } : { value, known: true };
}

// ---------------------------------------------------------------- downloads

/** A file a `curl` or `wget` fetches, with its URL as the shell expands it. */
export interface Download {
  command: Command;
  /** The URL, variables substituted where the file says what they hold. */
  url: string;
  urlWord: Word;
  /** Where it is saved (`-o`, `-O`, `--output-document`), else the URL's last path segment. */
  file: string;
}

/**
 * Where a download is saved: `-o FILE` / `-O FILE` / `--output FILE` / `--output-document=FILE`, or
 * standard output redirected to a file (`curl -fsSL URL > tool.jar`).
 */
function outputName(cmd: Command): string | undefined {
  const args = cmd.args.map((a) => a.value);
  for (let i = 0; i < args.length; i++) {
    const v = args[i];
    if (cmd.name === 'curl' && (v === '-o' || v === '--output')) return args[i + 1];
    if (cmd.name === 'wget' && (v === '-O' || v === '--output-document')) return args[i + 1];
    if (v.startsWith('--output=') || v.startsWith('--output-document=')) return v.slice(v.indexOf('=') + 1);
    if (cmd.name === 'curl' && /^-[a-zA-Z]*o$/.test(v)) return args[i + 1];
    if (cmd.name === 'wget' && /^-[a-zA-Z]*O$/.test(v)) return args[i + 1];
  }
  for (const redirect of cmd.redirects) {
    const target = outputRedirect(redirect);
    if (target?.fd === 1 && target.path !== '/dev/null' && target.path !== '-') return target.path;
  }
  return undefined;
}

/**
 * The file an output redirection writes and the descriptor it redirects: `>f`, `>>f`, `2>f`, `>|f`;
 * undefined for `>&2`, `2>&1`, input redirections and heredocs.
 */
export function outputRedirect(redirect: Word): { fd: number; path: string } | undefined {
  const match = /^(\d*)>>?\|?([^&].*)$/.exec(redirect.value);
  return match ? { fd: match[1] ? Number(match[1]) : 1, path: match[2] } : undefined;
}

/** The files a command writes: the targets of its output redirections and, for `tee`, its operands. */
export function writtenFiles(cmd: Command): string[] {
  const out = cmd.redirects.flatMap((r) => outputRedirect(r)?.path ?? []);
  if (cmd.name === 'tee') for (const a of cmd.args) if (!a.value.startsWith('-')) out.push(a.value);
  return out;
}

/** A word that is one shell variable and nothing else: `$URL`, `"${FIREFOX_URL}"` as the parser gives it. */
const LONE_VARIABLE = /^\$(?:[A-Za-z_][A-Za-z0-9_]*|\{[A-Za-z_][A-Za-z0-9_]*\})$/;

/**
 * What a `curl`/`wget` command downloads: a URL (read through ARG and ENV values), or a URL held in
 * a shell variable of the RUN when the file it is saved to is named (`wget -O firefox.tar.bz2 $URL`).
 */
export function downloadOf(source: Source<'dockerfile'>, cmd: Command): Download | undefined {
  if (cmd.name !== 'curl' && cmd.name !== 'wget') return undefined;
  const output = outputName(cmd);
  for (const word of cmd.args) {
    const { value } = shellWord(source, word);
    if (!/^(?:https?|ftp):\/\//i.test(value)) continue;
    const path = value.replace(/[?#].*$/, '');
    return { command: cmd, url: value, urlWord: word, file: output ?? path.slice(path.lastIndexOf('/') + 1) };
  }
  if (output === undefined) return undefined;
  const urlWord = cmd.args.find((a) => LONE_VARIABLE.test(a.value) && a.value !== output && !shellWord(source, a).known);
  return urlWord && { command: cmd, url: urlWord.value, urlWord, file: output };
}

/** Commands that install, unpack or run a file given to them. */
const CONSUMERS = new Set(['tar', 'unzip', 'dpkg', 'rpm', 'gunzip', 'bsdtar', 'install', 'java', 'sh', 'bash', 'python', 'python3', 'pip', 'pip3', 'gem', 'apk', 'yum', 'dnf', 'microdnf', 'apt', 'apt-get', 'gdebi', 'zypper', 'mv', 'cp', 'chmod']);

/** What a command does with a downloaded `file`: `unpacks`, `installs` or `runs`; undefined when it does not name it. */
export function usesDownload(cmd: Command, file: string): 'unpacks' | 'installs' | 'runs' | undefined {
  if (!CONSUMERS.has(cmd.name) || file === '') return undefined;
  const base = file.slice(file.lastIndexOf('/') + 1);
  const mentions = cmd.args.some((a) => a.value === file || a.value.endsWith(`/${base}`) || a.value === base);
  if (!mentions) return undefined;
  if (cmd.name === 'tar' || cmd.name === 'unzip' || cmd.name === 'gunzip' || cmd.name === 'bsdtar') return 'unpacks';
  if (cmd.name === 'chmod' || cmd.name === 'mv' || cmd.name === 'cp') return 'installs';
  return cmd.name === 'sh' || cmd.name === 'bash' || cmd.name.startsWith('python') || cmd.name === 'java' ? 'runs' : 'installs';
}

/**
 * The first command after position `after` of `cmds` that unpacks, installs or runs a downloaded
 * `file`, found through an index of the consumers' arguments by base name: built once per RUN, so a
 * RUN of thousands of downloads is read once, not once per download.
 */
export function downloadConsumers(cmds: readonly Command[]): (file: string, after: number) => { command: Command; action: 'unpacks' | 'installs' | 'runs' } | undefined {
  const byName = new Map<string, number[]>();
  cmds.forEach((cmd, i) => {
    if (!CONSUMERS.has(cmd.name)) return;
    for (const a of cmd.args) {
      const base = a.value.slice(a.value.lastIndexOf('/') + 1);
      const list = byName.get(base);
      if (!list) byName.set(base, [i]);
      else if (list.at(-1) !== i) list.push(i);
    }
  });
  return (file, after) => {
    // Every command listed under the file's base name mentions it (`usesDownload` asks no more).
    const list = byName.get(file.slice(file.lastIndexOf('/') + 1)) ?? [];
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid] <= after) lo = mid + 1;
      else hi = mid;
    }
    const command = cmds[list[lo]];
    const action = command && usesDownload(command, file);
    return action ? { command, action } : undefined;
  };
}

/** Key handling that checks nothing by itself: `gpg --dearmor` of a repository key, `--import`, `--recv-keys`. */
const GPG_KEY_HANDLING = /^--(?:dearmou?r|enarmou?r|import|recv-keys?|receive-keys|export|fingerprint|list-keys|show-keys)$/;

/**
 * Whether a command checks a download: a checksum tool (`sha256sum -c`, or any use of one, as scripts
 * compare its output), a signature check (`gpg --verify`, `gpgv`, cosign, minisign, `rpm -K`…). A
 * gpg that only converts or imports keys checks nothing.
 */
export function verifiesDownloads(cmd: Command): boolean {
  if (/^(?:sha(?:1|224|256|384|512)sum|shasum|b2sum|md5sum|cksum|gpgv2?|cosign|minisign|signify|slsa-verifier|rpmkeys|openssl|sq|ssh-keygen|debsig-verify|dpkg-sig)$/.test(cmd.name)) return true;
  if (cmd.name === 'gpg' || cmd.name === 'gpg2') return !cmd.args.some((a) => GPG_KEY_HANDLING.test(a.value)) || cmd.args.some((a) => /^--verify/.test(a.value));
  return cmd.name === 'rpm' && cmd.args.some((a) => a.value === '--checksig' || /^-[a-zA-Z]*K/.test(a.value));
}
