import type { Rule } from '../../../server/src/engine/api';
import type { DockerfileModel } from '../../../server/src/parsers/dockerfile/model';
import { allInstructions, expandedWord } from '../../_helpers/docker-image';

const rule: Rule<DockerfileModel> = {
  id: 'docker/expose-ssh-port',
  title: 'SSH port 22 exposed',
  severity: 'medium',
  layer: 'container',
  model: 'dockerfile',
  description: 'EXPOSE declares port 22, which means an SSH server in the container.',
  references: {
    trivy: ['AVD-DS-0004'],
    checkov: ['CKV_DOCKER_1'],
    kics: ['5907595b-5b6d-4142-b173-dbb0e73fbff8'],
  },
  messages: {
    ssh: 'EXPOSE {{port}} opens the SSH port: an SSH server in a container is one more service with credentials to steal; use `docker exec` / `kubectl exec` instead.',
  },
  check(ctx) {
    const { model } = ctx;
    for (const instruction of allInstructions(model)) {
      if (instruction.keyword !== 'EXPOSE') continue;
      for (const word of instruction.args) {
        const { value, known } = expandedWord(model, instruction, word.value);
        if (!known) continue;
        // A variable may expand to several ports: `EXPOSE $PORTS`.
        for (const port of value.split(/\s+/)) {
          const match = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(port);
          if (!match || (match[3] && match[3].toLowerCase() !== 'tcp')) continue;
          const low = Number(match[1]);
          const high = match[2] === undefined ? low : Number(match[2]);
          if (low <= 22 && 22 <= high) {
            ctx.report({ messageId: 'ssh', data: { port }, span: word.span });
            break;
          }
        }
      }
    }
  },
};

export default rule;
