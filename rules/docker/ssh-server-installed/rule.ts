import type { Rule } from '../../_api';
import { INSTALLS, runsOnEveryPath, whenItRuns } from '../../_helpers/docker-shell';

/** Packages that put an SSH daemon in the image, by manager family; versions may follow. */
const SERVER = /^(openssh-server(-pam)?|dropbear(-bin|-run)?|tinysshd|ssh)([=<>~:].*|-\d.*)?$/;
/** `openssh` alone ships sshd on Alpine, SUSE and Arch, but only the common files on Debian and Fedora. */
const OPENSSH = /^openssh([=<>~:].*|-\d.*)?$/;

const rule: Rule<'dockerfile'> = {
  id: 'docker/ssh-server-installed',
  title: 'SSH server installed in the image',
  severity: 'medium',
  layer: 'container',
  category: 'security',
  model: 'dockerfile',
  description: 'A RUN command installs an SSH server (openssh-server, dropbear…) into the image.',
  references: { cwe: ['CWE-1188'], cis: ['CIS Docker 5.6'] },
  messages: {
    sshServer: '`{{pkg}}` puts an SSH daemon in the image: another network service with its own keys and passwords to manage, and a way around the container runtime\'s access control. Use `docker exec`/`kubectl exec` for access instead.',
    sshServerSometimes: '`{{pkg}}` puts an SSH daemon in the image when this install runs, {{when}}: another network service with its own keys and passwords to manage. Make sure the images you ship take the other path, and use `docker exec`/`kubectl exec` for access.',
  },
  visits: ['RUN', 'ONBUILD'],
  check(ctx) {
    // A simulated install (`apt-get install -s`) is no install: INSTALLS leaves it out.
    for (const { command, install: pc } of ctx.index(INSTALLS)) {
      if (pc.manager === 'pip' || pc.manager === 'npm' || pc.manager === 'gem') continue;
      const ownsDaemon = (v: string) => SERVER.test(v) || (OPENSSH.test(v) && ['apk', 'zypper', 'pacman'].includes(pc.manager));
      for (const pkg of pc.packages) {
        if (!ownsDaemon(pkg.value)) continue;
        if (runsOnEveryPath(command)) ctx.report({ messageId: 'sshServer', data: { pkg: pkg.value }, span: pkg.span });
        else ctx.report({ messageId: 'sshServerSometimes', data: { pkg: pkg.value, when: whenItRuns(command) }, span: pkg.span, severity: 'low' });
      }
    }
  },
};

export default rule;
