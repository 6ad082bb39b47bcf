import type { Rule } from '../../_api';
import { withOnbuild } from '../../_helpers/docker-instruction';
import { chmodMode, modeGrant, RUN_STEPS } from '../../_helpers/docker-shell';

const rule: Rule<'dockerfile'> = {
  id: 'docker/chmod-setuid',
  title: 'setuid or setgid bit set in the image',
  severity: 'medium',
  layer: 'container',
  category: 'security',
  model: 'dockerfile',
  description: 'A `chmod` in RUN (or `COPY --chmod`) sets the setuid or setgid bit (`+s`, `u+s`, `g+s`, `4755`, `2755`), giving a program its owner\'s privileges whoever runs it.',
  references: { cwe: ['CWE-250'], cis: ['CIS Docker 4.8'] },
  messages: {
    setuid: '`{{mode}}` sets the setuid bit: the program runs with its owner\'s privileges (usually root) whoever starts it, a ready-made privilege escalation for anyone who gets a shell in the container. Grant the capability the program needs, or run that step as the right user.',
    setgid: '`{{mode}}` sets the setgid bit: a program runs with its group\'s privileges whoever starts it. On a shared directory (group inheritance) this is deliberate and may be suppressed; on a binary, remove it.',
  },
  visits: ['RUN', 'COPY', 'ADD', 'ONBUILD'],
  check(ctx) {
    const report = (mode: string, span: { start: number; end: number }) => {
      const grant = modeGrant(mode);
      if (grant?.setuid) ctx.report({ messageId: 'setuid', data: { mode }, span });
      else if (grant?.setgid) ctx.report({ messageId: 'setgid', data: { mode }, span });
    };
    for (const step of ctx.index(RUN_STEPS)) {
      for (const cmd of step.commands) {
        const chmod = chmodMode(cmd);
        if (chmod) report(chmod.mode.value, chmod.mode.span);
      }
    }
    for (const copy of withOnbuild(ctx.nodes, 'COPY', 'ADD')) {
      for (const flag of copy.flags) if (flag.name === 'chmod' && flag.value) report(flag.value, flag.valueSpan ?? flag.span);
    }
  },
};

export default rule;
