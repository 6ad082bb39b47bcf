import type { FixSource, Rule, Span } from '../../_api';
import { withOnbuild } from '../../_helpers/docker-instruction';
import { ACCOUNT_FILES, chmodMode, modeGrant, RUN_STEPS } from '../../_helpers/docker-shell';

/**
 * For a numeric mode written as is (`777`, `0666`): the same mode without write for others
 * (`775`, `0664`). Group write is kept, so only the world-writable part changes. Symbolic modes
 * (`a+rwX`) get no fix: what to grant instead is the author's call.
 */
function withoutOthersWrite(mode: string, span: Span, text: string): FixSource | undefined {
  if (!/^[0-7]{3,4}$/.test(mode) || text.slice(span.start, span.end) !== mode) return undefined;
  return () => {
    const fixed = mode.slice(0, -1) + String(Number(mode.at(-1)) & ~2);
    return { title: `Remove write for others (${mode} -> ${fixed})`, edits: [{ span, newText: fixed }] };
  };
}

const rule: Rule<'dockerfile'> = {
  id: 'docker/chmod-world-writable',
  title: 'World-writable file permissions',
  severity: 'medium',
  layer: 'container',
  category: 'security',
  model: 'dockerfile',
  description: 'A `chmod` in RUN (or `COPY --chmod`) makes files writable by every user in the container (`777`, `666`, `o+w`, `a+w`).',
  references: { cwe: ['CWE-732'] },
  fixable: true,
  messages: {
    chmod: '`chmod {{mode}}` makes {{paths}} writable by every user in the container: any process, whatever its user, can replace code or config there. Grant write access to the owning user or group only (e.g. `755`/`644` with `chown`).',
    copyChmod: '`--chmod={{mode}}` makes the copied files writable by every user in the container. Use `--chown` with a mode such as `755`/`644` instead.',
  },
  visits: ['RUN', 'COPY', 'ADD', 'ONBUILD'],
  check(ctx) {
    for (const step of ctx.index(RUN_STEPS)) {
      for (const cmd of step.commands) {
        const chmod = chmodMode(cmd);
        const grant = chmod && modeGrant(chmod.mode.value);
        // The sticky bit (1777) is the deliberate shared-directory pattern of /tmp: not flagged.
        if (!chmod || !grant?.worldWritable || grant.sticky) continue;
        // Account files alone are docker/account-file-writable's finding, which says why they matter.
        if (chmod.paths.length > 0 && chmod.paths.every((p) => ACCOUNT_FILES.test(p.value))) continue;
        const paths = chmod.paths.map((p) => p.value).join(' ') || 'the target';
        ctx.report({
          messageId: 'chmod',
          data: { mode: chmod.mode.value, paths: `\`${paths}\`${chmod.recursive ? ' (recursively)' : ''}` },
          span: chmod.mode.span,
          fix: cmd.exec || cmd.nested ? undefined : withoutOthersWrite(chmod.mode.value, chmod.mode.span, ctx.text),
        });
      }
    }
    for (const copy of withOnbuild(ctx.nodes, 'COPY', 'ADD')) {
      for (const flag of copy.flags) {
        const grant = flag.name === 'chmod' && flag.value ? modeGrant(flag.value) : undefined;
        if (!grant?.worldWritable || grant.sticky || !flag.valueSpan) continue;
        ctx.report({ messageId: 'copyChmod', data: { mode: flag.value! }, span: flag.valueSpan, fix: withoutOthersWrite(flag.value!, flag.valueSpan, ctx.text) });
      }
    }
  },
};

export default rule;
