import type { Rule } from '../../_api';
import { downloadConsumers, downloadOf, pipelinesOf, RUN_STEPS, verifiesDownloads, type Command, type Download } from '../../_helpers/docker-shell';

/** Files worth verifying: packages, archives and binaries. */
const PACKAGE = /\.(?:tar(?:\.(?:gz|bz2|xz|zst))?|tgz|tbz2?|txz|zip|deb|rpm|apk|whl|jar|war|gem|nupkg|bin|run|appimage|msi|exe|sh)$/i;

/** A download of a package, archive or binary (by the URL's name or the saved file's). */
function packageDownload(download: Download | undefined): Download | undefined {
  if (!download) return undefined;
  const name = download.url.replace(/[?#].*$/, '');
  return PACKAGE.test(name.slice(name.lastIndexOf('/') + 1)) || PACKAGE.test(download.file) ? download : undefined;
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
      if (cmds.some(verifiesDownloads)) continue;
      // Where each command stands, to look only at the commands after a download's pipeline.
      const position = new Map<Command, number>();
      cmds.forEach((cmd, i) => position.set(cmd, i));
      const consumerOf = downloadConsumers(cmds);
      for (const pipeline of pipelinesOf(cmds)) {
        const download = packageDownload(pipeline[0] && downloadOf(ctx, pipeline[0]));
        if (!download) continue;
        const consumer = pipeline[1];
        // `curl … | tar xz`: the stream is unpacked as it arrives.
        if (consumer && (consumer.name === 'tar' || consumer.name === 'bsdtar' || consumer.name === 'unzip')) {
          ctx.report({ messageId: 'unverified', data: { downloader: pipeline[0].name, file: download.file, action: 'unpacks' }, span: pipeline[0].program!.span });
          continue;
        }
        const use = consumerOf(download.file, position.get(pipeline[pipeline.length - 1])!);
        if (use) ctx.report({ messageId: 'unverified', data: { downloader: pipeline[0].name, file: download.file, action: use.action }, span: pipeline[0].program!.span });
      }
    }
  },
};

export default rule;
