import type { Instruction, Rule, Stage, Word } from '../../_api';
import { baseName } from '../../_helpers/docker-shell';

/** A development server, told by the words of a command. */
interface DevServer {
  /** How the message names it. */
  name: string;
  /** The word the finding points at. */
  at: Word;
}

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

function devServer(words: Word[]): DevServer | undefined {
  const values = words.map((w) => baseName(w.value));
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const next = values[i + 1];
    if (v === 'flask' && next === 'run') return { name: values.includes('--debug') ? '`flask run --debug` (the Werkzeug debugger runs any code sent to it)' : '`flask run` (the Werkzeug development server)', at: words[i] };
    if ((v === 'manage.py' || v === 'django-admin') && next === 'runserver') return { name: "Django's `runserver`", at: words[i + 1] };
    if (v === 'nodemon' || v === 'webpack-dev-server' || v === 'ts-node-dev') return { name: `\`${v}\``, at: words[i] };
    if ((v === 'npm' || v === 'yarn' || v === 'pnpm' || v === 'bun') && next !== undefined) {
      const script = next === 'run' ? values[i + 2] : next;
      if (script && NPM_DEV_SCRIPTS.has(script)) return { name: `\`${v} ${next === 'run' ? 'run ' : ''}${script}\``, at: words[i] };
    }
    if ((v === 'next' || v === 'nuxt' || v === 'vite' || v === 'astro') && next === 'dev') return { name: `\`${v} dev\``, at: words[i] };
    if (v === 'ng' && next === 'serve') return { name: '`ng serve`', at: words[i] };
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
  visits: ['CMD', 'ENTRYPOINT'],
  description: 'The final image starts a development server (flask run, manage.py runserver, nodemon, npm run dev, --reload) that is not meant to face real traffic.',
  references: { cwe: ['CWE-489', 'CWE-1188'] },
  messages: {
    devServer: 'The image starts {{server}}: development servers reload code, show debug pages and are not hardened for real traffic. Start a production server (gunicorn, uvicorn without --reload, `node server.js`, a built bundle) in the image you ship.',
  },
  check(ctx) {
    const final = ctx.model.stages.at(-1);
    if (!final || forDevelopment(ctx.path, final)) return;
    // The command that runs: the last CMD and ENTRYPOINT of the final stage.
    for (const keyword of ['ENTRYPOINT', 'CMD']) {
      const last = final.instructions.filter((i) => i.keyword === keyword).at(-1);
      const server = last && devServer(commandWords(last));
      if (server) ctx.report({ messageId: 'devServer', data: { server: server.name }, span: server.at.span });
    }
  },
};

export default rule;
