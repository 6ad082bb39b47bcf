import type { Instruction, Rule, Word } from '../../_api';
import { copySources, expandedWord, sensitiveSource } from '../../_helpers/docker-instruction';
import { covers, SHIPPING, type Shipping } from '../../_helpers/docker-ship';

const ADVICE = 'anyone who can pull the image can read it, even if a later step deletes it. Mount it only for the step that needs it with `RUN --mount=type=secret` (or `--mount=type=ssh` for SSH keys).';

/** Sources that are directories by name (`.ssh`, `wallet/`): what is copied out of them may be any file inside. */
const DIRECTORY = /(?:^|\/)(?:\.ssh|\.aws|\.gnupg|\.kube|\.docker|wallet)\/?$|\/$/;

/**
 * Whether a copied secret reaches an image: always, unless its stage is only copied from and what
 * is copied out takes neither the file along nor (for a directory) anything inside it. An ONBUILD
 * copy runs in every child image; a destination that is not known counts as shipped.
 */
function ships(shipping: Shipping, instruction: Instruction, source: Word, wrapped: boolean, expand: (word: Word) => string | undefined): boolean {
  const stage = shipping.stage(instruction.stageIndex);
  const dest = instruction.args.at(-1);
  const value = dest && expand(dest);
  if (wrapped || !stage || value === undefined) return true;
  const at = shipping.resolve(stage, instruction.span.start, value);
  if (at === undefined) return true;
  if (DIRECTORY.test(source.value)) return shipping.reaches(stage, at) || shipping.output(stage).copied.some((copied) => covers(at, copied));
  const name = source.value.slice(source.value.lastIndexOf('/') + 1);
  return shipping.reachesAny(stage, value.endsWith('/') ? [`${at}/${name}`] : [at, `${at}/${name}`]);
}

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
    buildStage: '{{keyword}} {{source}} copies {{what}} into a layer, but {{why}}, so it does not reach the image. It still sits in this stage\'s layers and in the build cache (which `--cache-to …,mode=max` exports): mount it for the step that needs it with `RUN --mount=type=secret` (or `--mount=type=ssh` for SSH keys).',
  },
  visits: ['COPY', 'ADD', 'ONBUILD'],
  check(ctx) {
    let shipping: Shipping | undefined;
    const expand = (word: Word) => {
      const expanded = expandedWord(ctx, word);
      return expanded.known ? expanded.value : undefined;
    };
    for (const node of ctx.nodes) {
      for (const [instruction, wrapped] of [[node, false], [node.onbuild, true]] as const) {
        if (!instruction || (instruction.keyword !== 'COPY' && instruction.keyword !== 'ADD')) continue;
        const sources = copySources(instruction);
        // A single file copied to a credential location (`COPY config.json /root/.docker/config.json`) is known by where it goes.
        const dest = instruction.args.at(-1)!;
        const byDest = sources.length === 1 && !/\/$/.test(dest.value) && !/[*?[]|^\.?\/?$/.test(sources[0].value) && !/\/$/.test(sources[0].value) ? sensitiveSource(dest.value) : undefined;
        for (const source of sources) {
          const found = sensitiveSource(source.value) ?? byDest;
          if (!found) continue;
          const data = { keyword: instruction.keyword, source: source.value, what: found.what };
          shipping ??= ctx.index(SHIPPING);
          if (ships(shipping, instruction, source, wrapped, expand)) ctx.report({ messageId: found.kind, data, span: source.span });
          else ctx.report({ messageId: 'buildStage', data: { ...data, why: shipping.why(shipping.stage(instruction.stageIndex)!) }, span: source.span, severity: 'info' });
        }
      }
    }
  },
};

export default rule;
