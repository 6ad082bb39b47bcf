import type { Rule, Word } from '../../_api';
import { RUN_STEPS } from '../../_helpers/docker-shell';

const TRUE = /^(true|1|yes)$/i;

/** `--unsafe-perm`, `--unsafe-perm=true`, `config set unsafe-perm true`, `unsafe-perm=true`. */
function unsafePerm(args: Word[]): Word | undefined {
  for (let i = 0; i < args.length; i++) {
    const v = args[i].value;
    if (v === '--unsafe-perm' && !/^(false|0|no)$/i.test(args[i + 1]?.value ?? '')) return args[i];
    const eq = /^(?:--)?unsafe-perm=(.*)$/.exec(v);
    if (eq && TRUE.test(eq[1])) return args[i];
    if (v === 'unsafe-perm' && TRUE.test(args[i + 1]?.value ?? '')) return args[i];
  }
  return undefined;
}

const rule: Rule<'dockerfile'> = {
  id: 'docker/npm-unsafe-perm',
  title: 'npm scripts run as root with unsafe-perm',
  severity: 'medium',
  layer: 'container',
  category: 'security',
  model: 'dockerfile',
  description: '`npm … --unsafe-perm` (or `unsafe-perm=true`) makes npm run every package\'s install scripts as root instead of dropping privileges.',
  references: { cwe: ['CWE-250'] },
  messages: {
    unsafePerm: '`unsafe-perm` makes npm run the lifecycle scripts of every dependency as root: a single malicious or compromised package gets root in the build and can plant anything in the image. Install as an unprivileged USER instead.',
    unsafePermEnv: '`{{name}}` makes npm run the lifecycle scripts of every dependency as root. Install as an unprivileged USER instead.',
  },
  visits: ['RUN', 'ONBUILD', 'ENV'],
  check(ctx) {
    for (const step of ctx.index(RUN_STEPS)) {
      for (const cmd of step.commands) {
        for (const a of cmd.assignments) {
          if (/^npm_config_unsafe_perm=(true|1|yes)$/i.test(a.value)) ctx.report({ messageId: 'unsafePermEnv', data: { name: a.value }, span: a.span });
        }
        if (cmd.name !== 'npm' && cmd.name !== 'yarn') continue;
        const bad = unsafePerm(cmd.args);
        if (bad) ctx.report({ messageId: 'unsafePerm', span: bad.span });
      }
    }
    for (const ins of ctx.nodes) {
      if (ins.keyword !== 'ENV') continue;
      for (const pair of ins.pairs) {
        if (/^npm_config_unsafe_perm$/i.test(pair.key) && TRUE.test(pair.value ?? '')) {
          ctx.report({ messageId: 'unsafePermEnv', data: { name: `${pair.key}=${pair.value}` }, span: pair.keySpan });
        }
      }
    }
  },
};

export default rule;
