import type { Instruction, Rule } from '../../_api';
import { finalImage } from '../../_helpers/docker-base';
import { IMAGES } from '../../_helpers/docker-image-facts';
import { almostJsonArray, execForm, plainArgv } from '../../_helpers/docker-instruction';
import { STAGES, type StageGraph } from '../../_helpers/docker-stage';
import { baseData, COMPOSE_BUILDS, DOCKERFILE_SUMMARY } from '../../_helpers/docker-workspace';

/** Distributions whose /bin/sh is BusyBox ash, which replaces itself with the last simple command of `sh -c`. */
const BUSYBOX_SH = new Set(['alpine', 'busybox']);

/**
 * The elements of an array meant as exec form whose only fault is a single backslash in a Windows
 * path (`["C:\ServiceMonitor.exe", "w3svc"]`): JSON needs it doubled.
 */
function windowsPathArray(raw: string): string[] | undefined {
  const match = /^\[(.*)\]$/s.exec(raw.trim());
  if (!match) return undefined;
  const out: string[] = [];
  for (const element of match[1].split(',').map((e) => e.trim())) {
    const value = /^"([^"]*)"$/.exec(element)?.[1];
    if (value === undefined || value === '') return undefined;
    out.push(value);
  }
  return out.some((v) => v.includes('\\')) ? out : undefined;
}

/**
 * The CMD and ENTRYPOINT the image runs: the last of each in the final stage, or inherited from the
 * stage it is built FROM. An ENTRYPOINT set closer to the final stage resets an inherited CMD.
 */
function effective(graph: StageGraph): Instruction[] {
  const stage = graph.final;
  if (!stage) return [];
  const entrypoint = graph.inForce(stage, 'ENTRYPOINT');
  const cmd = graph.inForce(stage, 'CMD');
  const out: Instruction[] = [];
  if (entrypoint) out.push(entrypoint.instruction);
  // A stage built on another comes after it: the higher index is the one closer to the final stage.
  if (cmd && !(entrypoint && entrypoint.stage.index > cmd.stage.index)) out.push(cmd.instruction);
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
    invalidJsonWindows: '{{keyword}} {{raw}} is not valid JSON (a backslash inside a JSON string must be doubled), so Docker runs the whole text, brackets included, through the image\'s shell, which fails. Write {{suggestion}}.',
    invalidJsonEntrypoint: '{{keyword}} {{raw}} is not valid JSON ({{why}}), so the ENTRYPOINT `{{entrypoint}}` receives the whole text, brackets included, as a shell command line instead of the arguments written here. Write {{suggestion}}.',
  },
  fixable: true,
  visits: ['CMD', 'ENTRYPOINT'],
  // Windows images (known from the file, a workspace base image or the data) have no /bin/sh.
  scope: 'workspace',
  summaries: [DOCKERFILE_SUMMARY, COMPOSE_BUILDS],
  data: [IMAGES],
  // The parser reports an invalid JSON array too; this finding says what Docker does with it and how to fix it.
  supersedes: ['fourfold/parse-error'],
  check(ctx) {
    const image = finalImage(ctx);
    const windows = image?.windows ?? false;
    // An exec-form ENTRYPOINT (the file's own or the base image's) gets a shell-form CMD as arguments.
    const entrypoint = image && !image.command.shellEntrypoint && image.command.entrypoint?.length ? image.command.entrypoint.join(' ') : undefined;
    const distribution = image?.chain && baseData(image.chain)?.distribution;
    // BusyBox's sh runs a lone command in place of itself (checked: `sh -c 'sleep 3 2>&1'` leaves
    // sleep at the shell's PID), so the program is PID 1 and gets the signals; dash keeps the shell.
    const execsLoneCommand = Boolean(distribution && BUSYBOX_SH.has(distribution)) && !(image && image.graph.inForce(image.stage, 'SHELL'));
    for (const instruction of effective(ctx.index(STAGES))) {
      if (instruction.jsonForm || instruction.args.length === 0) continue;
      const keyword = instruction.keyword;
      const raw = ctx.text.slice(instruction.argsSpan.start, instruction.argsSpan.end);
      const span = instruction.args[0].span;
      if (raw.trimStart().startsWith('[')) {
        const argv = almostJsonArray(raw) ?? (windows ? windowsPathArray(raw) : undefined);
        const why = windows ? 'a backslash inside a JSON string must be doubled' : 'each element needs double quotes';
        ctx.report({
          messageId: keyword === 'CMD' && entrypoint ? 'invalidJsonEntrypoint' : windows ? 'invalidJsonWindows' : 'invalidJson',
          data: { keyword, raw: raw.trim(), why, entrypoint: entrypoint ?? '', suggestion: argv ? `${keyword} ${execForm(argv)}` : `${keyword} ["program", "argument"]` },
          span,
          // The author already meant exec form; as written, Docker runs the brackets through a shell and fails.
          fix: argv ? () => ({ title: `Write ${keyword} as a JSON array`, edits: [{ span: instruction.argsSpan, newText: execForm(argv) }] }) : undefined,
        });
        continue;
      }
      // On Windows the shell form runs under the image's SHELL (cmd or PowerShell), and a container
      // is stopped through the host's compute service, not by a SIGTERM for PID 1 to forward.
      if (windows) continue;
      const lone = instruction.commands.length === 1 && !instruction.commands[0].subshell;
      // `CMD exec server …` replaces the shell in every shell: the program is PID 1.
      if (lone && (execsLoneCommand || instruction.commands[0].words[0]?.value === 'exec')) continue;
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
