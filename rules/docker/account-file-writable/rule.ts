import type { Rule } from '../../_api';
import { ACCOUNT_FILES, chmodMode, RUN_STEPS } from '../../_helpers/docker-shell';

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

const rule: Rule<'dockerfile'> = {
  id: 'docker/account-file-writable',
  title: 'Account files made writable',
  severity: 'high',
  layer: 'container',
  category: 'security',
  model: 'dockerfile',
  visits: ['RUN', 'ONBUILD'],
  description: 'A RUN makes /etc/passwd, /etc/shadow, /etc/group or /etc/sudoers writable by the group or by everyone.',
  references: { cwe: ['CWE-732', 'CWE-269'] },
  messages: {
    world: '`chmod {{mode}}` makes {{file}} writable by every user: any process in the container can add a user with uid 0 or a password, or grant itself sudo. Keep it 0644 (0640 for shadow, 0440 for sudoers), owned by root.',
    group: '`chmod {{mode}}` makes {{file}} writable by its group (root): a process running with group 0, as OpenShift runs containers, can add a user with uid 0. If the image must support arbitrary user ids, write the entry at start-up from a copy instead (or use nss_wrapper).',
  },
  check(ctx) {
    for (const step of ctx.index(RUN_STEPS)) {
      for (const cmd of step.commands) {
        const chmod = chmodMode(cmd);
        if (!chmod) continue;
        const who = writers(chmod.mode.value);
        if (!who) continue;
        for (const path of chmod.paths) {
          if (!ACCOUNT_FILES.test(path.value)) continue;
          ctx.report({ messageId: who, severity: who === 'group' ? 'medium' : undefined, data: { mode: chmod.mode.value, file: path.value }, span: path.span });
        }
      }
    }
  },
};

export default rule;
