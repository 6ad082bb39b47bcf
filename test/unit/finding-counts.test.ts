// The status bar's count (client/src/findingCounts.ts): the Fourfold findings the Problems panel
// lists, and a tooltip that names what is left out. The real editor checks the same against the
// Problems panel itself (test/e2e/suite).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { countFindings, Severity, statusText, statusTooltip, type DiagnosticLike } from '../../client/src/findingCounts';

const finding = (severity: number, code: DiagnosticLike['code'] = 'docker/user-root'): DiagnosticLike => ({ source: 'fourfold', severity, code });

describe('countFindings', () => {
  test('counts errors, warnings and information; hints, notices, config problems and other sources apart', () => {
    const dockerfile = [
      finding(Severity.Error),
      finding(Severity.Error, { value: 'docker/curl-pipe-shell' }),
      finding(Severity.Warning, 'docker/image-tag-latest'),
      finding(Severity.Information, 'docker/healthcheck-missing'),
      finding(Severity.Hint, 'docker/image-not-pinned-digest'),
      { source: 'dockerfile-utils', severity: Severity.Error, code: 38 },
    ];
    const binary = [{ source: 'fourfold', severity: Severity.Information }];
    const config = [finding(Severity.Error, 'fourfold/config'), finding(Severity.Error, 'fourfold/config')];
    assert.deepEqual(countFindings([dockerfile, binary, config, []], 'fourfold'), {
      findings: 4,
      errors: 2,
      warnings: 1,
      information: 1,
      hints: 1,
      notices: 1,
      configProblems: 2,
    });
  });
});

describe('status bar text and tooltip', () => {
  test('the count is the findings in the Problems panel; the tooltip names what is left out', () => {
    const counts = { findings: 4, errors: 2, warnings: 1, information: 1, hints: 3, notices: 1, configProblems: 2 };
    assert.equal(statusText(counts, false), '$(shield) Fourfold: 4');
    assert.equal(statusText(counts, true), '$(sync~spin) Fourfold: scanning…');
    assert.equal(
      statusTooltip(counts),
      'Fourfold: 4 findings in the Problems panel (2 errors, 1 warning, 1 information). ' +
        'Not counted: 3 hints (shown in the editor only), 1 file not checked, 2 problems in .fourfold.yaml. Click to scan the workspace.',
    );
  });

  test('nothing left out, nothing found', () => {
    const none = { findings: 0, errors: 0, warnings: 0, information: 0, hints: 0, notices: 0, configProblems: 0 };
    assert.equal(statusTooltip(none), 'Fourfold: 0 findings in the Problems panel (0 errors, 0 warnings, 0 information). Click to scan the workspace.');
    const one = { ...none, findings: 1, warnings: 1, hints: 1, notices: 2, configProblems: 1 };
    assert.equal(
      statusTooltip(one),
      'Fourfold: 1 finding in the Problems panel (0 errors, 1 warning, 0 information). ' +
        'Not counted: 1 hint (shown in the editor only), 2 files not checked, 1 problem in .fourfold.yaml. Click to scan the workspace.',
    );
  });
});
