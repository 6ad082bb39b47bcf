import type { Rule } from '../../_api';
import { SHIPPING } from '../../_helpers/docker-ship';
import { insertAfter, RUN_STEPS, settingApplies, writtenSetting } from '../../_helpers/docker-shell';

const RECOMMENDS_OFF = /Install-Recommends=(false|0|no)/i;
/** Where packages put what they install: a stage that is only copied from ships its packages only if one of these is copied out. */
const PACKAGE_FILES = ['/usr/bin', '/usr/sbin', '/usr/lib', '/usr/libexec', '/usr/share', '/bin', '/sbin', '/lib', '/etc', '/var/lib/dpkg'];
/** A RUN that writes `APT::Install-Recommends "false"` to apt's configuration: later RUNs of its stage install none. */
const RECOMMENDS_OFF_FROM = writtenSetting('apt.installRecommendsOff', /Install-Recommends\s+"?(false|0|no)/i);

const rule: Rule<'dockerfile'> = {
  id: 'docker/apt-get-no-install-recommends',
  title: 'apt-get install without --no-install-recommends',
  severity: 'low',
  layer: 'container',
  category: 'hygiene',
  model: 'dockerfile',
  description: '`apt-get install` also installs every recommended package, adding software (and attack surface) the image never asked for.',
  references: {
    hadolint: ['DL3015'],
    trivy: ['AVD-DS-0029'],
    kics: ['7384dfb2-fcd1-4fbf-91cd-6c44c318c33c'],
  },
  messages: {
    recommends: '`{{tool}} install` without `--no-install-recommends` also installs whatever the packages recommend: more code to patch and more tools for an attacker. Add `--no-install-recommends` and list what you need.',
    recommendsBuildStage: '`{{tool}} install` without `--no-install-recommends` also installs whatever the packages recommend, but {{why}}, so they stay in the builder: they only slow the build down and can change what it produces. Add `--no-install-recommends` and list what the build needs.',
  },
  fixable: true,
  visits: ['RUN', 'ONBUILD'],
  check(ctx) {
    const recommendsOff = ctx.index(RECOMMENDS_OFF_FROM);
    const shipping = ctx.index(SHIPPING);
    for (const step of ctx.index(RUN_STEPS)) {
      let configured: boolean | undefined;
      let ships: boolean | undefined;
      for (const cmd of step.commands) {
        const pc = cmd.install;
        if (pc?.manager !== 'apt' || !pc.sub || cmd.name === 'aptitude') continue;
        if (pc.args.some((a) => a.value === '--no-install-recommends' || RECOMMENDS_OFF.test(a.value))) continue;
        configured ??= settingApplies(recommendsOff, step.stageIndex, step.outer.span.start);
        if (configured) continue;
        const sub = pc.sub;
        ships ??= shipping.stepReaches(step, PACKAGE_FILES);
        ctx.report({
          messageId: ships ? 'recommends' : 'recommendsBuildStage',
          data: { tool: cmd.name, why: ships ? '' : shipping.why(shipping.stage(step.stageIndex)!) },
          severity: ships ? undefined : 'info',
          span: sub.span,
          // Packages that came in only as recommendations (ca-certificates, say) stop being installed,
          // and the image may then fail at run time: the author confirms the list is complete.
          fix: cmd.nested
            ? undefined
            : () => ({ title: 'Add --no-install-recommends', edits: [insertAfter(sub, '--no-install-recommends', cmd.exec)], safety: 'suggestion' }),
        });
      }
    }
  },
};

export default rule;
