// SARIF output, validated against the official SARIF 2.1.0 JSON schema (test/fixtures/README.md),
// and checked for what code-scanning services and the KICS scorer read from it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { allRules } from '../../rules/index';
import type { Finding, Rule } from '../../server/src/engine/api';
import { toSarif } from '../../server/src/engine/sarif';
import { copyFixture, emptyWorkspace, fixtures, repoRoot, runCli, write } from './helpers';

// The schema is draft-04 (`id`, not `$id`); nothing else in it differs from what Ajv's default draft reads.
const schema = JSON.parse(fs.readFileSync(path.join(fixtures, 'sarif-schema-2.1.0.json'), 'utf8')) as Record<string, unknown>;
schema.$id = schema.id;
delete schema.id;
delete schema.$schema;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(schema);

function assertValid(log: unknown): void {
  const ok = validate(log);
  assert.ok(ok, `SARIF does not match the 2.1.0 schema:\n${ajv.errorsText(validate.errors, { separator: '\n' })}`);
}

interface SarifResult {
  ruleId: string;
  ruleIndex?: number;
  level: string;
  message: { text: string };
  locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region: { startLine: number; startColumn: number; endLine: number; endColumn: number; snippet?: { text: string } } } }[];
  partialFingerprints: Record<string, string>;
  suppressions?: { kind: string; justification?: string }[];
  fixes?: { description: { text: string }; artifactChanges: { replacements: { deletedRegion: Record<string, number>; insertedContent?: { text: string } }[] }[] }[];
}
interface SarifRule {
  id: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help?: { text: string; markdown?: string };
  defaultConfiguration: { level: string; enabled?: boolean };
  properties: { tags: string[]; 'security-severity': string; kics: string[] };
}
interface SarifLog {
  version: string;
  runs: {
    tool: { driver: { name: string; semanticVersion: string; rules: SarifRule[] } };
    columnKind: string;
    originalUriBaseIds: Record<string, { uri: string }>;
    invocations: { executionSuccessful: boolean; toolExecutionNotifications?: { message: { text: string } }[] }[];
    results: SarifResult[];
  }[];
}

function scanSarif(cwd: string, args: string[] = []): SarifLog {
  const run = runCli(['scan', '--format', 'sarif', '--fail-on', 'none', ...args], { cwd });
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as SarifLog;
}

