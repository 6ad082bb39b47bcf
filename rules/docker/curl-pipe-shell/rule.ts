import type { Rule, Word } from '../../_api';
import { clusterHas, pipelinesOf, RUN_STEPS, SHELLS, type Command } from '../../_helpers/docker-shell';

const INTERPRETERS = /^(python[\d.]*|perl[\d.]*|ruby[\d.]*|node|nodejs|php[\d.]*)$/;
/** Filters a download may pass through on its way to the shell and still be executed. */
const PASS_THROUGH = new Set(['tee', 'cat', 'gunzip', 'zcat', 'xz', 'unxz', 'bunzip2', 'bzcat', 'base64', 'sed', 'tr', 'dos2unix']);
const FETCH_IN_SUBSTITUTION = /(\$\(|`|<\()\s*(curl|wget)\b/;
/** curl short options that take a value (so letters after them are the value). */
const CURL_VALUE_LETTERS = 'dHuXAeErTwxyzbcCKmQUYF';

/** Whether a curl or wget invocation writes the downloaded body to stdout. */
function downloadsToStdout(cmd: Command): boolean {
  const args = cmd.args.map((a) => a.value);
  if (cmd.name === 'curl') {
    for (let i = 0; i < args.length; i++) {
      const v = args[i];
      const toFile = v === '--output' || v === '--remote-name' || v === '--remote-name-all' || v.startsWith('--output=');
      const short = clusterHas(v, 'o', CURL_VALUE_LETTERS) || clusterHas(v, 'O', CURL_VALUE_LETTERS);
      if (toFile || short) {
        const value = v.endsWith('o') || v === '--output' ? args[i + 1] : v.startsWith('--output=') ? v.slice(9) : undefined;
        if (value === '-' || value === '/dev/stdout') continue;
        return false;
      }
    }
    return true;
  }
  if (cmd.name === 'wget') {
    for (let i = 0; i < args.length; i++) {
      const v = args[i];
      if (/^-[a-zA-Z]*O(-|\/dev\/stdout)$/.test(v) || v === '--output-document=-') return true;
      if ((/^-[a-zA-Z]*O$/.test(v) || v === '--output-document') && (args[i + 1] === '-' || args[i + 1] === '/dev/stdout')) return true;
    }
  }
  return false;
}

/** Whether an interpreter reads its program from stdin (`sh`, `bash -s --`, `python -`), not from `-c`/a file. */
function runsStdin(cmd: Command): boolean {
  const isShell = SHELLS.has(cmd.name) && cmd.name !== 'busybox';
  if (!isShell && !INTERPRETERS.test(cmd.name)) return false;
  for (let i = 0; i < cmd.args.length; i++) {
    const v = cmd.args[i].value;
    if (v === '-' || v === '--') return true;
    if (isShell && (v === '-o' || v === '+o')) {
      i++;
      continue;
    }
    if (/^-[a-zA-Z]+$/.test(v)) {
      if (isShell ? v.includes('c') : /[cemr]/.test(v)) return false;
      if (isShell && v.includes('s')) return true;
      continue;
    }
    if (v.startsWith('--')) continue;
    return false; // a script file: the download is its input, not its code
  }
  return true;
}

const rule: Rule<'dockerfile'> = {
  id: 'docker/curl-pipe-shell',
  title: 'Downloaded script piped into a shell',
  severity: 'high',
  layer: 'container',
  category: 'security',
  model: 'dockerfile',
  description: 'A RUN command executes a script straight from the network (`curl … | sh`, `bash <(curl …)`) without checking what was downloaded.',
  references: { cwe: ['CWE-494'] },
  messages: {
    pipe: '`{{downloader}}` output is piped into `{{shell}}`: whatever the server (or anyone in between) returns is executed during the build. Download to a file, verify its checksum or signature, then run it.',
    substitution: '`{{shell}}` runs a script fetched by a command substitution: whatever the server returns is executed during the build. Download to a file, verify its checksum or signature, then run it.',
  },
  visits: ['RUN', 'ONBUILD'],
  check(ctx) {
    for (const step of ctx.index(RUN_STEPS)) {
      const cmds = step.commands;
      for (const pipeline of pipelinesOf(cmds)) {
        pipeline.forEach((cmd, i) => {
          if ((cmd.name !== 'curl' && cmd.name !== 'wget') || !downloadsToStdout(cmd)) return;
          for (let j = i + 1; j < pipeline.length; j++) {
            const later = pipeline[j];
            if (runsStdin(later)) {
              ctx.report({ messageId: 'pipe', data: { downloader: cmd.name, shell: later.name }, span: cmd.program!.span });
              return;
            }
            if (!PASS_THROUGH.has(later.name)) return;
          }
        });
      }
      for (const cmd of cmds) {
        const isRunner = SHELLS.has(cmd.name) || INTERPRETERS.test(cmd.name) || ['eval', 'source', '.'].includes(cmd.name);
        const fetched: Word | undefined = isRunner ? cmd.args.find((a) => FETCH_IN_SUBSTITUTION.test(a.value)) : undefined;
        if (fetched) ctx.report({ messageId: 'substitution', data: { shell: cmd.name }, span: cmd.program!.span });
      }
    }
  },
};

export default rule;
