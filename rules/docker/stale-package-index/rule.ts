import type { Rule, Word } from '../../_api';
import { RUN_STEPS, type Command } from '../../_helpers/docker-shell';
import { lineOf } from '../../_helpers/lines';

/** Package-index families: apt and apt-get share one index, as do yum and dnf on current systems. */
const FAMILY: Record<string, string> = { apt: 'apt', apk: 'apk', yum: 'rpm', dnf: 'rpm', zypper: 'zypper', pacman: 'pacman' };
const UPDATE_SUBCOMMANDS: Record<string, ReadonlySet<string>> = {
  apt: new Set(['update']),
  apk: new Set(['update']),
  rpm: new Set(['update', 'upgrade', 'makecache', 'check-update']),
  zypper: new Set(['refresh', 'ref', 'update', 'up']),
};

/** The family whose index `cmd` refreshes, with the word that does it (`update`, `-Syu`). */
function indexUpdate(cmd: Command): { family: string; word: Word } | undefined {
  const pc = cmd.package;
  const family = pc && FAMILY[pc.manager];
  if (!pc || !family) return undefined;
  if (family === 'pacman') {
    const op = pc.args.find((a) => /^-S[a-zA-Z]*y/.test(a.value));
    return op ? { family, word: op } : undefined;
  }
  return pc.sub && UPDATE_SUBCOMMANDS[family].has(pc.sub.value) ? { family, word: pc.sub } : undefined;
}

/** An install that refreshes the index itself (`apk add --no-cache`, `apk add -U`, `dnf --refresh`). */
function refreshesItself(cmd: Command, family: string): boolean {
  const values = cmd.args.map((a) => a.value);
  if (family === 'apk') return values.some((v) => v === '--no-cache' || v === '--update-cache' || v === '--update' || /^-[a-zA-Z]*U/.test(v));
  if (family === 'rpm') return values.includes('--refresh');
  if (family === 'zypper') return values.includes('--refresh') || values.includes('-f');
  return false;
}

const rule: Rule<'dockerfile'> = {
  id: 'docker/stale-package-index',
  title: 'Package install relies on an index updated in an earlier RUN',
  severity: 'low',
  layer: 'container',
  category: 'hygiene',
  model: 'dockerfile',
  description: 'A RUN installs packages using a package index that an earlier, separate RUN updated, so the build cache can keep that index — and the versions it offers — stale indefinitely.',
  references: {
    cwe: ['CWE-1104'],
    trivy: ['AVD-DS-0017'],
    checkov: ['CKV_DOCKER_5'],
    kics: ['9bae49be-0aa3-4de5-bab2-4c3a069e40cd'],
  },
  messages: {
    stale: '`{{install}}` uses the package index from `{{update}}` on line {{line}}, a separate RUN: once that layer is cached, later builds install from an old index and miss security updates (or fail). Update and install in the same RUN.',
  },
  // ONBUILD RUNs run in another build, with that build's cache.
  visits: ['RUN'],
  check(ctx) {
    const pending = new Map<string, { stage: number; word: Word; text: string }>();
    for (const step of ctx.index(RUN_STEPS)) {
      if (step.onbuild) continue;
      const cmds = step.commands;
      const updated = new Set<string>();
      const installed = new Set<string>();
      for (const cmd of cmds) {
        const pc = cmd.install;
        const family = pc && FAMILY[pc.manager];
        if (family) installed.add(family);
        const update = indexUpdate(cmd);
        if (update) {
          updated.add(update.family);
          continue;
        }
        if (!pc || !family || updated.has(family) || refreshesItself(cmd, family)) continue;
        const earlier = pending.get(family);
        if (!earlier || earlier.stage !== step.stageIndex) continue;
        const install = `${cmd.name} ${pc.sub?.value ?? ''}`.trim();
        ctx.report({ messageId: 'stale', data: { install, update: earlier.text, line: lineOf(ctx, earlier.word.span.start) }, span: (pc.sub ?? cmd.program!).span });
      }
      // An update in a RUN that installs nothing with that manager is what later installs rely on.
      for (const cmd of cmds) {
        const update = indexUpdate(cmd);
        if (!update) continue;
        if (installed.has(update.family)) pending.delete(update.family);
        else pending.set(update.family, { stage: step.stageIndex, word: update.word, text: `${cmd.name} ${update.word.value}` });
      }
    }
  },
};

export default rule;
