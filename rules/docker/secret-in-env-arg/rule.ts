import type { Rule } from '../../_api';
import { withOnbuild } from '../../_helpers/docker-instruction';
import { secretWord } from '../../_helpers/secrets';

/** Values that configure something rather than being a secret: flags, nothing, a file path, a URL. */
function notASecret(value: string, word: string): boolean {
  const literal = value.replace(/\$\{\w+\}|\$\w+/g, '').trim();
  if (literal === '') return true; // empty, or only references to other variables
  if (/^(?:true|false|yes|no|on|off|none|null|nil|enabled?|disabled?|required|optional)$/i.test(value)) return true;
  // A path to a mounted secret (`/run/secrets/db_password`) is the right way to do it.
  if (/^(?:\/|\.\.?\/|~\/|[A-Za-z]:\\)\S*$/.test(value)) return true;
  if (/^[a-z][a-z0-9+.-]*:\/\/[^@\s]*$/i.test(value)) return true; // a URL without user:password@
  // `AUTH=basic`, `NGINX_AUTH=ldap`: a mechanism, not a credential.
  if (word === 'auth' && /^[a-z]+$/.test(value)) return true;
  return false;
}

const rule: Rule<'dockerfile'> = {
  id: 'docker/secret-in-env-arg',
  title: 'Secret in ENV or ARG',
  severity: 'high',
  layer: 'container',
  category: 'security',
  model: 'dockerfile',
  description: 'An ENV or ARG whose name says password, secret, token or key is given a literal value in the Dockerfile.',
  references: {
    cwe: ['CWE-798', 'CWE-312'],
    cis: ['CIS Docker 4.10'],
    trivy: ['AVD-DS-0031'],
    links: ['https://docs.docker.com/reference/build-checks/secrets-used-in-arg-or-env/', 'https://docs.docker.com/build/building/secrets/'],
  },
  messages: {
    env: 'ENV {{name}} sets a literal secret: it is stored in the image configuration, shown by `docker inspect` and passed to every container. Use `RUN --mount=type=secret` for build steps and inject it at run time from a secret store.',
    arg: 'ARG {{name}} has a literal secret as its default: build arguments are recorded in the image history (`docker history`). Use `RUN --mount=type=secret` instead.',
  },
  visits: ['ENV', 'ARG', 'ONBUILD'],
  check(ctx) {
    for (const instruction of withOnbuild(ctx.nodes, 'ENV', 'ARG')) {
      for (const pair of instruction.pairs) {
        const word = secretWord(pair.key);
        if (!word || pair.value === undefined || notASecret(pair.value, word)) continue;
        ctx.report({
          messageId: instruction.keyword === 'ENV' ? 'env' : 'arg',
          data: { name: pair.key },
          span: pair.valueSpan ?? pair.keySpan,
        });
      }
    }
  },
};

export default rule;
