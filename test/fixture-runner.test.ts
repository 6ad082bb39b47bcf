// The fixture runner on small rules and fixtures written here: what each annotation form means,
// and that each kind of difference is reported as a failure (never thrown).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AnyRule, Report, RuleContext } from '../server/src/engine/api';
import { LineIndex } from '../server/src/core/text';
import { locateOnLine, locatorFor, readAnnotations } from './fixture-annotations';
import { checkFixtureSet, checkRuleFixtures, formatFailures, type FailureKind } from './fixture-runner';

/** A text rule that flags every `TODO` (message `todo`), with `report` free to change what it reports. */
function todoRule(report: (ctx: RuleContext<'text'>, found: Report) => void = (ctx, found) => ctx.report(found), extra: Partial<AnyRule> = {}): AnyRule {
  return {
    id: 'test/todo',
    title: 'A TODO is left',
    severity: 'low',
    layer: 'general',
    category: 'hygiene',
    model: 'text',
    description: 'A TODO is left in the file.',
    references: {},
    messages: { todo: 'A {{word}} is left here.', other: 'Something else.' },
    check(ctx: RuleContext<'text'>) {
      for (const match of ctx.text.matchAll(/TODO/g)) report(ctx, { messageId: 'todo', data: { word: 'TODO' }, span: { start: match.index, end: match.index + 4 } });
    },
    ...extra,
  };
}

/** A fixtures folder with these files (paths with slashes make folders), removed after the test. */
function fixtures(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fourfold-runner-test-'));
  for (const [rel, text] of Object.entries(files)) {
    const abs = path.join(dir, ...rel.split('/'));
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, text);
  }
  return dir;
}

