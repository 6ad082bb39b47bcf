import type { Rule } from '../../../server/src/engine/api';
import type { DockerfileModel } from '../../../server/src/parsers/dockerfile/model';
import { commandsOf, runSteps } from '../../_helpers/docker-shell';

const rule: Rule<DockerfileModel> = {
  id: 'docker/sudo',
  title: 'sudo used in RUN',
  severity: 'medium',
  layer: 'container',
  model: 'dockerfile',
  description: 'A RUN command uses sudo, which leaves a privilege-escalation tool in the image and hides which user a step needs.',
  references: {
    cwe: ['CWE-250'],
    hadolint: ['DL3004'],
    trivy: ['AVD-DS-0010'],
    checkov: ['CKV2_DOCKER_1'],
    kics: ['8ada6e80-0ade-439e-b176-0b28f6bce35a'],
  },
  messages: {
    sudo: 'RUN uses `sudo`: switch to `USER root` for the steps that need it and back to an unprivileged USER afterwards, instead of relying on sudo inside the image.',
  },
  check(ctx) {
    for (const step of runSteps(ctx.model)) {
      for (const cmd of commandsOf(step.run, ctx.text)) {
        if (cmd.sudo) ctx.report({ messageId: 'sudo', span: cmd.sudo.span });
      }
    }
  },
};

export default rule;
