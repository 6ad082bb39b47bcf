import type { Rule } from '../../../server/src/engine/api';
import type { DockerfileModel } from '../../../server/src/parsers/dockerfile/model';
import { allInstructions, expandedWord } from '../../_helpers/docker-image';

const MAX_PORT = 65535;

const rule: Rule<DockerfileModel> = {
  id: 'docker/expose-port-out-of-range',
  title: 'EXPOSE with an invalid port',
  severity: 'low',
  layer: 'container',
  model: 'dockerfile',
  description: 'EXPOSE names a port outside 0-65535 or a value that is not a port, range or protocol Docker accepts.',
  references: {
    hadolint: ['DL3011'],
    trivy: ['AVD-DS-0008'],
    kics: ['71bf8cf8-f0a1-42fa-b9d2-d10525e0a38e'],
  },
  messages: {
    outOfRange: 'EXPOSE {{port}}: ports run from 0 to 65535, so this declares nothing a client can reach.',
    malformed: 'EXPOSE {{port}} is not a port: write <port>[/tcp|udp|sctp] or <from>-<to>[/protocol]; host addresses and mappings belong to `docker run -p`.',
  },
  check(ctx) {
    const { model } = ctx;
    for (const instruction of allInstructions(model)) {
      if (instruction.keyword !== 'EXPOSE') continue;
      for (const word of instruction.args) {
        const { value, known } = expandedWord(model, instruction, word.value);
        if (!known) continue;
        for (const port of value.split(/\s+/).filter(Boolean)) {
          const match = /^(\d+)(?:-(\d+))?(?:\/([a-z]+))?$/i.exec(port);
          if (!match || (match[3] && !/^(?:tcp|udp|sctp)$/i.test(match[3]))) {
            ctx.report({ messageId: 'malformed', data: { port }, span: word.span });
            break;
          }
          const low = Number(match[1]);
          const high = match[2] === undefined ? low : Number(match[2]);
          if (low > MAX_PORT || high > MAX_PORT || high < low) {
            ctx.report({ messageId: high < low ? 'malformed' : 'outOfRange', data: { port }, span: word.span });
            break;
          }
        }
      }
    }
  },
};

export default rule;