async function failuresOf(rule: AnyRule, files: Record<string, string>) {
  const dir = fixtures(files);
  try {
    return await checkRuleFixtures(rule, dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const kinds = (failures: { kind: FailureKind }[]) => [...new Set(failures.map((f) => f.kind))].sort();

const BASIC = ['# ruleid: test/todo todo "TODO"', 'echo TODO', '# ok: test/todo', 'echo ToDo later', ''].join('\n');

test('a fixture whose annotations state every finding passes', async () => {
  const failures = await failuresOf(todoRule(), { 'basic.sh': BASIC });
  assert.equal(formatFailures(failures), '');
});

test('each kind of difference is its own failure', async () => {
  const cases: [string, AnyRule, FailureKind][] = [
    ['span shifted', todoRule((ctx, r) => ctx.report({ ...r, span: { start: r.span.start + 1, end: r.span.end + 1 } })), 'span'],
    ['message id', todoRule((ctx, r) => ctx.report({ ...r, messageId: 'other' })), 'messageId'],
    ['severity', todoRule((ctx, r) => ctx.report({ ...r, severity: 'high' })), 'severity'],
    ['twice', todoRule((ctx, r) => (ctx.report(r), ctx.report(r))), 'duplicate'],
    ['placeholder', todoRule((ctx, r) => ctx.report({ ...r, data: {} })), 'message'],
    ['undefined in a message', todoRule((ctx, r) => ctx.report({ ...r, data: { word: undefined as unknown as string } })), 'message'],
    ['silent', todoRule(() => {}), 'missing'],
    ['a fix nobody stated', todoRule((ctx, r) => ctx.report({ ...r, fix: { title: 'Remove it', edits: [{ span: r.span, newText: '' }] } })), 'fix'],
  ];
  for (const [name, rule, kind] of cases) {
    const failures = await failuresOf(rule, { 'basic.sh': BASIC });
    assert.ok(failures.some((f) => f.kind === kind), `${name}: expected a ${kind} failure, got:\n${formatFailures(failures)}`);
  }
});

test('a finding with no annotation fails and says what to write; an ok: line must stay silent', async () => {
  const failures = await failuresOf(todoRule(), { 'a.sh': 'echo TODO\n# ok: test/todo\necho TODO\n# ruleid: test/todo todo "TODO"\necho TODO\n' });
  assert.deepEqual(kinds(failures), ['ok', 'unexpected']);
  assert.match(formatFailures(failures), /# ruleid: test\/todo todo "TODO"/);
});

test('the suggested annotation uses the comment the file already uses', async () => {
  const failures = await failuresOf(todoRule(), { '.npmrc': '; ok: test/todo\nregistry=x\n//x/:_authToken=TODO\n' });
  assert.match(formatFailures(failures), /add above it:\n {4}; ruleid: test\/todo todo "TODO"/);
});

test('occurrences on one line are picked with #n', async () => {
  const text = '# ruleid: test/todo todo "TODO"\n# ruleid: test/todo todo "TODO"#2\necho TODO TODO\n';
  assert.equal(formatFailures(await failuresOf(todoRule(), { 'a.sh': text })), '');
  const one = await failuresOf(todoRule(), { 'a.sh': '# ruleid: test/todo todo "TODO"#2\necho TODO TODO\n' });
  assert.deepEqual(kinds(one), ['unexpected']);
  const none = await failuresOf(todoRule(), { 'a.sh': '# ruleid: test/todo todo "TODO"#3\necho TODO TODO\n' });
  assert.match(formatFailures(none), /occurs 2 times on line 2, not 3/);
});

test('annotations that cannot be read, name another rule or an unknown message fail', async () => {
  const failures = await failuresOf(todoRule(), {
    'a.sh': [
      '# ruleid: test/todo',
      'echo TODO',
      '# ruleid: test/other todo "TODO"',
      'echo TODO',
      '# ruleid: test/todo nope "TODO"',
      'echo TODO',
      '# ruleid: test/todo todo "FIXME"',
      'echo TODO',
      '# ruleid: test/todo todo "TODO" colour=red',
      'echo TODO',
      '',
    ].join('\n'),
  });
  const text = formatFailures(failures);
  assert.match(text, /is incomplete/);
  assert.match(text, /names test\/other, but only test\/todo runs/);
  assert.match(text, /has no message nope/);
  assert.match(text, /"FIXME" does not occur on line 8/);
  assert.match(text, /unknown option colour=/);
});

test('multi-line and empty spans', () => {
  const text = 'RUN a && \\\n    b && \\\n    c\nx\n';
  const lines = new LineIndex(text);
  const span = { start: 4, end: text.indexOf('c') + 1 };
  const at = locatorFor(lines, span);
  assert.deepEqual(at, { text: 'a && \\', occurrence: 1, end: { text: 'c' } });
  assert.deepEqual(locateOnLine(lines, 0, at), span);
  // The last line's text also starts an earlier line: the line count pins it.
  const twice = 'RUN a \\\n  b \\\n  b\n';
  const ambiguous = locatorFor(new LineIndex(twice), { start: 4, end: twice.length - 1 });
  assert.deepEqual(ambiguous.end, { text: 'b', lines: 2 });
  assert.deepEqual(locateOnLine(new LineIndex(twice), 0, ambiguous), { start: 4, end: twice.length - 1 });
  // An empty span is the empty text at a column.
  assert.deepEqual(locatorFor(lines, { start: 2, end: 2 }), { text: '', occurrence: 3 });
  assert.deepEqual(locateOnLine(lines, 0, { text: '', occurrence: 3 }), { start: 2, end: 2 });
  // The first part must reach the end of its line.
  assert.match(String(locateOnLine(lines, 0, { text: 'a', occurrence: 1, end: { text: 'c' } })), /must run to the end of line 1/);
});

test('a multi-line span is stated by its first and last lines', async () => {
  const rule = todoRule((ctx, r) => ctx.report({ ...r, span: { start: r.span.start, end: ctx.text.indexOf('DONE', r.span.start) + 4 } }));
  const text = '# ruleid: test/todo todo "TODO one" ... "two DONE"\nTODO one\n  two DONE\n';
  assert.equal(formatFailures(await failuresOf(rule, { 'a.sh': text })), '');
  const wrong = await failuresOf(rule, { 'a.sh': '# ruleid: test/todo todo "TODO one"\nTODO one\n  two DONE\n' });
  assert.deepEqual(kinds(wrong), ['span']);
});

test('related locations and flow steps are stated below the annotation, in order', async () => {
  const rule = todoRule((ctx, r) =>
    ctx.report({
      ...r,
      related: [{ span: { start: ctx.text.indexOf('owner='), end: ctx.text.indexOf('owner=') + 5 }, message: 'Assigned here' }],
      flow: [
        { span: { start: ctx.text.indexOf('src='), end: ctx.text.indexOf('src=') + 3 }, message: 'Read here' },
        { span: r.span, message: 'Used here' },
      ],
    }),
  );
  const annotation = ['# ruleid: test/todo todo "TODO"', '#   related: "owner" "Assigned here"', '#   flow: "src" "Read here"', '#   flow: "TODO" "Used here"'];
  const body = ['echo TODO', 'owner=me src=x', ''];
  assert.equal(formatFailures(await failuresOf(rule, { 'a.sh': [...annotation, ...body].join('\n') })), '');
  const reordered = [annotation[0], annotation[1], annotation[3], annotation[2], ...body].join('\n');
  assert.deepEqual(kinds(await failuresOf(rule, { 'a.sh': reordered })), ['related']);
  const unstated = [annotation[0], ...body].join('\n');
  assert.deepEqual(kinds(await failuresOf(rule, { 'a.sh': unstated })), ['related']);
});

test('files without comments state findings in expected.json', async () => {
  const json = '{ "note": "TODO", "other": "TODO" }\n';
  const entry = { ruleId: 'test/todo', messageId: 'todo', text: 'TODO', occurrence: 2 };
  const ok = await failuresOf(todoRule(), {
    'data.json': json,
    'data.json.expected.json': JSON.stringify([{ ...entry, occurrence: 1 }, entry]),
  });
  assert.equal(formatFailures(ok), '');
  const missing = await failuresOf(todoRule(), { 'data.json': json, 'data.json.expected.json': JSON.stringify([entry]) });
  assert.deepEqual(kinds(missing), ['unexpected']);
  assert.match(formatFailures(missing), /add to expected.json: \{"file":"data.json","ruleId":"test\/todo","messageId":"todo","text":"TODO"\}/);
  const stray = await failuresOf(todoRule(), { 'a.sh': BASIC, 'gone.json.expected.json': '[]' });
  assert.deepEqual(kinds(stray), ['fixtures']);
});

/** Fixes each TODO in place and, for the last one in a file, records it in `<file>.notes` (a file it creates). */
const fixingRule = (title = 'Mark as done') =>
  todoRule((ctx, r) =>
    ctx.report({
      ...r,
      fix: {
        title,
        edits: [
          { span: r.span, newText: 'DONE' },
          ...(r.span.start === ctx.text.lastIndexOf('TODO') ? [{ span: { start: 0, end: 0 }, newText: `done in ${ctx.path}\n`, path: `${ctx.path}.notes`, create: true }] : []),
        ],
      },
    }),
  );

test('a folder fixture is one project; dot-files are fixtures; a multi-file fix is checked against <name>.fixed/', async () => {
  const env = '# ruleid: test/todo todo "TODO" fix="Mark as done"\nNOTE=TODO\n';
  const files = {
    'app/.env': env,
    'app/readme.sh': '# nothing to do here\n',
    'app.fixed/.env': '# ruleid: test/todo todo "TODO" fix="Mark as done"\nNOTE=DONE\n',
    'app.fixed/.env.notes': 'done in .env\n',
  };
  assert.equal(formatFailures(await failuresOf(fixingRule(), files)), '');
  const wrongNote = await failuresOf(fixingRule(), { ...files, 'app.fixed/.env.notes': 'done\n' });
  assert.deepEqual(kinds(wrongNote), ['fixed']);
  const unchangedListed = await failuresOf(fixingRule(), { ...files, 'app.fixed/readme.sh': '# nothing to do here\n' });
  assert.match(formatFailures(unchangedListed), /leave readme.sh unchanged/);
});

test('a fix needs a .fixed file, a proper title, and must give that file exactly', async () => {
  const sh = '# ruleid: test/todo todo "TODO" fix="Mark as done"\necho TODO\n';
  const inPlace = todoRule((ctx, r) => ctx.report({ ...r, fix: { title: 'Mark as done', edits: [{ span: r.span, newText: 'DONE' }] } }));
  assert.equal(formatFailures(await failuresOf(inPlace, { 'a.sh': sh, 'a.fixed.sh': sh.replace('echo TODO', 'echo DONE') })), '');
  assert.deepEqual(kinds(await failuresOf(inPlace, { 'a.sh': sh })), ['fixed']);
  assert.deepEqual(kinds(await failuresOf(inPlace, { 'a.sh': sh, 'a.fixed.sh': sh })), ['fixed']);
  const lower = todoRule((ctx, r) => ctx.report({ ...r, fix: { title: 'mark as done', edits: [{ span: r.span, newText: 'DONE' }] } }));
  const failures = await failuresOf(lower, { 'a.sh': sh.replace('fix="Mark as done"', 'fix="mark as done"'), 'a.fixed.sh': sh.replace('echo TODO', 'echo DONE') });
  assert.match(formatFailures(failures), /does not start with a capital letter/);
  // A fix that creates another file cannot be checked beside a single file.
  const elsewhere = await failuresOf(fixingRule(), { 'a.sh': sh, 'a.fixed.sh': sh.replace('echo TODO', 'echo DONE') });
  assert.match(formatFailures(elsewhere), /make a.sh a folder fixture/);
});

test('a suggestion is stated with suggest=', async () => {
  const rule = todoRule((ctx, r) => ctx.report({ ...r, fix: { title: 'Mark as done', safety: 'suggestion', edits: [{ span: r.span, newText: 'DONE' }] } }));
  const sh = '# ruleid: test/todo todo "TODO" suggest="Mark as done"\necho TODO\n';
  assert.equal(formatFailures(await failuresOf(rule, { 'a.sh': sh, 'a.fixed.sh': sh.replace('echo TODO', 'echo DONE') })), '');
  assert.deepEqual(kinds(await failuresOf(rule, { 'a.sh': sh.replace('suggest=', 'fix='), 'a.fixed.sh': sh.replace('echo TODO', 'echo DONE').replace('suggest=', 'fix=') })), ['fix']);
});

test('a rule folder without fixtures, or without a ruleid annotation, fails', () => {
  const empty = fixtures({});
  const quiet = fixtures({ 'a.sh': '# ok: test/todo\necho done\n' });
  try {
    assert.match(formatFailures(checkFixtureSet(todoRule(), empty)), /has no fixture/);
    assert.match(formatFailures(checkFixtureSet(todoRule(), path.join(empty, 'missing'))), /has no fixture/);
    assert.match(formatFailures(checkFixtureSet(todoRule(), quiet)), /says where it fires/);
  } finally {
    fs.rmSync(empty, { recursive: true, force: true });
    fs.rmSync(quiet, { recursive: true, force: true });
  }
});

test('a rule that throws is a failure, not an exception', async () => {
  const failures = await failuresOf(todoRule(() => { throw new Error('boom'); }), { 'basic.sh': BASIC });
  assert.ok(kinds(failures).includes('rule-error'));
});

test('annotation lines are found in every comment syntax and apply to the next code line', () => {
  const text = ['// ruleid: test/todo todo "a"', '', '-- ruleid: test/todo todo "b"', '; ok: test/todo', '/* ruleid: test/todo todo "c" */', 'a b c', ''].join('\n');
  const read = readAnnotations(text);
  assert.deepEqual(read.problems, []);
  assert.deepEqual(read.ruleIds.map((a) => [a.spec.at.text, a.line]), [['a', 5], ['b', 5], ['c', 5]]);
  assert.deepEqual(read.oks.map((o) => o.line), [5]);
  assert.match(readAnnotations('# ruleid: test/todo todo "x"\n').problems[0].message, /not followed by a line/);
});
