import type { Instruction, Rule, Stage, Word } from '../../_api';
import { baseName } from '../../_helpers/docker-shell';
import { STAGES } from '../../_helpers/docker-stage';

/** A development server, told by the words of a command. */
interface DevServer {
  /** How the message names it. */
  name: string;
  /** The word the finding points at. */
  at: Word;
  /** For a Java debugger: the address it listens on, as written (`*:5005`), or `''` when not written. */
  debugger?: string;
}

/** `-agentlib:jdwp=…` or `-Xrunjdwp:…`: the JVM's debugger agent, with its `address=`. */
function jdwpAddress(value: string): string | undefined {
  if (!/(?:^|\s)-(?:agentlib:jdwp[=\s]|agentlib:jdwp$|Xrunjdwp)/.test(value)) return undefined;
  return /\baddress=([^,\s"']+)/.exec(value)?.[1] ?? '';
}

/** Variables the JVM reads by itself (JAVA_TOOL_OPTIONS, JDK_JAVA_OPTIONS) or that start scripts pass to it. */
const JVM_OPTION_VARIABLES = new Set(['JAVA_TOOL_OPTIONS', 'JDK_JAVA_OPTIONS', 'JAVA_OPTS', 'CATALINA_OPTS', 'JPDA_OPTS']);

/** All interfaces: `*:5005`, `0.0.0.0:5005`, `[::]:5005`. (A bare port binds localhost from Java 9 on, every interface before.) */
const EVERY_INTERFACE = /^(?:\*|0\.0\.0\.0|\[?::\]?):\d+$/;

const NPM_DEV_SCRIPTS = new Set(['dev', 'develop', 'serve', 'start:dev', 'dev:server', 'watch']);

/** The words a shell-form or exec-form command runs, after `sh -c` unwrapping. */
function commandWords(instruction: Instruction): Word[] {
  if (instruction.jsonForm) {
    const args = instruction.args;
    const shell = args.length >= 3 && /^(?:\/bin\/)?(?:ba)?sh$/.test(args[0].value) && args[1].value === '-c';
    // `["sh", "-c", "flask run --debug"]`: the script's words, all pointing at the script.
    return shell ? args[2].value.split(/\s+/).filter(Boolean).map((value) => ({ value, span: args[2].span })) : args;
  }
  return instruction.commands.flatMap((c) => c.words);
}

function devServer(words: Word[], jpdaAddress: string | undefined): DevServer | undefined {
  const values = words.map((w) => baseName(w.value));
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const next = values[i + 1];
    const address = jdwpAddress(words[i].value);
    if (address !== undefined) return { name: 'a Java debugger (JDWP)', at: words[i], debugger: address };
    if (v === 'catalina.sh' && next === 'jpda') return { name: "Tomcat's Java debugger (`catalina.sh jpda`)", at: words[i + 1], debugger: jpdaAddress ?? 'localhost:8000' };
    if (v === 'flask' && next === 'run') return { name: values.includes('--debug') ? '`flask run --debug` (the Werkzeug debugger runs any code sent to it)' : '`flask run` (the Werkzeug development server)', at: words[i] };
    if ((v === 'manage.py' || v === 'django-admin') && next === 'runserver') return { name: "Django's `runserver`", at: words[i + 1] };
    if (v === 'nodemon' || v === 'webpack-dev-server' || v === 'ts-node-dev') return { name: `\`${v}\``, at: words[i] };
    if ((v === 'npm' || v === 'yarn' || v === 'pnpm' || v === 'bun') && next !== undefined) {
      const script = next === 'run' ? values[i + 2] : next;
      if (script && NPM_DEV_SCRIPTS.has(script)) return { name: `\`${v} ${next === 'run' ? 'run ' : ''}${script}\``, at: words[i] };
    }
    if ((v === 'next' || v === 'nuxt' || v === 'vite' || v === 'astro') && next === 'dev') return { name: `\`${v} dev\``, at: words[i] };
    if (v === 'ng' && next === 'serve') return { name: '`ng serve`', at: words[i] };
    if (v === 'dotnet' && (next === 'run' || next === 'watch')) return { name: `\`dotnet ${next}\` (it builds from source at start-up, with the SDK in the image)`, at: words[i + 1] };
    if (v === 'artisan' && next === 'serve') return { name: '`php artisan serve`', at: words[i] };
    if ((v === 'uvicorn' || v === 'gunicorn' || v === 'hypercorn') && values.includes('--reload')) return { name: `\`${v} --reload\``, at: words[i] };
  }
  return undefined;
}

/** A Dockerfile or stage meant for development: its name says so, and so it is not the shipped image. */
function forDevelopment(path: string, stage: Stage): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  return /(?:^|[.\-_])(?:dev|develop|development|local|debug)(?:[.\-_]|$)/.test(name) || /^(?:dev|develop|development|local|debug)$/.test(stage.name ?? '');
}

