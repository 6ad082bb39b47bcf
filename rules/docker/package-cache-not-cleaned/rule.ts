import type { Instruction, Rule, Word } from '../../_api';
import { SHIPPING } from '../../_helpers/docker-ship';
import { baseName, insertAfter, mountTargets, removesPath, RUN_STEPS, settingApplies, writtenSetting, type Command, type SettingPoints } from '../../_helpers/docker-shell';

type Family = 'yum' | 'dnf' | 'zypper';
const FAMILY: Record<string, Family> = { yum: 'yum', dnf: 'dnf', tdnf: 'dnf', microdnf: 'dnf', zypper: 'zypper' };
const INSTALL = new Set(['install', 'in', 'groupinstall', 'localinstall', 'reinstall', 'update', 'upgrade', 'up', 'source-install', 'si']);
const CACHE_DIR: Record<Family, RegExp> = {
  yum: /^\/var\/cache\/(yum|dnf)(\/|$)/,
  dnf: /^\/var\/cache\/(dnf|yum)(\/|$)/,
  zypper: /^\/var\/cache\/zypp(\/|$)/,
};
const PIP_CACHE = /(^|\/)\.cache(\/pip)?\/?\*?$/;
/** Where the caches live, to tell whether a stage that is only copied from ships them. */
const CACHE_PATHS: Record<Family | 'pip', readonly string[]> = {
  yum: ['/var/cache/yum', '/var/cache/dnf'],
  dnf: ['/var/cache/dnf', '/var/cache/yum'],
  zypper: ['/var/cache/zypp'],
  pip: ['/root/.cache/pip', '/home/*/.cache/pip'],
};
/** A RUN that writes `no-cache-dir = …` to pip.conf: later RUNs of its stage keep no cache. */
const PIP_CONF_NO_CACHE = writtenSetting('pip.noCacheDir', /no-cache-dir\s*=\s*(true|1|yes|off|false)/i);

/** `rm -rf ~/.cache/pip` or `pip cache purge`. */
function purgesPipCache(cmd: Command): boolean {
  return removesPath(cmd, /\.cache(\/pip)?\/?\*?$/) || (cmd.install === undefined && /^pip/.test(cmd.name) && cmd.args[0]?.value === 'cache' && cmd.args[1]?.value === 'purge');
}

/**
 * Installs and cleanups of the rpm-family managers, read as the author wrote the words: a `yum`
 * followed by `install`, or by `clean all`, wherever it stands (also after a forgotten `&&`).
 */
interface RpmEvent {
  family: Family;
  tool: string;
  kind: 'install' | 'clean';
  word: Word;
}

function rpmEvents(words: Word[]): RpmEvent[] {
  const out: RpmEvent[] = [];
  words.forEach((w, i) => {
    const tool = baseName(w.value);
    const family = FAMILY[tool];
    if (!family) return;
    let j = i + 1;
    while (j < words.length && words[j].value.startsWith('-')) j++;
    const sub = words[j]?.value;
    if (sub && INSTALL.has(sub)) out.push({ family, tool, kind: 'install', word: words[j] });
    else if (sub === 'clean' && (family === 'zypper' || words[j + 1]?.value === 'all')) out.push({ family, tool, kind: 'clean', word: words[j] });
    else if (family === 'zypper' && sub === 'cc') out.push({ family, tool, kind: 'clean', word: words[j] });
  });
  return out;
}