describe('fourfold scan --format sarif', () => {
  const workspace = copyFixture('workspace-basic');
  const log = scanSarif(workspace);
  const run = log.runs[0];

  it('matches the SARIF 2.1.0 schema', () => {
    assertValid(log);
    assert.equal(log.version, '2.1.0');
    assert.equal(run.columnKind, 'utf16CodeUnits');
    assert.deepEqual(run.invocations.map((i) => i.executionSuccessful), [true]);
    assert.equal(run.originalUriBaseIds['%SRCROOT%'].uri, `file://${fs.realpathSync(workspace)}/`);
  });

  it('describes every rule, with its KICS ids, tags and security severity', () => {
    const driver = run.tool.driver;
    assert.equal(driver.name, 'Fourfold');
    assert.match(driver.semanticVersion, /^\d+\.\d+\.\d+/);
    // Every rule, in the order of the rule index, each with its title, description and KICS ids.
    assert.deepEqual(
      driver.rules.map((r) => [r.id, r.shortDescription.text, r.fullDescription.text, r.properties.kics]),
      allRules.map((r) => [r.id, r.title, r.description, r.references.kics ?? []]),
    );
    for (const rule of driver.rules) {
      const cwe = allRules.find((r) => r.id === rule.id)!.references.cwe ?? [];
      assert.deepEqual(rule.properties.tags.slice(1), ['security', ...cwe.map((c) => `external/cwe/${c.toLowerCase()}`)], rule.id);
      assert.match(rule.properties['security-severity'], /^\d+\.\d$/);
    }
    const userRoot = driver.rules.find((r) => r.id === 'docker/user-root')!;
    assert.deepEqual(userRoot.properties, {
      tags: ['container', 'security', 'external/cwe/cwe-250'],
      'security-severity': '8.0',
      precision: 'high',
      kics: ['fd54f200-402c-4333-a5a4-36ef6709af2f', '67fd0c4a-68cf-46d7-8c41-bc9fba7e40ae'],
      cwe: ['CWE-250'],
      cis: ['CIS Docker 4.1'],
      checkov: ['CKV_DOCKER_3', 'CKV_DOCKER_8'],
      trivy: ['AVD-DS-0002'],
      hadolint: ['DL3002'],
    });
    assert.deepEqual(userRoot.defaultConfiguration, { level: 'error' });
    assert.equal(userRoot.help?.markdown, fs.readFileSync(path.join(repoRoot, 'docs/rules/docker/user-root.md'), 'utf8'), 'the rule page is the help text');
  });

  it('reports each finding with its rule index, level, region and fingerprint', () => {
    const rules = run.tool.driver.rules;
    assert.equal(run.results.length, 13, 'the 11 findings and the 2 suppressed ones');
    for (const result of run.results) {
      assert.equal(rules[result.ruleIndex!].id, result.ruleId);
      assert.match(result.partialFingerprints['fourfold/v1'], /^[0-9a-f]{16}$/);
      const location = result.locations[0].physicalLocation;
      assert.equal(location.artifactLocation.uriBaseId, '%SRCROOT%');
      assert.doesNotMatch(location.artifactLocation.uri, /^\/|\\/);
    }
    const latest = run.results.find((r) => r.ruleId === 'docker/image-tag-latest')!;
    assert.equal(latest.level, 'warning');
    assert.equal(latest.locations[0].physicalLocation.artifactLocation.uri, 'services/api/Dockerfile');
    assert.deepEqual(latest.locations[0].physicalLocation.region, { startLine: 1, startColumn: 13, endLine: 1, endColumn: 19, snippet: { text: 'latest' } });
    const userRoot = run.results.find((r) => r.ruleId === 'docker/user-root' && !r.suppressions)!;
    assert.equal(userRoot.level, 'error');
    // The rule's fix as a SARIF fix: insert USER 10001 before the Dockerfile's CMD (line 8).
    assert.deepEqual(userRoot.fixes, [
      {
        description: { text: 'Add USER 10001' },
        artifactChanges: [
          {
            artifactLocation: { uri: 'Dockerfile', uriBaseId: '%SRCROOT%' },
            replacements: [{ deletedRegion: { startLine: 8, startColumn: 1, endLine: 8, endColumn: 1 }, insertedContent: { text: 'USER 10001\n' } }],
          },
        ],
      },
    ]);
  });

  it('records comment suppressions as inSource with their justification', () => {
    const suppressed = run.results.filter((r) => r.suppressions);
    assert.deepEqual(
      suppressed.map((r) => [r.ruleId, r.suppressions![0].kind, r.suppressions![0].justification]).sort(),
      [
        ['docker/image-not-pinned-digest', 'inSource', 'rebuilt nightly from the mirror'],
        ['docker/user-root', 'inSource', 'a one-shot migration job that must own the volume it prepares'],
      ],
    );
  });

  it('uses the baseline fingerprints', () => {
    const ws = copyFixture('workspace-basic');
    assert.equal(runCli(['scan', '--write-baseline'], { cwd: ws }).code, 0);
    const baseline = JSON.parse(fs.readFileSync(path.join(ws, '.fourfold-baseline.json'), 'utf8')) as { findings: { fingerprint: string }[] };
    const withBaseline = scanSarif(ws);
    assertValid(withBaseline);
    const results = withBaseline.runs[0].results;
    const external = results.filter((r) => r.suppressions?.[0].kind === 'external');
    assert.equal(external.length, 11);
    assert.deepEqual(
      external.map((r) => r.partialFingerprints['fourfold/v1']).sort(),
      baseline.findings.map((f) => f.fingerprint).sort(),
    );
  });

  it('percent-encodes paths, counts columns in UTF-16 units and lists skipped files', () => {
    const ws = emptyWorkspace();
    write(ws, 'my app/Dockerfile', 'FROM alpine:3.20 AS büïld\nLABEL note="🐳🐳" \nFROM büïld\nFROM python:latest\n');
    write(ws, 'data/blob.dockerfile', Buffer.from([1, 0, 2, 0]));
    const sarif = scanSarif(ws);
    assertValid(sarif);
    const latest = sarif.runs[0].results.find((r) => r.ruleId === 'docker/image-tag-latest')!;
    assert.equal(latest.locations[0].physicalLocation.artifactLocation.uri, 'my%20app/Dockerfile');
    assert.equal(latest.locations[0].physicalLocation.region.startLine, 4);
    assert.deepEqual(sarif.runs[0].invocations[0].toolExecutionNotifications, [
      {
        level: 'note',
        message: { text: 'skipped: binary content' },
        locations: [{ physicalLocation: { artifactLocation: { uri: 'data/blob.dockerfile', uriBaseId: '%SRCROOT%' } } }],
      },
    ]);
  });

  it('is valid with no findings at all', () => {
    const ws = emptyWorkspace();
    const sarif = scanSarif(ws);
    assertValid(sarif);
    assert.deepEqual(sarif.runs[0].results, []);
  });
});

