import type { Report, Rule, Word } from '../../_api';
import { clusterHas, downloadConsumers, downloadOf, RUN_STEPS, verifiesDownloads, type Command, type RunStep } from '../../_helpers/docker-shell';

const CURL_VALUE_LETTERS = 'dHuXAeErTwxyzbcCKmQUYFo';
const FALSE = /^(false|0|no|off)$/i;
const GIT_REMOTE_SUBCOMMANDS = new Set(['clone', 'fetch', 'pull', 'ls-remote', 'remote', 'submodule']);

type Finding = Pick<Report, 'messageId' | 'span' | 'fix'> & { data?: Record<string, string> };

/** Flags whose only job is to switch a check off: removing them is the fix. */
const DROPPABLE = new Set([
  '--insecure',
  '-k',
  '--no-check-certificate',
  '--allow-unauthenticated',
  '--force-yes',
  '--allow-insecure-repositories',
  '--allow-untrusted',
  '--nogpgcheck',
  '--no-gpg-checks',
  '--nosignature',
  '--nodigest',
]);

/**
 * Removes a check-disabling flag: the whole word with one space beside it, or just the `k` of a curl
 * option cluster (`-fsSLk` -> `-fsSL`). No fix in exec form or inside `sh -c` strings, where quoting
 * and commas would need more than a minimal edit.
 */
function dropFlag(cmd: Command, word: Word, text: string): Report['fix'] {
  if (cmd.exec || cmd.nested || text.slice(word.span.start, word.span.end) !== word.value) return undefined;
  const title = `Remove ${word.value}`;
  if (!DROPPABLE.has(word.value)) {
    const k = word.value.indexOf('k');
    if (cmd.name !== 'curl' || !/^-[A-Za-z]+$/.test(word.value) || k < 1) return undefined;
    const at = word.span.start + k;
    return () => ({ title: `Remove k from ${word.value}`, edits: [{ span: { start: at, end: at + 1 }, newText: '' }] });
  }
  const { start, end } = word.span;
  if (text[start - 1] === ' ' || text[start - 1] === '\t') return () => ({ title, edits: [{ span: { start: start - 1, end }, newText: '' }] });
  if (text[end] === ' ' || text[end] === '\t') return () => ({ title, edits: [{ span: { start, end: end + 1 }, newText: '' }] });
  return undefined;
}

/** Settings written as `key value` or `key=value` among the words, e.g. `strict-ssl false`. */
function settingOff(args: Word[], key: RegExp): Word | undefined {
  for (let i = 0; i < args.length; i++) {
    const v = args[i].value.replace(/^--/, '');
    const eq = v.indexOf('=');
    if (eq > 0 && key.test(v.slice(0, eq)) && FALSE.test(v.slice(eq + 1))) return args[i];
    if (key.test(v) && FALSE.test(args[i + 1]?.value ?? '')) return args[i];
  }
  return undefined;
}

