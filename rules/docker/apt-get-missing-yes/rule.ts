import type { Rule, Word } from '../../_api';
import { clusterHas, insertAfter, pipedFrom, RUN_STEPS, settingApplies, writtenSetting } from '../../_helpers/docker-shell';

/** A RUN that writes `APT::Get::Assume-Yes "true"` to apt's configuration: later RUNs of its stage assume yes. */
const ASSUME_YES = writtenSetting('apt.assumeYes', /Assume-Yes\s+"?(true|1|yes)/i);

/** `-y`, `--yes`, `--assume-yes`, `-o APT::Get::Assume-Yes=true`, or quiet level 2 (`-qq`, `-q=2`, `-q -q`), which implies yes. */
function assumesYes(args: Word[]): boolean {
  let quiet = 0;
  for (const { value: v } of args) {
    if (v === '--yes' || v === '--assume-yes' || clusterHas(v, 'y', 'otca')) return true;
    if (/APT::Get::Assume-Yes=(true|1|yes)/i.test(v)) return true;
    const level = /^(?:-q|--quiet)=(\d+)$/.exec(v);
    if (level) quiet += Number(level[1]);
    else if (v === '--quiet') quiet++;
    else if (/^-[a-zA-Z]+$/.test(v)) quiet += (v.match(/q/g) ?? []).length;
  }
  return quiet >= 2;
}

const rule: Rule<'dockerfile'> = {
  id: 'docker/apt-get-missing-yes',
  title: 'apt-get install without -y',
  severity: 'low',
  layer: 'container',
  category: 'hygiene',
  model: 'dockerfile',
  description: '`apt-get install` runs without `-y`, so the build depends on answering a prompt that a non-interactive build cannot answer.',
  references: {
    cwe: ['CWE-710'],
    hadolint: ['DL3014'],
    trivy: ['AVD-DS-0021'],
    kics: ['77783205-c4ca-4f80-bb80-c777f267c547'],
  },
  messages: {
    missingYes: '`{{tool}} install` without `-y`: when apt needs confirmation the build aborts instead of installing. Add `-y` (or `--no-install-recommends -y`).',
    missingYesTested: '`{{tool}} install` without `-y` in a condition: when apt needs confirmation the install fails and the script quietly takes the other path, so the image may lack the packages. Add `-y`.',
  },
  fixable: true,
  visits: ['RUN', 'ONBUILD'],
  check(ctx) {
    const assumeYes = ctx.index(ASSUME_YES);
    for (const step of ctx.index(RUN_STEPS)) {
      const cmds = step.commands;
      cmds.forEach((cmd, i) => {
        const pc = cmd.install;
        if (pc?.manager !== 'apt' || !pc.sub || assumesYes(pc.args)) return;
        if (pipedFrom(cmds, i)?.name === 'yes') return;
        if (settingApplies(assumeYes, step.stageIndex, step.outer.span.start)) return;
        const sub = pc.sub;
        ctx.report({
          // A simulated install (`-s`) asks nothing and is no install: it never gets here.
          messageId: cmd.condition || cmd.negated ? 'missingYesTested' : 'missingYes',
          data: { tool: cmd.name },
          span: sub.span,
          fix: cmd.nested ? undefined : () => ({ title: 'Add -y', edits: [insertAfter(sub, '-y', cmd.exec)] }),
        });
      });
    }
  },
};

export default rule;
