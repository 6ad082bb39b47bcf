import type { Rule } from '../../_api';
import { finalImage, startArgv, type FinalImage } from '../../_helpers/docker-base';
import { IMAGES } from '../../_helpers/docker-image-facts';
import { baseData, baseHealthcheck, COMPOSE_BUILDS, DOCKERFILE_SUMMARY } from '../../_helpers/docker-workspace';

/** Interactive programs that images start when they have nothing to serve: a REPL or a shell. */
const REPLS = new Set(['node', 'nodejs', 'bun', 'deno', 'python', 'python2', 'python3', 'pypy', 'pypy3', 'irb', 'pry', 'jshell', 'ghci', 'iex', 'erl', 'R', 'julia', 'lua', 'scala', 'bash', 'sh', 'ash', 'dash', 'zsh', 'fish', 'powershell', 'pwsh', 'cmd']);

/** Programs run once to build, test or deploy something: an image whose command is one is a tool, not a service. */
const TOOLS = new Set(['stress', 'stress-ng', 'ab', 'k6', 'wrk', 'hey', 'vegeta', 'jmeter', 'newman', 'make', 'cmake', 'mvn', 'gradle', 'gradlew', 'msbuild', 'nuget', 'ant', 'sbt', 'terraform', 'tofu', 'kubectl', 'helm', 'ansible', 'ansible-playbook', 'packer', 'git', 'aws', 'az', 'gcloud', 'pytest', 'tox', 'nox']);
/** Subcommands that build or test rather than serve, for programs that do both. */
const TOOL_SUBCOMMANDS: Record<string, RegExp> = {
  go: /^(?:build|test|vet|generate|install|mod|get)$/,
  cargo: /^(?:build|test|check|clippy|install)$/,
  dotnet: /^(?:build|test|publish|restore|pack|tool)$/,
  npm: /^(?:ci|install|test|pack|publish)$/,
  yarn: /^(?:install|test|build)$/,
  pnpm: /^(?:install|test|build)$/,
};

/** Inits that start the command after them (`/init` is s6-overlay's), and `exec`. */
const INITS = /^(?:tini|dumb-init|catatonit|exec)$/;

const base = (word: string) => word.replace(/^.*[\\/]/, '').replace(/\.exe$/i, '');
const isInit = (word: string) => INITS.test(base(word)) || word === '/init';

/** Wrappers that hand over to the command after them: inits, and an inherited `docker-entrypoint.sh` that ends in `exec "$@"`. */
function program(argv: readonly string[], skip: number): { name: string; args: readonly string[] } | undefined {
  let i = skip;
  while (i < argv.length && (isInit(argv[i]) || argv[i] === '--')) i++;
  const word = argv[i];
  return word === undefined ? undefined : { name: base(word), args: argv.slice(i + 1) };
}

/** A REPL or a shell with nothing to run (`node`, `python3`, `php -a`, `bash`), a build tool, or a Windows builder. */
function runsNoService(program: string, args: readonly string[]): boolean {
  // `php84`, `python3.13`: the program without its version.
  const name = REPLS.has(program) ? program : program.replace(/(?<![\d.])[\d.]+$/, '');
  // Windows shells take `/S`-style options; elsewhere `/app/server.js` is an operand.
  const windowsShell = name === 'cmd' || name === 'powershell' || name === 'pwsh';
  const operands = args.filter((a) => !a.startsWith('-') && !(windowsShell && a.startsWith('/')));
  if (name === 'php') return args.length === 1 && args[0] === '-a';
  if (REPLS.has(name)) return operands.length === 0 && !args.some((a) => /^-(?:c|m|e|Command|File|f)$/i.test(a));
  if (TOOLS.has(name) || TEST_SCRIPT.test(program)) return true;
  // A load generator without its web UI is a client, not a service.
  if (name === 'locust') return args.includes('--headless');
  const sub = TOOL_SUBCOMMANDS[name];
  return Boolean(sub && operands[0] !== undefined && sub.test(operands[0]));
}

/** `Dockerfile.builder`, `Dockerfile.build`, `builder.Dockerfile`: images that build something and exit. */
const BUILDER_FILE = /(?:^|[./_-])build(?:er)?(?:[./_-]|$)/i;
/** Folders of images that run once: test suites, seed data, load generators. */
const ONE_SHOT_FOLDER = /^(?:tests?|e2e|integration[-_]?tests?|seed(?:[-_]?data)?|load[-_]?(?:gen(?:erator)?|tests?))$/i;
/** Scripts named for running tests: `tests.sh`, `run-tests.sh`, `test.sh`. */
const TEST_SCRIPT = /^(?:run[-_]?)?tests?\.(?:sh|bash|py)$/i;