function findingsFor(cmd: Command, text: string): Finding[] {
  const out: Finding[] = [];
  for (const a of cmd.assignments) {
    if (/^GIT_SSL_NO_VERIFY=(1|true|yes)$/i.test(a.value)) out.push({ messageId: 'gitSslVerifyOff', span: a.span });
    if (/^NODE_TLS_REJECT_UNAUTHORIZED=0$/.test(a.value)) out.push({ messageId: 'nodeTlsOff', span: a.span });
    if (/^PYTHONHTTPSVERIFY=0$/.test(a.value)) out.push({ messageId: 'pythonHttpsVerifyOff', span: a.span });
  }
  const args = cmd.args;
  const flag = (name: string) => args.find((a) => a.value === name);
  switch (cmd.name) {
    case 'curl': {
      const k = args.find((a) => a.value === '--insecure' || a.value === '--proxy-insecure' || clusterHas(a.value, 'k', CURL_VALUE_LETTERS));
      if (k) out.push({ messageId: 'curlInsecure', span: k.span, fix: dropFlag(cmd, k, text) });
      break;
    }
    case 'wget': {
      const w = flag('--no-check-certificate');
      if (w) out.push({ messageId: 'wgetNoCheck', span: w.span, fix: dropFlag(cmd, w, text) });
      break;
    }
    case 'git': {
      const off = settingOff(args, /^http\.sslverify$/i);
      if (off) out.push({ messageId: 'gitSslVerifyOff', span: off.span });
      const sub = args.find((a) => !a.value.startsWith('-') && !/=/.test(a.value));
      if (sub && GIT_REMOTE_SUBCOMMANDS.has(sub.value)) {
        const url = args.find((a) => /^(http|git):\/\//i.test(a.value) && !/^http:\/\/(localhost|127\.0\.0\.1)([:/]|$)/i.test(a.value));
        if (url) out.push({ messageId: 'gitPlainTransport', data: { url: url.value }, span: url.span });
      }
      break;
    }
    case 'npm':
    case 'yarn':
    case 'pnpm': {
      const off = settingOff(args, /^strict-ssl$/);
      if (off) out.push({ messageId: 'npmStrictSslOff', data: { tool: cmd.name }, span: off.span });
      break;
    }
  }
  const pc = cmd.package;
  if (pc?.manager === 'pip') {
    const host = pc.args.find((a) => a.value === '--trusted-host' || a.value.startsWith('--trusted-host='))
      ?? (pc.sub?.value === 'config' ? pc.args.find((a) => /(^|\.)trusted-host$/.test(a.value)) : undefined);
    if (host) out.push({ messageId: 'pipTrustedHost', span: host.span });
  }
  if (pc?.manager === 'apt') {
    const bad = pc.args.find((a) => ['--allow-unauthenticated', '--force-yes', '--allow-insecure-repositories'].includes(a.value))
      ?? pc.args.find((a) => /^APT::Get::AllowUnauthenticated=(true|1|yes)$/i.test(a.value));
    if (bad) out.push({ messageId: 'aptUnauthenticated', data: { option: bad.value }, span: bad.span, fix: dropFlag(cmd, bad, text) });
  }
  if (pc?.manager === 'apk') {
    const bad = flag('--allow-untrusted');
    if (bad) out.push({ messageId: 'apkUntrusted', span: bad.span, fix: dropFlag(cmd, bad, text) });
  }
  if (pc && ['yum', 'dnf', 'microdnf', 'zypper'].includes(pc.manager) || cmd.name === 'rpm') {
    const bad = args.find((a) => ['--nogpgcheck', '--no-gpg-checks', '--nosignature', '--nodigest'].includes(a.value));
    if (bad) out.push({ messageId: 'packageSignatureOff', data: { option: bad.value, tool: cmd.name }, span: bad.span, fix: dropFlag(cmd, bad, text) });
  }
  return out;
}

/** A plain-HTTP URL to another machine (not `localhost`). */
const PLAIN_HTTP = /^(?:http|ftp):\/\/(?!(?:localhost|127\.0\.0\.1|\[::1\])(?:[:/]|$))/i;

/**
 * Files fetched over plain HTTP (or FTP) that the same RUN installs, unpacks or runs with nothing
 * checking them: a local `.deb` given to dpkg or apt is installed without any signature check.
 * The finding is on the downloader, where download-without-verification would put its own.
 */
function plainHttpDownloads(source: Parameters<typeof downloadOf>[0], step: RunStep): Finding[] {
  const cmds = step.commands;
  if (!cmds.some((cmd) => cmd.name === 'curl' || cmd.name === 'wget') || cmds.some(verifiesDownloads)) return [];
  const out: Finding[] = [];
  const position = new Map<Command, number>();
  cmds.forEach((cmd, i) => position.set(cmd, i));
  const consumerOf = downloadConsumers(cmds);
  const pipedInto = new Map<Command, Command>();
  for (const cmd of cmds) if (cmd.pipedFrom) pipedInto.set(cmd.pipedFrom, cmd);
  for (const cmd of cmds) {
    const download = downloadOf(source, cmd);
    if (!download || !PLAIN_HTTP.test(download.url)) continue;
    // `curl http://… | tar x`: the stream is unpacked (or run) as it arrives.
    const piped = pipedInto.get(cmd);
    const streamed = piped && ['tar', 'bsdtar', 'sh', 'bash'].includes(piped.name) ? { command: piped, action: piped.name.endsWith('tar') ? 'unpacks' : 'runs' } : undefined;
    const use = streamed ?? consumerOf(download.file, position.get(cmd)!);
    if (!use) continue;
    // Name the server, not the whole URL: other parts may come from defaults that differ on this path.
    const origin = /^[a-z]+:\/\/[^/]*/i.exec(download.url)![0];
    out.push({ messageId: 'plainHttpDownload', data: { downloader: cmd.name, origin, file: download.file, action: use.action, tool: use.command.name }, span: cmd.program!.span });
  }
  return out;
}

const rule: Rule<'dockerfile'> = {
  id: 'docker/insecure-download',
  title: 'Download or package install without TLS or signature checks',
  severity: 'high',
  layer: 'container',
  category: 'security',
  model: 'dockerfile',
  description: 'A RUN command turns off certificate or signature verification (`curl -k`, `wget --no-check-certificate`, `git clone http://…`, `--trusted-host`, `--allow-unauthenticated`…), or installs a file it fetched over plain HTTP without checking it, so a network attacker can change what gets installed.',
  references: {
    cwe: ['CWE-295', 'CWE-319', 'CWE-347'],
    checkov: ['CKV2_DOCKER_2', 'CKV2_DOCKER_3', 'CKV2_DOCKER_4', 'CKV2_DOCKER_7', 'CKV2_DOCKER_8', 'CKV2_DOCKER_9', 'CKV2_DOCKER_11', 'CKV2_DOCKER_13'],
  },
  fixable: true,
  messages: {
    curlInsecure: '`curl` with certificate checks turned off: anyone on the network path can serve a different file. Drop `-k`/`--insecure` and trust the right CA (`--cacert`) instead.',
    wgetNoCheck: '`wget --no-check-certificate` accepts any certificate: anyone on the network path can serve a different file. Drop it and trust the right CA (`--ca-certificate`) instead.',
    gitPlainTransport: '`{{url}}` is fetched without TLS: the repository content can be altered in transit. Use an https:// (or ssh) URL and pin a commit.',
    gitSslVerifyOff: 'Git certificate verification is turned off: the repository content can be altered in transit. Keep `http.sslVerify` on and add the CA you need.',
    pipTrustedHost: '`--trusted-host` lets pip accept plain HTTP or an invalid certificate for that host: packages can be swapped in transit. Fix the index URL or certificate instead.',
    npmStrictSslOff: '`strict-ssl` false makes {{tool}} accept any registry certificate: packages can be swapped in transit. Configure `cafile` for your registry instead.',
    nodeTlsOff: '`NODE_TLS_REJECT_UNAUTHORIZED=0` turns off certificate checks for every Node.js request in this command. Trust the right CA with `NODE_EXTRA_CA_CERTS` instead.',
    pythonHttpsVerifyOff: '`PYTHONHTTPSVERIFY=0` turns off certificate checks for Python HTTPS requests in this command. Trust the right CA instead.',
    aptUnauthenticated: '`{{option}}` lets apt install packages whose signatures do not verify: a tampered package or mirror goes unnoticed. Import the repository key instead.',
    apkUntrusted: '`apk add --allow-untrusted` installs packages without a trusted signature. Add the signing key to /etc/apk/keys instead.',
    packageSignatureOff: '`{{option}}` makes {{tool}} skip package signature checks: a tampered package or mirror goes unnoticed. Import the repository GPG key instead.',
    plainHttpDownload: '`{{downloader}}` fetches {{file}} over plain HTTP from {{origin}} and this RUN {{action}} it with `{{tool}}`, with no checksum or signature check: anyone on the network path can swap it (dpkg and apt check no signature on a local .deb). Fetch it over https and verify its SHA-256 or signature before using it.',
  },
  visits: ['RUN', 'ONBUILD'],
  // One download, one finding: fetched over plain HTTP and used unverified is the graver form of the same problem.
  supersedes: ['docker/download-without-verification'],
  check(ctx) {
    for (const step of ctx.index(RUN_STEPS)) {
      for (const cmd of step.commands) {
        for (const f of findingsFor(cmd, ctx.text)) ctx.report(f);
      }
      for (const f of plainHttpDownloads(ctx, step)) ctx.report(f);
    }
  },
};

export default rule;
