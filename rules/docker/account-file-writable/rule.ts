import type { Rule, Word } from '../../_api';
import { isRootUser } from '../../_helpers/docker-image';
import { ACCOUNT_FILES, chmodMode, RUN_STEPS, shellWord, type Command } from '../../_helpers/docker-shell';

/** Who a mode lets write besides the owner: `world`, `group`, or undefined. */
function writers(mode: string): 'world' | 'group' | undefined {
  if (/^0*[0-7]{3,4}$/.test(mode)) {
    const digits = mode.slice(-3);
    if (Number(digits[2]) & 2) return 'world';
    if (Number(digits[1]) & 2) return 'group';
    return undefined;
  }
  let found: 'world' | 'group' | undefined;
  for (const clause of mode.split(',')) {
    const m = /^([ugoa]*)([-+=])(.*)$/.exec(clause);
    if (!m || m[2] === '-') continue;
    // `g=u` copies the owner's bits (rw for these files) to the group: OpenShift's arbitrary-UID recipe.
    const grantsWrite = m[3].includes('w') || m[3] === 'u';
    if (!grantsWrite) continue;
    if (/[oa]/.test(m[1])) return 'world';
    if (m[1].includes('g')) found = 'group';
  }
  return found;
}

/** chown's options that take a value as the next word (GNU and BusyBox take `--from=`, `--reference=` joined). */
const CHOWN_VALUE_OPTIONS = new Set(['--from', '--reference']);

/** The owner operand of a `chown` and the paths it applies to; undefined with `--reference` (no owner written). */
function chownOwner(cmd: Command): { owner: Word; paths: Word[] } | undefined {
  if (cmd.name !== 'chown') return undefined;
  const operands: Word[] = [];
  let optionsEnded = false;
  for (let i = 0; i < cmd.args.length; i++) {
    const v = cmd.args[i].value;
    if (!optionsEnded && v === '--') optionsEnded = true;
    else if (!optionsEnded && v.startsWith('--reference')) return undefined;
    else if (!optionsEnded && CHOWN_VALUE_OPTIONS.has(v)) i++;
    else if (!optionsEnded && v.startsWith('-') && v.length > 1) continue;
    else operands.push(cmd.args[i]);
  }
  return operands.length >= 2 ? { owner: operands[0], paths: operands.slice(1) } : undefined;
}

const rule: Rule<'dockerfile'> = {
  id: 'docker/account-file-writable',
  title: 'Account files made writable',
  severity: 'high',
  layer: 'container',
  category: 'security',
  model: 'dockerfile',
  visits: ['RUN', 'ONBUILD'],
  description: 'A RUN makes /etc/passwd, /etc/shadow, /etc/group or /etc/sudoers writable by the group or by everyone, or hands it to a user other than root.',
  references: { cwe: ['CWE-732', 'CWE-269'] },
  messages: {
    world: '`chmod {{mode}}` makes {{file}} writable by every user: any process in the container can add a user with uid 0 or a password, or grant itself sudo. Keep it 0644 (0640 for shadow, 0440 for sudoers), owned by root.',
    group: '`chmod {{mode}}` makes {{file}} writable by its group (root): a process running with group 0, as OpenShift runs containers, can add a user with uid 0. If the image must support arbitrary user ids, write the entry at start-up from a copy instead (or use nss_wrapper).',
    owner: '`chown {{owner}}` makes {{user}} the owner of {{file}}: a process running as {{user}} can rewrite it, add a user with uid 0 or a password, and become root. Keep it owned by root; for arbitrary user ids, write the entry at start-up from a copy (or use nss_wrapper).',
    ownerUnknown: '`chown {{owner}}` hands {{file}} to a user whose value is not known here: unless that is root, a process running as that user can rewrite it, add a user with uid 0 and become root. Keep it owned by root.',
  },
  check(ctx) {
    for (const step of ctx.index(RUN_STEPS)) {
      // Files this RUN already handed to another user: a chmod for the group then is the same problem.
      let handedOver: Set<string> | undefined;
      for (const cmd of step.commands) {
        const chown = chownOwner(cmd);
        if (chown) {
          const { value, known } = shellWord(ctx, chown.owner);
          if (known && isRootUser(value)) continue;
          for (const path of chown.paths) {
            if (!ACCOUNT_FILES.test(path.value)) continue;
            (handedOver ??= new Set()).add(path.value);
            if (known) ctx.report({ messageId: 'owner', data: { owner: chown.owner.value, user: value.split(/[:.]/)[0] || value, file: path.value }, span: path.span });
            else ctx.report({ messageId: 'ownerUnknown', data: { owner: chown.owner.value, file: path.value }, span: path.span, severity: 'medium' });
          }
          continue;
        }
        const chmod = chmodMode(cmd);
        if (!chmod) continue;
        const who = writers(chmod.mode.value);
        if (!who) continue;
        for (const path of chmod.paths) {
          if (!ACCOUNT_FILES.test(path.value) || (who === 'group' && handedOver?.has(path.value))) continue;
          ctx.report({ messageId: who, severity: who === 'group' ? 'medium' : undefined, data: { mode: chmod.mode.value, file: path.value }, span: path.span });
        }
      }
    }
  },
};

export default rule;
