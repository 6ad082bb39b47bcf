import type { DockerfileModel, Instruction, Rule } from '../../_api';
import { finalStage, stageChain } from '../../_helpers/docker-image';
import { almostJsonArray, execForm, instructionsOf, plainArgv } from '../../_helpers/docker-stage';

/**
 * The CMD and ENTRYPOINT the image runs: the last of each in the final stage, or inherited from the
 * stage it is built FROM. An ENTRYPOINT set closer to the final stage resets an inherited CMD.
 */
function effective(model: DockerfileModel): Instruction[] {
  const stage = finalStage(model);
  if (!stage) return [];
  const chain = stageChain(model, stage);
  const find = (keyword: string) => {
    for (let depth = 0; depth < chain.length; depth++) {
      const found = instructionsOf(chain[depth], keyword).at(-1);
      if (found) return { instruction: found, depth };
    }
    return undefined;
  };
  const entrypoint = find('ENTRYPOINT');
  const cmd = find('CMD');
  const out: Instruction[] = [];
  if (entrypoint) out.push(entrypoint.instruction);
  if (cmd && !(entrypoint && entrypoint.depth < cmd.depth)) out.push(cmd.instruction);
  return out;
}

const rule: Rule<'dockerfile'> = {
  id: 'docker/cmd-shell-form',
  title: 'CMD or ENTRYPOINT in shell form',
  severity: 'low',
  layer: 'container',
  category: 'hygiene',
  model: 'dockerfile',
  description: 'The image starts its process through `/bin/sh -c`, so the shell is PID 1 and stop signals never reach the application.',
  references: {
    cwe: ['CWE-573'],
    hadolint: ['DL3025'],
    kics: ['b86987e1-6397-4619-81d5-8807f2387c79'],
    links: ['https://docs.docker.com/reference/build-checks/json-args-recommended/'],
  },
  messages: {
    shellForm: '{{keyword}} in shell form runs under `/bin/sh -c`: the shell becomes PID 1 and does not forward SIGTERM, so `docker stop` and Kubernetes wait out the grace period and then SIGKILL the application mid-request. Use exec form, e.g. {{suggestion}}.',
    invalidJson: '{{keyword}} {{raw}} is not valid JSON (each element needs double quotes), so Docker runs the whole text, brackets included, as a `/bin/sh -c` command. Write {{suggestion}}.',
  },
  fixable: true,
  check(ctx) {
    for (const instruction of effective(ctx.model)) {
      if (instruction.jsonForm || instruction.args.length === 0) continue;
      const keyword = instruction.keyword;
      const raw = ctx.text.slice(instruction.argsSpan.start, instruction.argsSpan.end);
      const span = instruction.args[0].span;
      if (raw.trimStart().startsWith('[')) {
        const argv = almostJsonArray(raw);
        ctx.report({
          messageId: 'invalidJson',
          data: { keyword, raw: raw.trim(), suggestion: argv ? `${keyword} ${execForm(argv)}` : `${keyword} ["program", "argument"]` },
          span,
          // The author already meant exec form; as written, Docker runs the brackets through a shell and fails.
          fix: argv ? () => ({ title: `Write ${keyword} as a JSON array`, edits: [{ span: instruction.argsSpan, newText: execForm(argv) }] }) : undefined,
        });
        continue;
      }
      const argv = plainArgv(raw);
      ctx.report({
        messageId: 'shellForm',
        data: { keyword, suggestion: argv ? `${keyword} ${execForm(argv)}` : `${keyword} ["/bin/sh", "-c", "exec …"] or a small entrypoint script that ends in exec` },
        span,
        // Exec form changes more than signals: the program becomes PID 1 (and must handle SIGTERM),
        // an exec-form ENTRYPOINT starts receiving CMD and `docker run` arguments, and a CMD is passed
        // to the ENTRYPOINT as words rather than as `sh -c` text. The author confirms.
        fix: argv
          ? () => ({ title: `Use exec form: ${keyword} ${execForm(argv)}`, edits: [{ span: instruction.argsSpan, newText: execForm(argv) }], safety: 'suggestion' })
          : undefined,
      });
    }
  },
};

export default rule;
