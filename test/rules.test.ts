// One generic test for every rule: it walks rules/*/*/fixtures/ and checks each fixture against what
// is written inside it. The checking is test/fixture-runner.ts (the mutation test uses it too); the
// grammar is test/fixture-annotations.ts. rules/README.md says the same for rule authors.
//
// A fixture is a file or a folder directly under fixtures/, dot-files included. Each is checked as
// its own project: a file alone in a folder, a folder as a workspace rooted there (a Terraform
// module, a compose file with its Dockerfiles). Only the rule under test runs, on FIXTURE_DAY (or
// `"today"` in fixtures/settings.json, which also holds settings such as `trustedRegistries`).
//
// An annotation states exactly what the user sees, and applies to the next line that is neither
// blank nor an annotation (the finding must start on it):
//
//   # ruleid: <rule-id> <messageId> "<flagged text>"[#<n>] [severity=<s>] [fix="<title>" | suggest="<title>"]
//   # ok: <rule-id>
//
// - "<flagged text>" is the span's exact text, a JSON string (escape \" and \\); it must occur on
//   the next line. `#<n>` picks its n-th occurrence on that line (default the first). An empty span
//   is `""#<column>`.
// - A multi-line span: `"<first line>" ... "<last line>"`: the first text runs from the span's start
//   to the end of its line; the last is the span's last line from its first non-blank character to
//   the span's end, on the first line below that starts with it (`...3`: exactly three lines below).
// - severity= only where the finding's severity differs from the rule's default.
// - fix= (a fix applied unattended) or suggest= (a suggestion only) with the exact fix title, for
//   every finding that offers a fix; none for findings that do not.
// - Related locations and flow steps, in order, on lines right below the annotation:
//     #   related: [<file>] "<flagged text>"[#<n>] "<message>"
//     #   flow: [<file>] "<flagged text>"[#<n>] "<message>"
//   <file> when it is another file of a folder fixture; #<n> counts occurrences in the whole file,
//   annotation lines not counted.
// - `ok:` marks a look-alike: no finding of that rule may start on the next line.
// - Comments may start with #, //, --, ; or /* (… */). Findings that start on an annotation line
//   are ignored: a secret rule sees the token its annotation quotes.
//
// Files without comments (JSON lockfiles, .tf.json) list their findings in `<file>.expected.json`
// beside a file fixture, or `expected.json` inside a folder fixture:
//   [{ "file": "package-lock.json", "ruleId": "…", "messageId": "…", "text": "<exact flagged text>",
//      "occurrence": 2, "severity": "high", "fix": "<title>", "related": [{ "text", "message", … }] }]
// (`file` may be left out beside a file fixture; `occurrence` counts in the whole file.)
//
// The test fails on a finding with no annotation, an annotation with no finding, a span off by one
// character, another message id, severity or fix, two findings of the rule on one span, a message
// with an unfilled {{placeholder}} or a leaked `undefined`, and a fix title that is empty, lower-case
// or unfilled. When a finding has a fix, `<name>.fixed.<ext>` (a folder fixture: `<name>.fixed/`,
// holding the files the fixes change or create) must be the result of applying every fix, byte for
// byte; the result must parse with no new errors and lose the fixed findings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { allRules } from '../rules/index';
import { checkFixture, checkFixtureSet, formatFailures, listFixtures } from './fixture-runner';

const root = path.resolve(__dirname, '..');

for (const rule of allRules) {
  const dir = path.join(root, 'rules', rule.id, 'fixtures');

  test(`${rule.id} has fixtures that say where it fires`, () => {
    const failures = checkFixtureSet(rule, dir);
    assert.ok(failures.length === 0, `rules/${rule.id}/fixtures:\n${formatFailures(failures)}`);
  });

  for (const fixture of listFixtures(dir).fixtures) {
    test(`${rule.id} reports what ${fixture.name}${fixture.folder ? '/' : ''} states`, async () => {
      const failures = await checkFixture(rule, fixture);
      assert.ok(failures.length === 0, `rules/${rule.id}/fixtures/\n${formatFailures(failures)}`);
    });
  }
}
