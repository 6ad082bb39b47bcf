import type { Rule } from '../../_api';
import { copySources, sensitiveSource, withOnbuild } from '../../_helpers/docker-instruction';

const ADVICE = 'anyone who can pull the image can read it, even if a later step deletes it. Mount it only for the step that needs it with `RUN --mount=type=secret` (or `--mount=type=ssh` for SSH keys).';

const rule: Rule<'dockerfile'> = {
  id: 'docker/copy-sensitive-file',
  title: 'Secret file copied into the image',
  severity: 'high',
  layer: 'container',
  category: 'security',
  model: 'dockerfile',
  description: 'COPY or ADD puts a file that holds credentials (SSH or TLS private key, .env, cloud or registry credentials, Terraform state) into an image layer.',
  references: {
    cwe: ['CWE-538', 'CWE-312'],
    cis: ['CIS Docker 4.10'],
    trivy: ['AVD-DS-0031'],
    links: ['https://docs.docker.com/build/building/secrets/'],
  },
  messages: {
    privateKey: `{{keyword}} {{source}} copies {{what}} into a layer: ${ADVICE}`,
    credentials: `{{keyword}} {{source}} copies {{what}} into a layer: ${ADVICE}`,
    envFile: `{{keyword}} {{source}} copies {{what}} (usually passwords and API keys) into a layer: ${ADVICE}`,
    stateFile: `{{keyword}} {{source}} copies {{what}} into a layer: ${ADVICE}`,
  },
  visits: ['COPY', 'ADD', 'ONBUILD'],
  check(ctx) {
    for (const instruction of withOnbuild(ctx.nodes, 'COPY', 'ADD')) {
      for (const source of copySources(instruction)) {
        const found = sensitiveSource(source.value);
        if (!found) continue;
        ctx.report({
          messageId: found.kind,
          data: { keyword: instruction.keyword, source: source.value, what: found.what },
          span: source.span,
        });
      }
    }
  },
};

export default rule;
