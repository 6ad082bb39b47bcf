import type { Instruction, Rule, Span, Word } from '../../_api';
import { RUN_STEPS, shellWord, writtenFiles, type Command } from '../../_helpers/docker-shell';

/** `/etc/sudoers` and the files of `/etc/sudoers.d`. */
const SUDOERS = /^\/etc\/sudoers(?:\.d\/[^/]+)?$/;

/** Text written to a file, and where it sits in the source. */
interface Written {
  text: string;
  span: Span;
  /** Offset of `text` in the source when it is there verbatim (to point at one line of it). */
  at?: number;
}

/** The sudoers file a command writes, through `>`/`>>` or as `tee`'s operand. */
function sudoersTarget(cmd: Command): string | undefined {
  const written = writtenFiles(cmd).find((file) => SUDOERS.test(file));
  if (written) return written;
  if (cmd.name === 'sed' && cmd.args.some((a) => /^-[a-zA-Z]*i/.test(a.value) || a.value.startsWith('--in-place'))) return cmd.args.find((a) => SUDOERS.test(a.value))?.value;
  return undefined;
}

/** What `echo`/`printf` prints (its words after options), a heredoc fed to `cat`/`tee`, or a `sed` replacement. */
function written(cmd: Command, run: Instruction, text: string, expand: (word: Word) => string): Written[] {
  if (cmd.name === 'echo' || cmd.name === 'printf') {
    const words = cmd.args.filter((a, i) => !(cmd.name === 'echo' && i === 0 && /^-[neE]+$/.test(a.value)));
    return words.map((w) => ({ text: expand(w).replace(/\\n/g, '\n'), span: w.span }));
  }
  if (cmd.name === 'sed') return cmd.args.filter((a) => /^s(.).*\1.*\1/.test(a.value)).map((w) => ({ text: w.value.split(w.value[1])[2] ?? '', span: w.span }));
  const marker = cmd.redirects.find((r) => r.value.startsWith('<<') && !r.value.startsWith('<<<'));
  const delimiter = marker?.value.replace(/^<<-?/, '').replace(/^(['"])(.*)\1$/, '$2');
  const heredoc = delimiter === undefined ? undefined : run.heredocs.find((h) => h.delimiter === delimiter);
  if (!heredoc) return [];
  const verbatim = text.slice(heredoc.bodySpan.start, heredoc.bodySpan.end).startsWith(heredoc.body.replace(/\n$/, ''));
  return [{ text: heredoc.body, span: marker!.span, at: verbatim ? heredoc.bodySpan.start : undefined }];
}

/** A rule of a sudoers file that lets someone run commands as root without a password. */
interface Grant {
  entry: string;
  who: string;
  commands: string;
  /** Offset of the entry in the written text. */
  offset: number;
}

/** `ALL ALL=(ALL) NOPASSWD: ALL`, `%wheel ALL=(ALL) NOPASSWD:/usr/bin/apt-get`, `Defaults:app !authenticate`. */
function grants(text: string): Grant[] {
  const out: Grant[] = [];
  let offset = 0;
  for (const line of text.split('\n')) {
    const entry = line.trim();
    const start = offset + line.indexOf(entry);
    offset += line.length + 1;
    if (entry.startsWith('#')) continue;
    const defaults = /^Defaults(?::(\S+))?\s.*!authenticate\b/.exec(entry);
    if (defaults) out.push({ entry, who: defaults[1] ?? 'ALL', commands: 'ALL', offset: start });
    const nopasswd = /^(\S+)\s+[^=]+=.*\bNOPASSWD\s*:\s*(.*)$/.exec(entry);
    if (nopasswd) out.push({ entry, who: nopasswd[1], commands: nopasswd[2].replace(/^(?:[A-Z_]+\s*:\s*)+/, '').trim() || 'ALL', offset: start });
  }
  return out;
}

function whoText(who: string): string {
  if (who === 'ALL') return 'every user';
  return who.startsWith('%') ? `every member of group ${who.slice(1)}` : `user ${who}`;
}

const rule: Rule<'dockerfile'> = {
  id: 'docker/sudo-nopasswd',
  title: 'Passwordless sudo written into sudoers',
  severity: 'high',
  layer: 'container',
  category: 'security',
  model: 'dockerfile',
  description: 'A RUN writes a `NOPASSWD` (or `!authenticate`) rule into /etc/sudoers or /etc/sudoers.d, so the container user can become root without a password.',
  references: { cwe: ['CWE-250', 'CWE-269'], cis: ['CIS Docker 4.1'] },
  messages: {
    all: '`{{entry}}` in {{file}} lets {{who}} run any command as root without a password: a process running as the container\'s user becomes root in one step, which undoes USER. Drop the rule (and sudo), and do what needs root in RUN steps before USER.',
    some: '`{{entry}}` in {{file}} lets {{who}} run `{{commands}}` as root without a password: many programs can start a shell or write any file as root (see GTFOBins), which would undo USER. Do that work at build time instead, or make sure none of these can.',
  },
  visits: ['RUN', 'ONBUILD'],
  check(ctx) {
    const expand = (word: Word) => shellWord(ctx, word).value;
    for (const step of ctx.index(RUN_STEPS)) {
      for (const cmd of step.commands) {
        const file = sudoersTarget(cmd);
        // `echo … | tee /etc/sudoers.d/x`: what tee writes comes from the command piped into it.
        const source = cmd.name === 'tee' ? cmd.pipedFrom : cmd;
        if (!file || !source) continue;
        for (const piece of written(source, step.run, ctx.text, expand)) {
          for (const grant of grants(piece.text)) {
            const span = piece.at === undefined ? piece.span : { start: piece.at + grant.offset, end: piece.at + grant.offset + grant.entry.length };
            const all = grant.commands === 'ALL';
            ctx.report({
              messageId: all ? 'all' : 'some',
              data: { entry: grant.entry, file, who: whoText(grant.who), commands: grant.commands },
              span,
              severity: all ? undefined : 'medium',
            });
          }
        }
      }
    }
  },
};

export default rule;
