// How a container steps down from root: the programs that run a command as another user (gosu,
// su-exec, setpriv, runuser, `chroot --userspec`, `su -c`…), found in an ENTRYPOINT/CMD argv or in
// the entrypoint script a Dockerfile copies into the image (SHELL_SCRIPTS, a summary of the
// workspace's shell scripts). No checks live here.
import { LineIndex, tokenizeShell, type Summary } from '../_api';
import { isRootUser } from './docker-image';

/** A command that runs the rest of its arguments as `user`. */
export interface StepDown {
  tool: string;
  user: string;
}

/** Programs that only wrap the command that follows them (`exec`, an init such as tini). */
const WRAPPERS = new Set(['exec', 'command', 'nohup', 'tini', 'dumb-init', 'catatonit']);

const base = (word: string) => word.slice(word.lastIndexOf('/') + 1);

/** The value of `--name=value` / `--name value` (or `-x value` for a short name), if present. */
function option(words: readonly string[], long: string, short?: string): string | undefined {
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w.startsWith(`${long}=`)) return w.slice(long.length + 1);
    if (w === long || (short && w === short)) return words[i + 1];
    if (short && w.startsWith(short) && w.length > short.length && !w.startsWith('--')) return w.slice(short.length);
  }
  return undefined;
}

function firstOperand(words: readonly string[], valued: ReadonlySet<string>): string | undefined {
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w === '-' || w === '--') continue;
    if (w.startsWith('-')) {
      if (valued.has(w)) i++;
      continue;
    }
    return w;
  }
  return undefined;
}

const SU_VALUED = new Set(['-c', '--command', '-s', '--shell', '-g', '--group', '-G', '--supp-group', '-w', '--whitelist-environment']);
const RUNUSER_VALUED = new Set([...SU_VALUED, '-u', '--user']);

/**
 * The step down `words` make (a command's words, the program first), or undefined when they run
 * no such program or name root. Wrappers in front (`exec`, `tini --`) are skipped.
 */
export function stepDownIn(words: readonly string[]): StepDown | undefined {
  let i = 0;
  while (i < words.length && (WRAPPERS.has(base(words[i])) || words[i] === '--' || (i > 0 && WRAPPERS.has(base(words[i - 1])) && words[i].startsWith('-')))) i++;
  const program = words[i] === undefined ? '' : base(words[i]);
  const args = words.slice(i + 1);
  let user: string | undefined;
  switch (program) {
    case 'gosu':
    case 'su-exec':
    case 'setuidgid':
    case 's6-setuidgid':
      user = args[0];
      break;
    case 'chpst':
      user = option(args, '-u');
      break;
    case 'setpriv':
      user = option(args, '--reuid');
      break;
    case 'chroot':
      user = option(args, '--userspec');
      break;
    case 'runuser':
      user = option(args, '--user', '-u') ?? (args.some((a) => a === '-c' || a === '--command') ? firstOperand(args, RUNUSER_VALUED) : undefined);
      break;
    case 'su':
      // `su` only runs a command with -c; without it, it starts a shell.
      if (args.some((a) => a === '-c' || a === '--command' || /^--command=/.test(a))) user = firstOperand(args, SU_VALUED) ?? 'root';
      break;
    default:
      return undefined;
  }
  if (!user || user.startsWith('-')) return undefined;
  const name = user.replace(/^['"]|['"]$/g, '');
  return isRootUser(name) ? undefined : { tool: program, user: name };
}

/** A shell script's step downs, each with the line it is on (1-based). */
export interface ScriptFacts {
  drops: { tool: string; user: string; line: number; span: { start: number; end: number } }[];
}

/** Names of files that are shell scripts an image may run: `*.sh`, `*.bash`, `*entrypoint*`. */
const SCRIPT_NAME = /^(?:[^.]+entrypoint[^/]*|.*\.(?:sh|bash))$/i;

/** The step downs of the workspace's shell scripts: an entrypoint the Dockerfile copies may drop root. */
export const SHELL_SCRIPTS: Summary<'text', ScriptFacts> = {
  name: 'docker.shellScripts',
  model: 'text',
  fileNames: SCRIPT_NAME,
  compute(source) {
    const text = source.model;
    if (typeof text !== 'string' || text.length > 256 * 1024 || !/gosu|su-exec|setpriv|runuser|chroot|\bsu\b|setuidgid|chpst/.test(text)) return undefined;
    const lines = new LineIndex(text);
    const drops: ScriptFacts['drops'] = [];
    for (const command of tokenizeShell(text)) {
      const found = stepDownIn(command.words.map((w) => w.value));
      if (found) drops.push({ ...found, line: lines.position(command.span.start).line + 1, span: { start: command.span.start, end: command.span.end } });
    }
    return drops.length ? { drops } : undefined;
  },
};