const rule: Rule<'dockerfile'> = {
  id: 'docker/dev-server-command',
  title: 'Development server as the container command',
  severity: 'medium',
  layer: 'container',
  category: 'security',
  model: 'dockerfile',
  visits: ['CMD', 'ENTRYPOINT', 'ENV'],
  description: 'The final image starts a development server (flask run, manage.py runserver, nodemon, npm run dev, --reload) that is not meant to face real traffic, or a Java remote debugger (JDWP).',
  references: { cwe: ['CWE-489', 'CWE-1188'] },
  messages: {
    devServer: 'The image starts {{server}}: development servers reload code, show debug pages and are not hardened for real traffic. Start a production server (gunicorn, uvicorn without --reload, `node server.js`, a built bundle) in the image you ship.',
    debugger: 'The image starts {{server}} listening on {{address}}: JDWP has no authentication, so anyone who reaches that port can run any code in the JVM. Leave the agent out of the image you ship; attach a debugger to a development build, or pass the option at `docker run` on a trusted host.',
    debuggerEnv: '{{name}} loads a Java debugger (JDWP) listening on {{address}} into the JVMs this image starts: JDWP has no authentication, so anyone who reaches that port can run any code in the JVM. Leave it out of the image you ship; pass it at `docker run` on a trusted host when you need it.',
  },
  check(ctx) {
    const final = ctx.model.stages.at(-1);
    if (!final || forDevelopment(ctx.path, final)) return;
    // ENV in force in the final image, nearest first: the JVM options it sets and Tomcat's JPDA_ADDRESS.
    const graph = ctx.index(STAGES);
    let jpdaAddress: string | undefined;
    const seen = new Set<string>();
    for (const stage of graph.chain(final)) {
      const envs = graph.own(stage, 'ENV');
      for (let i = envs.length - 1; i >= 0; i--) {
        for (const pair of envs[i].pairs) {
          if (seen.has(pair.key)) continue;
          seen.add(pair.key);
          if (pair.key === 'JPDA_ADDRESS') jpdaAddress = pair.value;
          const address = JVM_OPTION_VARIABLES.has(pair.key) && pair.value !== undefined ? jdwpAddress(pair.value) : undefined;
          if (address === undefined) continue;
          ctx.report({ messageId: 'debuggerEnv', data: { name: `ENV ${pair.key}`, address: addressText(address) }, span: pair.valueSpan ?? pair.keySpan, severity: EVERY_INTERFACE.test(address) ? 'high' : undefined });
        }
      }
    }
    // The command that runs: the last CMD and ENTRYPOINT of the final stage.
    for (const keyword of ['ENTRYPOINT', 'CMD']) {
      const last = final.instructions.filter((i) => i.keyword === keyword).at(-1);
      const server = last && devServer(commandWords(last), jpdaAddress);
      if (!server) continue;
      if (server.debugger === undefined) ctx.report({ messageId: 'devServer', data: { server: server.name }, span: server.at.span });
      else ctx.report({ messageId: 'debugger', data: { server: server.name, address: addressText(server.debugger) }, span: server.at.span, severity: EVERY_INTERFACE.test(server.debugger) ? 'high' : undefined });
    }
  },
};

/** The address for the message: every interface, or what is written. */
function addressText(address: string): string {
  if (address === '') return 'its default address';
  return EVERY_INTERFACE.test(address) ? `every interface (${address})` : address;
}

export default rule;
