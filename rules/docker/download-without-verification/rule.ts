import type { Rule } from '../../_api';
import { pipelinesOf, RUN_STEPS, type Command } from '../../_helpers/docker-shell';

/** Files worth verifying: packages, archives and binaries. */
const PACKAGE = /\.(?:tar(?:\.(?:gz|bz2|xz|zst))?|tgz|tbz2?|txz|zip|deb|rpm|apk|whl|jar|war|gem|nupkg|bin|run|appimage|msi|exe|sh)$/i;
/** Commands that install, unpack or run a downloaded file. */
const INSTALLERS = new Set(['tar', 'unzip', 'dpkg', 'rpm', 'gunzip', 'bsdtar', 'install', 'java', 'sh', 'bash', 'python', 'python3', 'pip', 'pip3', 'gem', 'apk', 'yum', 'dnf', 'apt', 'apt-get', 'zypper', 'mv', 'cp', 'chmod']);
/** Commands that check what was downloaded. */
const VERIFIERS = /^(?:sha(?:1|224|256|384|512)sum|shasum|b2sum|md5sum|cksum|gpg2?|gpgv2?|cosign|minisign|signify|slsa-verifier|rpmkeys|openssl|sq|ssh-keygen)$/;

/** The URL argument of a curl/wget command, if it names a package, archive or binary. */
function downloadedFile(cmd: Command): { url: string; file: string } | undefined {
  if (cmd.name !== 'curl' && cmd.name !== 'wget') return undefined;
  const url = cmd.args.find((a) => /^(?:https?|ftp):\/\//i.test(a.value))?.value;
  if (!url) return undefined;
  const path = url.replace(/[?#].*$/, '');
  const name = path.slice(path.lastIndexOf('/') + 1);
  const output = outputName(cmd);
  if (PACKAGE.test(name) || (output !== undefined && PACKAGE.test(output))) return { url, file: output ?? name };
  return undefined;
}

/** The `-o FILE` / `-O FILE` / `--output FILE` / `--output-document=FILE` of a download. */
function outputName(cmd: Command): string | undefined {
  const args = cmd.args.map((a) => a.value);
  for (let i = 0; i < args.length; i++) {
    const v = args[i];
    if (cmd.name === 'curl' && (v === '-o' || v === '--output')) return args[i + 1];
    if (cmd.name === 'wget' && (v === '-O' || v === '--output-document')) return args[i + 1];
    if (v.startsWith('--output=') || v.startsWith('--output-document=')) return v.slice(v.indexOf('=') + 1);
    if (cmd.name === 'curl' && /^-[a-zA-Z]*o$/.test(v)) return args[i + 1];
  }
  return undefined;
}

/** What a later command does with the download: how the message names it, or undefined. */
function installs(cmd: Command, file: string): string | undefined {
  if (!INSTALLERS.has(cmd.name)) return undefined;
  const base = file.slice(file.lastIndexOf('/') + 1);
  const mentions = cmd.args.some((a) => a.value === file || a.value.endsWith(`/${base}`) || a.value === base);
  if (!mentions) return undefined;
  if (cmd.name === 'tar' || cmd.name === 'unzip' || cmd.name === 'gunzip' || cmd.name === 'bsdtar') return 'unpacks';
  if (cmd.name === 'chmod' || cmd.name === 'mv' || cmd.name === 'cp') return 'installs';
  return cmd.name === 'sh' || cmd.name === 'bash' || cmd.name.startsWith('python') || cmd.name === 'java' ? 'runs' : 'installs';
}

const rule: Rule<'dockerfile'> = {
  id: 'docker/download-without-verification',
  title: 'Download installed without verification',
  severity: 'medium',
  layer: 'container',
  category: 'security',
  model: 'dockerfile',
  visits: ['RUN', 'ONBUILD'],
  description: 'A RUN downloads a package, archive or binary with curl or wget and installs, unpacks or runs it without checking a checksum or signature in the same step.',
  references: { cwe: ['CWE-494', 'CWE-354'] },
  messages: {
    unverified:
      '`{{downloader}}` fetches {{file}} and this RUN {{action}} it with no checksum or signature check: a compromised or changed download goes into the image unnoticed. Pin its SHA-256 (`echo "<sha256>  {{file}}" | sha256sum -c -`) or verify its signature (`gpg --verify`) before using it.',
  },
  check(ctx) {
    for (const step of ctx.index(RUN_STEPS)) {
      const cmds = step.commands;
      if (cmds.some((cmd) => VERIFIERS.test(cmd.name))) continue;
      // Where each command stands, to look only at the commands after a download's pipeline.
      const position = new Map<Command, number>();
      cmds.forEach((cmd, i) => position.set(cmd, i));
      for (const pipeline of pipelinesOf(cmds)) {
        const download = pipeline[0] && downloadedFile(pipeline[0]);
        if (!download) continue;
        const consumer = pipeline[1];
        // `curl … | tar xz`: the stream is unpacked as it arrives.
        if (consumer && (consumer.name === 'tar' || consumer.name === 'bsdtar' || consumer.name === 'unzip')) {
          ctx.report({ messageId: 'unverified', data: { downloader: pipeline[0].name, file: download.file, action: 'unpacks' }, span: pipeline[0].program!.span });
          continue;
        }
        for (let i = position.get(pipeline[pipeline.length - 1])! + 1; i < cmds.length; i++) {
          const action = installs(cmds[i], download.file);
          if (!action) continue;
          ctx.report({ messageId: 'unverified', data: { downloader: pipeline[0].name, file: download.file, action }, span: pipeline[0].program!.span });
          break;
        }
      }
    }
  },
};

export default rule;
