import type { Rule, Span } from '../../_api';
import { withOnbuild } from '../../_helpers/docker-instruction';
import { RUN_STEPS } from '../../_helpers/docker-shell';

/** Flags of container tools that skip signature or TLS checks of images and registries. */
const TRUST_FLAGS: [RegExp, string][] = [
  [/^--disable-content-trust(?:=true)?$/, 'turns Docker Content Trust off for this command'],
  [/^--insecure-registry(?:=|$)/, 'lets the daemon pull from a registry over plain HTTP or with an unchecked certificate'],
  [/^--(?:src-|dest-)?tls-verify=false$/, 'pulls or pushes without checking the registry certificate'],
  [/^--insecure-policy$/, 'ignores the image signature policy'],
];
const TOOLS = new Set(['docker', 'dockerd', 'podman', 'buildah', 'skopeo', 'crane', 'nerdctl']);

const rule: Rule<'dockerfile'> = {
  id: 'docker/image-trust-disabled',
  title: 'Image signature or registry TLS checks turned off',
  severity: 'medium',
  layer: 'container',
  category: 'security',
  model: 'dockerfile',
  visits: ['ENV', 'ARG', 'RUN', 'ONBUILD'],
  description: 'The Dockerfile sets DOCKER_CONTENT_TRUST=0 or runs docker, podman, skopeo or buildah with --disable-content-trust, --insecure-registry or --tls-verify=false.',
  references: { cwe: ['CWE-295', 'CWE-345'], cis: ['CIS Docker 4.5'] },
  messages: {
    variable: 'DOCKER_CONTENT_TRUST={{value}} turns image signature checks off for every docker command that runs with it. Remove it (or set 1) and sign the images you pull.',
    flag: '`{{tool}} {{flag}}` {{effect}}: an attacker between the build and the registry can substitute the image. Remove the flag and use a registry with a valid certificate and signed images.',
  },
  check(ctx) {
    const reportVariable = (value: string, span: Span) => {
      if (/^(?:0|false|no|off)$/i.test(value.trim())) ctx.report({ messageId: 'variable', data: { value }, span });
    };
    for (const instruction of withOnbuild(ctx.nodes, 'ENV', 'ARG')) {
      for (const pair of instruction.pairs) {
        if (pair.key === 'DOCKER_CONTENT_TRUST' && pair.value !== undefined) reportVariable(pair.value, pair.valueSpan ?? pair.keySpan);
      }
    }
    for (const step of ctx.index(RUN_STEPS)) {
      for (const cmd of step.commands) {
        for (const word of cmd.assignments) {
          const eq = word.value.indexOf('=');
          if (word.value.slice(0, eq) === 'DOCKER_CONTENT_TRUST') reportVariable(word.value.slice(eq + 1), word.span);
        }
        if (cmd.name === 'export') {
          for (const arg of cmd.args) if (arg.value.startsWith('DOCKER_CONTENT_TRUST=')) reportVariable(arg.value.slice(21), arg.span);
        }
        if (!TOOLS.has(cmd.name)) continue;
        for (const arg of cmd.args) {
          const match = TRUST_FLAGS.find(([pattern]) => pattern.test(arg.value));
          if (match) ctx.report({ messageId: 'flag', data: { tool: cmd.name, flag: arg.value, effect: match[1] }, span: arg.span });
        }
      }
    }
  },
};

export default rule;
