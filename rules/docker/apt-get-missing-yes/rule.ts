import type { DockerfileModel, Rule, Word } from '../../_api';
import { clusterHas, commandsOf, insertAfter, installCommand, pipedFrom, runSteps, settingApplies, settingFrom } from '../../_helpers/docker-shell';

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
  },
  fixable: true,
  check(ctx) {
    const assumeYes = settingFrom(ctx.model, ctx.text, /Assume-Yes\s+"?(true|1|yes)/i);
    for (const step of runSteps(ctx.model)) {
      const cmds = commandsOf(step.run, ctx.text);
      for (const cmd of cmds) {
        const pc = installCommand(cmd);
        if (pc?.manager !== 'apt' || !pc.sub || assumesYes(pc.args)) continue;
        if (pipedFrom(cmds, cmd)?.name === 'yes') continue;
        if (settingApplies(assumeYes, step.stageIndex, step.outer.span.start)) continue;
        const sub = pc.sub;
        ctx.report({
          messageId: 'missingYes',
          data: { tool: cmd.name },
          span: sub.span,
          fix: cmd.nested ? undefined : () => ({ title: 'Add -y', edits: [insertAfter(sub, '-y', cmd.exec)] }),
        });
      }
    }
  },
};

export default rule;
