// Does the fixture runner notice a broken rule? A few real rules are wrapped so that they report
// something slightly wrong (a span one column off, a wrong message id, a fix edit one character
// off, …), and the very function test/rules.test.ts uses checks them against their own fixtures.
// Every mutation must be caught, by the kind of failure it should cause.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { allRules } from '../rules/index';
import { LineIndex } from '../server/src/core/text';
import { SEVERITIES, type AnyRule, type Fix, type Report, type RuleContext } from '../server/src/engine/api';
import { checkRuleFixtures, formatFailures, type FailureKind } from './fixture-runner';

const root = path.resolve(__dirname, '..');

/** Rules with fixes, several messages, severity variants, folder fixtures and a text model between them. */
const RULES = ['docker/user-root', 'docker/workdir-relative', 'docker/chmod-world-writable', 'docker/copy-whole-context', 'secrets/private-key'];

interface Mutation {
  name: string;
  /** The failure the runner must report. */
  catches: FailureKind;
  /**
   * What the rule reports instead of `report`: a list of reports (none drops it), or undefined when
   * the mutation would change nothing for this report (then the next report is tried).
   */
  mutate(report: Report, ctx: RuleContext, rule: AnyRule): Report[] | undefined;
}

/** The report with its fix built and changed by `change`; undefined when it has no fix. */
function withFix(report: Report, change: (fix: Fix) => Fix | undefined): Report[] | undefined {
  const source = report.fix;
  if (!source) return undefined;
  const fix = typeof source === 'function' ? source() : source;
  const changed = fix && change(fix);
  return changed ? [{ ...report, fix: changed }] : undefined;
}

const MUTATIONS: Mutation[] = [
  { name: 'span shifted by one column', catches: 'span', mutate: (r) => [{ ...r, span: { start: r.span.start + 1, end: r.span.end + 1 } }] },
  {
    name: 'span widened to the whole line',
    catches: 'span',
    mutate(r, ctx) {
      const lines = new LineIndex(ctx.text);
      const line = lines.position(r.span.start).line;
      const span = { start: lines.lineStart(line), end: lines.lineEnd(line) };
      return span.start === r.span.start && span.end === r.span.end ? undefined : [{ ...r, span }];
    },
  },
  { name: 'reported twice', catches: 'duplicate', mutate: (r) => [r, r] },
  { name: 'one finding dropped', catches: 'missing', mutate: () => [] },
  {
    name: 'another message id',
    catches: 'messageId',
    mutate: (r, _ctx, rule) => [{ ...r, messageId: Object.keys(rule.messages).find((id) => id !== r.messageId) ?? `${r.messageId}Other` }],
  },
  {
    name: 'another severity',
    catches: 'severity',
    mutate: (r, _ctx, rule) => [{ ...r, severity: SEVERITIES.find((s) => s !== (r.severity ?? rule.severity)) }],
  },
  {
    name: 'a placeholder left unfilled',
    catches: 'message',
    mutate: (r, _ctx, rule) => (/\{\{/.test(rule.messages[r.messageId] ?? '') ? [{ ...r, data: {} }] : undefined),
  },
  { name: 'a fix with an empty title', catches: 'fix', mutate: (r) => withFix(r, (fix) => ({ ...fix, title: '' })) },
  { name: 'a fix title in lower case', catches: 'fix', mutate: (r) => withFix(r, (fix) => ({ ...fix, title: fix.title[0].toLowerCase() + fix.title.slice(1) })) },
  {
    name: 'a fix whose safety is flipped (safe to suggestion, suggestion to safe)',
    catches: 'fix',
    mutate: (r) => withFix(r, (fix) => ({ ...fix, safety: fix.safety === 'suggestion' ? 'safe' : 'suggestion' })),
  },
  {
    name: 'a fix edit shifted by one character',
    catches: 'fixed',
    mutate: (r) => withFix(r, (fix) => ({ ...fix, edits: fix.edits.map((e, i) => (i === 0 ? { ...e, span: { start: e.span.start + 1, end: e.span.end + 1 } } : e)) })),
  },
];

/**
 * The rule, changed by `mutation` at the first report of each check that the mutation changes.
 * `applied` tells whether it ever changed one (a rule without fixes has no fix to break).
 */
function mutant(rule: AnyRule, mutation: Mutation): { rule: AnyRule; applied: () => boolean } {
  let applied = false;
  const wrapped: AnyRule = {
    ...rule,
    check(ctx: RuleContext) {
      let done = false;
      rule.check({
        ...ctx,
        report(report: Report) {
          const instead = done ? undefined : mutation.mutate(report, ctx, rule);
          if (!instead) return ctx.report(report);
          done = applied = true;
          for (const r of instead) ctx.report(r);
        },
      });
    },
  };
  return { rule: wrapped, applied: () => applied };
}

test('the fixture runner catches mutated rules', async (t) => {
  let caught = 0;
  let tried = 0;
  const missed: string[] = [];
  for (const id of RULES) {
    const rule = allRules.find((r) => r.id === id);
    assert.ok(rule, `no rule ${id}`);
    const dir = path.join(root, 'rules', id, 'fixtures');
    const baseline = await checkRuleFixtures(rule, dir);
    assert.equal(formatFailures(baseline), '', `${id} must pass its own fixtures before it is mutated`);
    for (const mutation of MUTATIONS) {
      const { rule: broken, applied } = mutant(rule, mutation);
      const failures = await checkRuleFixtures(broken, dir);
      if (!applied()) continue;
      tried++;
      if (failures.some((f) => f.kind === mutation.catches)) caught++;
      else missed.push(`${id}, ${mutation.name}: no ${mutation.catches} failure${failures.length ? ` (only ${[...new Set(failures.map((f) => f.kind))].join(', ')})` : ''}`);
    }
  }
  const score = `fixture runner: ${caught} of ${tried} mutations caught (${RULES.length} rules, ${MUTATIONS.length} kinds of mutation)`;
  t.diagnostic(score);
  console.log(score);
  assert.ok(tried >= RULES.length * 6, `only ${tried} mutations applied`);
  assert.deepEqual(missed, [], score);
});