/** Whether the final image has no service to check: no command at all, or one that serves nothing. */
function noService(image: FinalImage, path: string): boolean {
  const parts = path.split('/');
  if (BUILDER_FILE.test(parts[parts.length - 1]) || (parts.length > 1 && ONE_SHOT_FOLDER.test(parts[parts.length - 2]))) return true;
  const { command } = image;
  const argv = startArgv(command);
  if (command.entrypoint !== undefined && command.cmd !== undefined && argv?.length === 0) return true;
  if (!argv?.length) return false;
  // An entrypoint inherited from a registry image (node's docker-entrypoint.sh) passes its CMD on.
  // So does an entrypoint script of the file's own (`ENTRYPOINT ["docker-entrypoint.sh"]` with a CMD).
  const inheritedEntrypoint = !command.entrypointInstruction && command.entrypointOrigin?.kind === 'data';
  const ownScript = command.entrypoint?.length === 1 && !command.shellEntrypoint && /entrypoint|\.sh$/i.test(command.entrypoint[0]) && Boolean(command.cmd?.length);
  const first = program(argv, (inheritedEntrypoint || ownScript) && !command.shellEntrypoint ? (command.entrypoint?.length ?? 0) : 0);
  // Only an init with nothing to run (`ENTRYPOINT ["/init"]` of s6-overlay, `tini --`): a base image.
  if (!first && argv.some(isInit)) return true;
  if (first && runsNoService(first.name, first.args)) return true;
  // A tool image (docker:cli, buildpack-deps) whose command is kept.
  const data = image.chain && baseData(image.chain);
  return Boolean(data?.tool && !command.entrypointInstruction && !command.cmdInstruction);
}

const rule: Rule<'dockerfile'> = {
  id: 'docker/healthcheck-missing',
  title: 'No HEALTHCHECK in the final stage',
  severity: 'low',
  layer: 'container',
  category: 'security',
  model: 'dockerfile',
  description: 'The image the Dockerfile produces declares no HEALTHCHECK, so Docker cannot tell a hung container from a working one.',
  references: {
    cwe: ['CWE-710'],
    cis: ['CIS Docker 4.6'],
    trivy: ['AVD-DS-0026'],
    checkov: ['CKV_DOCKER_2'],
    kics: ['b03a748a-542d-44f4-bb86-9199ab4fd2d5'],
  },
  messages: {
    missing: 'The final stage ({{image}}) has no HEALTHCHECK: a container that hangs or stops serving keeps running and receiving traffic. Add `HEALTHCHECK CMD …`, or `HEALTHCHECK NONE` to say that the orchestrator checks health instead.',
    missingUnknownBase: 'The final stage ({{image}}) declares no HEALTHCHECK, and Fourfold does not know whether its base image declares one. If it does not, a container that hangs keeps running and receiving traffic: add `HEALTHCHECK CMD …`, or `HEALTHCHECK NONE` to say that the orchestrator checks health instead.',
  },
  // The file as a whole: the image its final stage produces, and what its base image declares.
  visits: ['FROM'],
  scope: 'workspace',
  summaries: [DOCKERFILE_SUMMARY, COMPOSE_BUILDS],
  data: [IMAGES],
  check(ctx) {
    const image = finalImage(ctx);
    if (!image) return;
    const { graph, stage } = image;
    if (stage.image.span.end <= stage.image.span.start) return;
    // A HEALTHCHECK (or HEALTHCHECK NONE) in the stage or a stage it is built FROM is inherited.
    if (graph.inForce(stage, 'HEALTHCHECK')) return;
    // So is one the base image declares, when a workspace Dockerfile or the data says so.
    const inherited = image.root.image.scratch ? { value: 'absent' } : image.chain && baseHealthcheck(image.chain);
    if (inherited && inherited.value !== 'absent') return;
    // An image that runs no service (a base image, a REPL, a build tool) has nothing to check.
    if (noService(image, ctx.path)) return;
    if (!inherited) {
      // Nothing is known of the base image: it may declare a HEALTHCHECK (or run no service).
      ctx.report({ messageId: 'missingUnknownBase', data: { image: stage.image.raw }, span: stage.image.span, severity: 'info' });
      return;
    }
    ctx.report({ messageId: 'missing', data: { image: stage.image.raw }, span: stage.image.span });
  },
};

export default rule;