const rule: Rule<'dockerfile'> = {
  id: 'docker/package-cache-not-cleaned',
  title: 'Package manager cache left in the layer',
  severity: 'low',
  layer: 'container',
  category: 'hygiene',
  model: 'dockerfile',
  description: 'A RUN installs with yum, dnf, microdnf, zypper or pip and leaves the package manager\'s cache in the image layer.',
  references: {
    cwe: ['CWE-459'],
    hadolint: ['DL3032', 'DL3040', 'DL3036', 'DL3042'],
    trivy: ['AVD-DS-0015', 'AVD-DS-0019', 'AVD-DS-0027', 'AVD-DS-0020'],
    kics: [
      '00481784-25aa-4a55-8633-3136dfcf4f37',
      '295acb63-9246-4b21-b441-7c1f1fb62dc0',
      '38300d1a-feb2-4a48-936a-d1ef1cd24313',
      'f2f903fb-b977-461e-98d7-b3e2185c6118',
    ],
  },
  messages: {
    rpm: '`{{tool}} {{sub}}` leaves its metadata and package cache in this layer. End the same RUN with `&& {{clean}}`.',
    pip: '`pip install` keeps downloaded wheels in ~/.cache/pip in this layer. Add `--no-cache-dir` (or set `PIP_NO_CACHE_DIR=1`).',
  },
  fixable: true,
  // ENV: `ENV PIP_NO_CACHE_DIR=1` turns pip's cache off for the RUNs after it.
  visits: ['RUN', 'ONBUILD', 'ENV'],
  check(ctx) {
    const pipCacheOffFrom = pipCacheOffPoints(ctx.nodes, ctx.index(PIP_CONF_NO_CACHE));
    const shipping = ctx.index(SHIPPING);
    for (const step of ctx.index(RUN_STEPS)) {
      const mounts = mountTargets(step.run);
      const cmds = step.commands;
      // Words of commands that change nothing (`dnf install --assumeno`, `pip install --dry-run`) are left out.
      const words = cmds.flatMap((c) => (c.package?.dryRun ? [] : c.words));
      // Commands come in source order, except those of an `sh -c '…'` string, which follow their shell.
      if (cmds.some((c) => c.nested)) words.sort((a, b) => a.span.start - b.span.start);

      const events = rpmEvents(words);
      for (const family of ['yum', 'dnf', 'zypper'] as Family[]) {
        if (mounts.some((t) => CACHE_DIR[family].test(t)) || !shipping.stepReaches(step, CACHE_PATHS[family])) continue;
        const installs = events.filter((e) => e.family === family && e.kind === 'install');
        const last = installs.at(-1);
        if (!last) continue;
        const cleanedAfter = (at: number) =>
          events.some((e) => (e.family === family || (family !== 'zypper' && e.family !== 'zypper')) && e.kind === 'clean' && e.word.span.start > at) ||
          cmds.some((c) => c.span.start > at && removesPath(c, CACHE_DIR[family]));
        if (cleanedAfter(last.word.span.start)) continue;
        const clean = family === 'zypper' ? 'zypper clean --all' : `${last.tool} clean all`;
        ctx.report({ messageId: 'rpm', data: { tool: last.tool, sub: last.word.value, clean }, span: last.word.span });
      }

      if (mounts.some((t) => PIP_CACHE.test(t) || t === '/root/.cache') || !shipping.stepReaches(step, CACHE_PATHS.pip)) continue;
      let envOff: boolean | undefined;
      let lastPurge = -1;
      cmds.forEach((cmd, i) => {
        if (purgesPipCache(cmd)) lastPurge = i;
      });
      cmds.forEach((cmd, i) => {
        const pc = cmd.install;
        if (pc?.manager !== 'pip' || !pc.sub) return;
        if (pc.args.some((a) => a.value === '--no-cache-dir' || a.value.startsWith('--no-cache-dir='))) return;
        if (cmd.assignments.some((a) => /^PIP_NO_CACHE_DIR=/.test(a.value))) return;
        if (lastPurge > i) return;
        envOff ??=
          settingApplies(pipCacheOffFrom, step.stageIndex, step.outer.span.start) ||
          /PIP_NO_CACHE_DIR=/.test(ctx.text.slice(step.run.span.start, cmd.span.start));
        if (envOff) return;
        const sub = pc.sub;
        ctx.report({
          messageId: 'pip',
          span: sub.span,
          fix: cmd.nested ? undefined : () => ({ title: 'Add --no-cache-dir', edits: [insertAfter(sub, '--no-cache-dir', cmd.exec)] }),
        });
      });
    }
  },
};

/** Per stage, the offset from which pip's cache is off: `ENV PIP_NO_CACHE_DIR=1`, or a RUN writing pip.conf. */
function pipCacheOffPoints(nodes: readonly Instruction[], pipConf: SettingPoints): Map<number, number> {
  const from = new Map(pipConf);
  for (const ins of nodes) {
    if (ins.keyword === 'ENV' && ins.pairs.some((p) => p.key === 'PIP_NO_CACHE_DIR' && !/^(0|false|no|off)$/i.test(p.value ?? ''))) {
      from.set(ins.stageIndex, Math.min(from.get(ins.stageIndex) ?? Infinity, ins.span.end));
    }
  }
  return from;
}

export default rule;
