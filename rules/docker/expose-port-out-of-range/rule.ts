import type { Rule } from '../../_api';
import { EXPOSED_PORTS, type ExposedPort } from '../../_helpers/docker-instruction';

const MAX_PORT = 65535;

const rule: Rule<'dockerfile'> = {
  id: 'docker/expose-port-out-of-range',
  title: 'EXPOSE with an invalid port',
  severity: 'low',
  layer: 'container',
  category: 'hygiene',
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
  visits: ['EXPOSE', 'ONBUILD'],
  check(ctx) {
    for (const { word, ports } of ctx.index(EXPOSED_PORTS)) {
      // One finding per word, for its first bad port.
      for (const port of ports) {
        const problem = problemOf(port);
        if (!problem) continue;
        ctx.report({ messageId: problem, data: { port: port.text }, span: word.span });
        break;
      }
    }
  },
};

function problemOf(port: ExposedPort): 'malformed' | 'outOfRange' | undefined {
  const { low, high, protocol } = port;
  if (low === undefined || high === undefined || high < low || (protocol && !/^(?:tcp|udp|sctp)$/.test(protocol))) return 'malformed';
  return low > MAX_PORT || high > MAX_PORT ? 'outOfRange' : undefined;
}

export default rule;