describe('toSarif', () => {
  const rule: Rule = {
    id: 'docker/example',
    title: 'Example',
    severity: 'low',
    layer: 'container',
    category: 'security',
    model: 'dockerfile',
    description: 'An example rule.',
    references: { cwe: ['250'], kics: ['ABC'], hadolint: ['DL3002'] },
    messages: { m: 'message' },
    check() {},
  };
  const text = 'FROM a\n🐳 x\r\nUSER root\n';
  const at = text.indexOf('x');
  const findings: Finding[] = [
    {
      ruleId: 'docker/example',
      messageId: 'm',
      message: 'example',
      severity: 'critical',
      span: { start: at, end: at + 1 },
      fix: { title: 'Insert and replace', edits: [{ span: { start: 0, end: 0 }, newText: '# x\n' }, { span: { start: at, end: at + 1 }, newText: '' }] },
    },
    { ruleId: 'other/unknown', messageId: 'm', message: 'from a rule not in the list', severity: 'info', span: { start: text.length, end: text.length } },
  ];

  it('writes 1-based UTF-16 regions, maps levels, and omits ruleIndex for unknown rules', () => {
    const log = toSarif([{ uri: 'file:///abs/Dockerfile', text, findings }], [rule], { toolVersion: '1.2.3' }) as unknown as SarifLog;
    assertValid(log);
    const [first, second] = log.runs[0].results;
    assert.deepEqual(first.locations[0].physicalLocation.region, { startLine: 2, startColumn: 4, endLine: 2, endColumn: 5, snippet: { text: 'x' } });
    assert.equal(first.level, 'error');
    assert.equal(first.ruleIndex, 0);
    assert.equal(first.locations[0].physicalLocation.artifactLocation.uri, 'file:///abs/Dockerfile');
    assert.deepEqual(first.fixes![0].artifactChanges[0].replacements, [
      { deletedRegion: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 }, insertedContent: { text: '# x\n' } },
      { deletedRegion: { startLine: 2, startColumn: 4, endLine: 2, endColumn: 5 } },
    ]);
    assert.equal(second.ruleIndex, undefined);
    assert.equal(second.level, 'note');
    assert.deepEqual(second.locations[0].physicalLocation.region, { startLine: 4, startColumn: 1, endLine: 4, endColumn: 1 });
    const descriptor = log.runs[0].tool.driver.rules[0] as SarifRule & { properties: Record<string, unknown> };
    assert.deepEqual(descriptor.properties.tags, ['container', 'security', 'external/cwe/cwe-250']);
    assert.deepEqual(descriptor.properties.cwe, ['CWE-250']);
    assert.equal(descriptor.properties['security-severity'], '3.0');
    assert.deepEqual(descriptor.properties.kics, ['ABC']);
  });

  it('marks rules that are turned off as disabled', () => {
    const log = toSarif([], [rule], { toolVersion: '1.2.3', ruleSeverity: () => undefined }) as unknown as SarifLog;
    assertValid(log);
    assert.deepEqual(log.runs[0].tool.driver.rules[0].defaultConfiguration, { enabled: false, level: 'note' });
  });
});
