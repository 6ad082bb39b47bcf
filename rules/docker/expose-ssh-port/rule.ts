import type { Rule } from '../../_api';
import { EXPOSED_PORTS } from '../../_helpers/docker-instruction';

const rule: Rule<'dockerfile'> = {
  id: 'docker/expose-ssh-port',
  title: 'SSH port 22 exposed',
  severity: 'medium',
  layer: 'container',
  category: 'security',
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
  visits: ['EXPOSE', 'ONBUILD'],
  check(ctx) {
    for (const { word, ports } of ctx.index(EXPOSED_PORTS)) {
      const ssh = ports.find((p) => p.low !== undefined && (!p.protocol || p.protocol === 'tcp') && p.low <= 22 && 22 <= p.high!);
      if (ssh) ctx.report({ messageId: 'ssh', data: { port: ssh.text }, span: word.span });
    }
  },
};

export default rule;
