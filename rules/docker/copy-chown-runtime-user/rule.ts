import type { Rule } from '../../_api';
import { isRootUser, userOf } from '../../_helpers/docker-image';
import { flag } from '../../_helpers/docker-instruction';
import { STAGES } from '../../_helpers/docker-stage';

/** Destinations that a service legitimately writes to: data, caches, logs, uploads. */
const WRITABLE_DESTINATION = /^\/(?:tmp|var\/(?:lib|cache|log|tmp|run))(?:\/|$)|(?:^|\/)(?:data|cache|\.cache|logs?|uploads|storage|state|tmp)\/?$/;

const rule: Rule<'dockerfile'> = {
  id: 'docker/copy-chown-runtime-user',
  title: 'Copied files owned by the runtime user',
  severity: 'low',
  layer: 'container',
  category: 'security',
  model: 'dockerfile',
  description: '`COPY --chown`/`ADD --chown` makes the user the container runs as the owner of the copied files, so the application can modify its own code.',
  references: {
    cwe: ['CWE-732', 'CWE-282'],
    kics: ['aa93e17f-b6db-4162-9334-c70334e7ac28'],
  },
  messages: {
    ownedByRuntimeUser: '--chown={{owner}} makes {{user}}, the user the container runs as, the owner of {{destination}}: a compromised process can rewrite its own code or binaries and persist. Leave the files owned by root (readable by everyone) and give {{user}} write access only where it must write.',
  },
  // Without a USER the container runs as root, which docker/user-root reports.
  visits: ['USER'],
  check(ctx) {
    const graph = ctx.index(STAGES);
    const stage = graph.final;
    if (!stage) return;
    const runtime = graph.inForce(stage, 'USER');
    if (!runtime) return;
    const user = userOf(runtime.instruction).split(':')[0];
    if (user === '' || user.includes('$') || isRootUser(user)) return;
    // Files copied in the stages the final one is built FROM are in the image too.
    for (const s of graph.chain(stage)) {
      for (const instruction of s.instructions) {
        if (instruction.keyword !== 'COPY' && instruction.keyword !== 'ADD') continue;
        const chown = flag(instruction, 'chown');
        if (!chown?.value) continue;
        const owner = chown.value.split(':')[0];
        if (owner !== user) continue;
        const destination = instruction.args.at(-1)?.value ?? '';
        if (WRITABLE_DESTINATION.test(destination)) continue;
        ctx.report({ messageId: 'ownedByRuntimeUser', data: { owner: chown.value, user, destination }, span: chown.span });
      }
    }
  },
};

export default rule;
