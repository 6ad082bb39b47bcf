// The fixture runner: checks one rule against its fixtures and returns every way the findings differ
// from what the fixtures state. It never throws on a bad fixture or a bad rule, so
// test/rules.test.ts can list all problems at once and test/fixtures-mutation.test.ts can count
// which mutated rules get caught. The annotation syntax is described in test/rules.test.ts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Span } from '../server/src/core/span';
import { LineIndex } from '../server/src/core/text';
import type { AnyRule, Edit, Finding, Related, Severity } from '../server/src/engine/api';
import { defaultConfig, type Config } from '../server/src/engine/config';
import { applyEdits } from '../server/src/engine/edits';
import { Engine } from '../server/src/engine/engine';
import { commentSyntax, detectKind } from '../server/src/engine/languages';
import { loadShippedData } from '../server/src/workspace/data';
import { Workspace } from '../server/src/workspace/workspace';
import {
  annotationComment,
  formatAnnotation,
  formatLocator,
  locateInFile,
  locateOnLine,
  locatorFor,
  occurrenceInFile,
  readAnnotations,
  readExpectedJson,
  type ExpectationSpec,
  type FileAnnotations,
  type FixSpec,
  type JsonExpectation,
  type PlaceSpec,
} from './fixture-annotations';

/** Fixtures are checked as on this day (or settings.json's `today`): date-dependent rules stay stable. */
export const FIXTURE_DAY = '2026-11-26';

/** What kind of difference a failure is: the mutation test checks that each mutation causes its kind. */
export type FailureKind =
  | 'fixtures' // no fixture, no ruleid annotation, a stray .fixed or .expected.json, bad settings.json
  | 'annotation' // an annotation that cannot be read or located, names another rule or an unknown message id
  | 'unexpected' // a finding with no annotation
  | 'missing' // an annotation with no finding
  | 'span' // a finding on the annotated line whose span differs
  | 'messageId'
  | 'severity'
  | 'duplicate' // two findings of the rule with the same span
  | 'message' // an unfilled {{placeholder}}, `undefined`, `[object Object]` in a message
  | 'related' // related locations or flow steps differ
  | 'ok' // a line annotated `ok:` gets a finding
  | 'fix' // the fix is not the one stated, or its title is malformed
  | 'fixed' // the .fixed file is missing or differs, fixes overlap, parse errors, findings left
  | 'rule-error'; // the rule threw

export interface FixtureFailure {
  kind: FailureKind;
  /** Path relative to the rule's fixtures folder. */
  file?: string;
  /** 1-based. */
  line?: number;
  message: string;
}

export interface Fixture {
  /** Name in the fixtures folder: a file or a folder. */
  name: string;
  /** The rule's fixtures folder. */
  dir: string;
  folder: boolean;
}

type FixtureSettings = Partial<Config> & { today?: string };

const FIXED_NAME = /\.fixed(\.[^/]*)?$/;
const EXPECTED_SUFFIX = '.expected.json';
const SETTINGS = 'settings.json';
/** A folder fixture's own list of expected findings. */
const FOLDER_EXPECTED = 'expected.json';

/** `name.fixed.ext` for `name.ext`, `Dockerfile.fixed` for `Dockerfile`, `name.fixed/` for a folder. */
export function fixedName(name: string, folder: boolean): string {
  if (folder) return `${name}.fixed`;
  const ext = path.extname(name);
  return ext ? `${name.slice(0, -ext.length)}.fixed${ext}` : `${name}.fixed`;
}

/** The fixtures of a rule, and what in its fixtures folder belongs to none. */
export function listFixtures(dir: string): { fixtures: Fixture[]; strays: FixtureFailure[] } {
  if (!fs.existsSync(dir)) return { fixtures: [], strays: [] };
  const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const fixtures: Fixture[] = [];
  const companions: { name: string; of: string }[] = [];
  for (const entry of entries) {
    if (entry.name === SETTINGS && entry.isFile()) continue;
    if (FIXED_NAME.test(entry.name)) companions.push({ name: entry.name, of: 'fixed' });
    else if (entry.name.endsWith(EXPECTED_SUFFIX) && entry.isFile()) companions.push({ name: entry.name, of: 'expected' });
    else if (entry.isDirectory() || entry.isFile()) fixtures.push({ name: entry.name, dir, folder: entry.isDirectory() });
  }
  const strays: FixtureFailure[] = [];
  for (const companion of companions) {
    const owner = fixtures.find((f) =>
      companion.of === 'fixed' ? fixedName(f.name, f.folder) === companion.name : !f.folder && `${f.name}${EXPECTED_SUFFIX}` === companion.name,
    );
    if (!owner) {
      strays.push({
        kind: 'fixtures',
        file: companion.name,
        message: companion.of === 'fixed' ? 'no fixture of this name: a .fixed file sits beside the fixture it is the fixed version of' : 'no fixture of this name: <fixture>.expected.json sits beside <fixture>',
      });
    }
  }
  return { fixtures, strays };
}

function filesUnder(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...filesUnder(path.join(dir, entry.name), rel));
    else if (entry.isFile()) out.push(rel);
  }
  return out.sort();
}

/** A fixture's files as a project: relative path (forward slashes) -> text. */
function projectFiles(fixture: Fixture): Map<string, string> {
  const files = new Map<string, string>();
  const at = path.join(fixture.dir, fixture.name);
  if (!fixture.folder) files.set(fixture.name, fs.readFileSync(at, 'utf8'));
  else for (const rel of filesUnder(at)) if (rel !== FOLDER_EXPECTED) files.set(rel, fs.readFileSync(path.join(at, ...rel.split('/')), 'utf8'));
  return files;
}

/** Where expected.json for a fixture is, if it has one. */
function expectedJsonPath(fixture: Fixture): string {
  return fixture.folder ? path.join(fixture.dir, fixture.name, FOLDER_EXPECTED) : path.join(fixture.dir, `${fixture.name}${EXPECTED_SUFFIX}`);
}

function readSettings(dir: string): FixtureSettings | string {
  const file = path.join(dir, SETTINGS);
  if (!fs.existsSync(file)) return {};
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as FixtureSettings;
  } catch (error) {
    return `${SETTINGS}: ${(error as Error).message}`;
  }
}

/** An engine that runs only `rule`, on the fixture day, with the folder's settings. */
export function fixtureEngine(rule: AnyRule, settings: FixtureSettings): Engine {
  const { today, ...rest } = settings;
  const config: Config = { ...defaultConfig(), ...rest };
  config.rules = { [rule.id]: 'on' };
  return new Engine([rule], config, { today: () => today ?? FIXTURE_DAY, loadData: loadShippedData });
}

/** Writes a project into a fresh temporary folder, runs `fn` on it and removes it. */
async function inTemporaryFolder<T>(files: ReadonlyMap<string, string>, fn: (root: string) => Promise<T>): Promise<T> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fourfold-fixture-'));
  try {
    for (const [rel, text] of files) {
      const abs = path.join(root, ...rel.split('/'));
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      fs.writeFileSync(abs, text);
    }
    return await fn(root);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

interface Located {
  file: string;
  finding: Finding;
}

/**
 * Checks every file of a project rooted at `root` as the editor would, with fixes built. Findings
 * that start on an annotation line are the fixture's own doing (a secret rule sees the token quoted
 * in its annotation) and are left out; so are suppressed ones, which the user does not see.
 */
async function checkProject(engine: Engine, root: string, files: ReadonlyMap<string, string>): Promise<{ findings: Located[]; errors: string[] }> {
  const workspace = new Workspace(root, engine);
  await workspace.buildIndex();
  const findings: Located[] = [];
  const errors: string[] = [];
  for (const [file, text] of files) {
    const result = workspace.check({ path: file, text }, { fixes: true });
    for (const e of result.ruleErrors) errors.push(`${file}: ${e.error}`);
    const annotationLines = readAnnotations(text).annotationLines;
    const lines = new LineIndex(text);
    for (const finding of result.findings) {
      if (!finding.suppression && !annotationLines.has(lines.position(finding.span.start).line)) findings.push({ file, finding });
    }
  }
  return { findings, errors };
}

/** What a fixture says must be reported, located in its files. */
interface Expected {
  file: string;
  /** 0-based line the finding must start on. */
  line: number;
  /** Where it is written, 1-based line for annotations. */
  source: { file: string; line?: number; entry?: number };
  spec: ExpectationSpec;
  span: Span;
}

interface ReadFixture {
  expected: Expected[];
  oks: { file: string; line: number; ruleId: string }[];
  failures: FixtureFailure[];
}

const slashes = (p: string) => p.split(path.sep).join('/');

/** Reads and locates every annotation and expected.json entry of a fixture. */
function readFixture(rule: AnyRule, fixture: Fixture, files: ReadonlyMap<string, string>, annotations: Map<string, FileAnnotations>): ReadFixture {
  const out: ReadFixture = { expected: [], oks: [], failures: [] };
  const where = (file: string) => (fixture.folder ? `${fixture.name}/${file}` : fixture.name);
  const problem = (kind: FailureKind, file: string, line: number | undefined, message: string) =>
    out.failures.push({ kind, file: where(file), line: line === undefined ? undefined : line + 1, message });

  const checkSpec = (spec: ExpectationSpec, file: string, line: number | undefined): boolean => {
    if (spec.ruleId !== rule.id) {
      problem('annotation', file, line, `names ${spec.ruleId}, but only ${rule.id} runs on these fixtures: move it to that rule's fixtures`);
      return false;
    }
    if (!(spec.messageId in rule.messages)) {
      problem('annotation', file, line, `${rule.id} has no message ${spec.messageId} (it has ${Object.keys(rule.messages).join(', ')})`);
      return false;
    }
    return true;
  };
  const locatePlaces = (places: PlaceSpec[], file: string, line: number | undefined): boolean => {
    for (const place of places) {
      const target = place.file ?? file;
      const text = files.get(target);
      if (text === undefined) {
        problem('annotation', file, line, `related file ${target} is not in the fixture`);
        return false;
      }
      const span = locateInFile(new LineIndex(text), place.at, annotations.get(target)?.annotationLines);
      if (typeof span === 'string') {
        problem('annotation', file, line, `related ${formatLocator(place.at)}: ${span}`);
        return false;
      }
    }
    return true;
  };

  for (const [file, text] of files) {
    const read = annotations.get(file)!;
    const lines = new LineIndex(text);
    for (const p of read.problems) problem('annotation', file, p.line, p.message);
    for (const ok of read.oks) {
      if (ok.ruleId !== rule.id) problem('annotation', file, ok.commentLine, `names ${ok.ruleId}, but only ${rule.id} runs on these fixtures: move it to that rule's fixtures`);
      else out.oks.push({ file, line: ok.line, ruleId: ok.ruleId });
    }
    for (const annotation of read.ruleIds) {
      if (!checkSpec(annotation.spec, file, annotation.commentLine)) continue;
      const span = locateOnLine(lines, annotation.line, annotation.spec.at);
      if (typeof span === 'string') {
        problem('annotation', file, annotation.commentLine, span);
        continue;
      }
      if (!locatePlaces([...annotation.spec.related, ...annotation.spec.flow], file, annotation.commentLine)) continue;
      if (out.oks.some((ok) => ok.file === file && ok.line === annotation.line)) {
        problem('annotation', file, annotation.commentLine, `line ${annotation.line + 1} is annotated both ruleid and ok for ${rule.id}`);
      }
      out.expected.push({ file, line: annotation.line, source: { file, line: annotation.commentLine + 1 }, spec: annotation.spec, span });
    }
  }

  const jsonPath = expectedJsonPath(fixture);
  if (fs.existsSync(jsonPath)) {
    const jsonName = slashes(path.relative(fixture.dir, jsonPath));
    const read = readExpectedJson(fs.readFileSync(jsonPath, 'utf8'));
    for (const p of read.problems) out.failures.push({ kind: 'annotation', file: jsonName, message: p });
    for (const entry of read.entries) {
      const fail = (message: string) => out.failures.push({ kind: 'annotation', file: jsonName, message: `entry ${entry.index + 1}: ${message}` });
      const file = entry.file ?? (fixture.folder ? undefined : fixture.name);
      if (file === undefined) {
        fail('a folder fixture\'s entries name their "file"');
        continue;
      }
      const text = files.get(file);
      if (text === undefined) {
        fail(`file ${file} is not in the fixture`);
        continue;
      }
      if (!checkSpec(entry.spec, file, undefined)) continue;
      const lines = new LineIndex(text);
      const span = locateInFile(lines, entry.spec.at, annotations.get(file)?.annotationLines);
      if (typeof span === 'string') {
        fail(span);
        continue;
      }
      if (!locatePlaces([...entry.spec.related, ...entry.spec.flow], file, undefined)) continue;
      out.expected.push({ file, line: lines.position(span.start).line, source: { file: jsonName, entry: entry.index + 1 }, spec: entry.spec, span });
    }
  }
  return out;
}

/** 1-based `line:col-line:col` of a span, for messages. */
function showSpan(text: string, span: Span): string {
  const lines = new LineIndex(text);
  const a = lines.position(span.start);
  const b = lines.position(span.end);
  return `${a.line + 1}:${a.character + 1}-${b.line + 1}:${b.character + 1}`;
}

const PLACEHOLDER = /\{\{[^}]*\}\}/;
/** Values that leak into a message or title when a rule passes the wrong data. */
const LEAKS = ['undefined', 'NaN', '[object Object]', 'null'];

/** What is wrong with a message's wording: an unfilled placeholder, a leaked `undefined`. */
function messageProblem(message: string, template: string | undefined): string | undefined {
  if (PLACEHOLDER.test(message)) return `unfilled placeholder ${PLACEHOLDER.exec(message)![0]} in "${message}"`;
  const leak = LEAKS.find((word) => new RegExp(`(^|\\W)${word.replace(/[[\]]/g, '\\$&')}(\\W|$)`).test(message) && !template?.includes(word));
  return leak ? `"${leak}" in "${message}"` : undefined;
}

/** What is wrong with a fix's title, whatever the fixture says. */
export function fixTitleProblem(title: string): string | undefined {
  if (title.trim() === '') return 'the fix has an empty title';
  if (!/^\p{Lu}/u.test(title)) return `the fix title "${title}" does not start with a capital letter`;
  if (title.includes('{{') || title.includes('}}')) return `the fix title "${title}" has an unfilled placeholder`;
  const leak = LEAKS.find((word) => title.includes(word));
  if (leak) return `the fix title "${title}" contains "${leak}"`;
  return undefined;
}

/** The expectation that would match a finding: what the runner suggests writing. */
function specOf(rule: AnyRule, located: Located, files: ReadonlyMap<string, string>, annotations: Map<string, FileAnnotations>, inFile: boolean): ExpectationSpec {
  const { finding, file } = located;
  const lines = new LineIndex(files.get(file)!);
  const place = (r: Related): PlaceSpec => {
    const target = r.path ?? file;
    const text = files.get(target);
    const at = text === undefined ? { text: '?', occurrence: 1 } : locatorFor(new LineIndex(text), r.span, true, annotations.get(target)?.annotationLines);
    return { file: r.path && r.path !== file ? r.path : undefined, at, message: r.message };
  };
  return {
    ruleId: finding.ruleId,
    messageId: finding.messageId,
    at: locatorFor(lines, finding.span, inFile, annotations.get(file)?.annotationLines),
    severity: finding.severity !== rule.severity ? finding.severity : undefined,
    fix: finding.fix ? { title: finding.fix.title, safety: finding.fix.safety ?? 'safe' } : null,
    related: (finding.related ?? []).map(place),
    flow: (finding.flow ?? []).map(place),
  };
}

/** How to state a finding: an annotation in the file's comment syntax, or an expected.json entry. */
function suggestion(rule: AnyRule, located: Located, files: ReadonlyMap<string, string>, annotations: Map<string, FileAnnotations>): string {
  const source = files.get(located.file)!;
  const comment = commentSyntax(detectKind(located.file), located.file) ?? annotationComment(source);
  if (comment) return `add above it:\n    ${formatAnnotation(specOf(rule, located, files, annotations, false), comment).join('\n    ')}`;
  const spec = specOf(rule, located, files, annotations, true);
  const text = source.slice(located.finding.span.start, located.finding.span.end);
  const entry: JsonExpectation = { file: located.file, ruleId: spec.ruleId, messageId: spec.messageId, text };
  const occurrence = occurrenceInFile(new LineIndex(source), located.finding.span, annotations.get(located.file)?.annotationLines);
  if (occurrence > 1) entry.occurrence = occurrence;
  if (spec.severity) entry.severity = spec.severity;
  if (spec.fix) entry[spec.fix.safety === 'suggestion' ? 'suggest' : 'fix'] = spec.fix.title;
  return `add to expected.json: ${JSON.stringify(entry)}`;
}

const showFix = (fix: FixSpec | null) => (fix ? `${fix.safety === 'suggestion' ? 'suggest' : 'fix'}=${JSON.stringify(fix.title)}` : 'no fix');

/** Compares the places (related locations or flow steps) a finding has with those stated. */
function placesDiffer(actual: Related[] | undefined, stated: PlaceSpec[], file: string, files: ReadonlyMap<string, string>, annotations: Map<string, FileAnnotations>): string | undefined {
  const got = actual ?? [];
  const describe = (r: Related) => {
    const target = r.path ?? file;
    const text = files.get(target);
    if (text === undefined) return `${target} (not in the fixture) ${JSON.stringify(r.message)}`;
    const lines = new LineIndex(text);
    const skip = annotations.get(target)?.annotationLines;
    const at = locatorFor(lines, r.span, true, skip);
    const located = locateInFile(lines, at, skip);
    const exact = typeof located !== 'string' && located.start === r.span.start && located.end === r.span.end;
    return `${r.path && r.path !== file ? `${r.path} ` : ''}${formatLocator(at)}${exact ? '' : ` (at ${showSpan(text, r.span)}, which a fixture cannot name)`} ${JSON.stringify(r.message)}`;
  };
  const expectedSpans = stated.map((p) => {
    const target = p.file ?? file;
    const span = locateInFile(new LineIndex(files.get(target)!), p.at, annotations.get(target)?.annotationLines) as Span;
    return { target, span, message: p.message };
  });
  const same =
    got.length === stated.length &&
    got.every((r, i) => (r.path ?? file) === expectedSpans[i].target && r.span.start === expectedSpans[i].span.start && r.span.end === expectedSpans[i].span.end && r.message === expectedSpans[i].message);
  if (same) return undefined;
  const shownStated = stated.map((p) => `${p.file ? `${p.file} ` : ''}${formatLocator(p.at)} ${JSON.stringify(p.message)}`);
  return `stated [${shownStated.join('; ')}], reported [${got.map(describe).join('; ')}]`;
}

/**
 * Compares a fixture's findings with its annotations and expected.json, then applies every fix and
 * compares the result with the `.fixed` file or folder. Returns the failures; never throws for a
 * wrong rule or fixture.
 */
export async function checkFixture(rule: AnyRule, fixture: Fixture): Promise<FixtureFailure[]> {
  const settings = readSettings(fixture.dir);
  if (typeof settings === 'string') return [{ kind: 'fixtures', file: SETTINGS, message: settings }];
  const engine = fixtureEngine(rule, settings);
  const files = projectFiles(fixture);
  const annotations = new Map([...files].map(([file, text]) => [file, readAnnotations(text)]));
  const read = readFixture(rule, fixture, files, annotations);
  const failures = [...read.failures];
  const where = (file: string) => (fixture.folder ? `${fixture.name}/${file}` : fixture.name);
  const fail = (kind: FailureKind, file: string, line: number | undefined, message: string) =>
    failures.push({ kind, file: where(file), line: line === undefined ? undefined : line + 1, message });

  let checked: { findings: Located[]; errors: string[] };
  try {
    checked = await inTemporaryFolder(files, (root) => checkProject(engine, root, files));
  } catch (error) {
    return [...failures, { kind: 'rule-error', file: fixture.name, message: `checking threw: ${(error as Error).stack ?? error}` }];
  }
  for (const error of checked.errors) failures.push({ kind: 'rule-error', file: fixture.name, message: `the rule threw: ${error}` });
  const lineOf = (l: Located) => new LineIndex(files.get(l.file)!).position(l.finding.span.start).line;
  const textOf = (file: string, span: Span) => files.get(file)!.slice(span.start, span.end);

  // Every finding's wording, whatever the annotations say.
  for (const located of checked.findings) {
    const { finding, file } = located;
    const problem = messageProblem(finding.message, rule.messages[finding.messageId]);
    if (problem) fail('message', file, lineOf(located), `${finding.messageId}: ${problem}`);
    for (const r of [...(finding.related ?? []), ...(finding.flow ?? [])]) {
      const relatedProblem = messageProblem(r.message, undefined);
      if (relatedProblem) fail('message', file, lineOf(located), `related location of ${finding.messageId}: ${relatedProblem}`);
    }
    if (finding.fix) {
      const titleProblem = fixTitleProblem(finding.fix.title);
      if (titleProblem) fail('fix', file, lineOf(located), titleProblem);
      if (finding.fix.edits.length === 0) fail('fix', file, lineOf(located), `the fix "${finding.fix.title}" has no edits`);
    }
  }

  // Two findings of the rule with one span: the user sees the same problem twice.
  const pool: Located[] = [];
  const seen = new Map<string, number>();
  for (const located of checked.findings) {
    const key = `${located.finding.ruleId}\0${located.file}\0${located.finding.span.start}\0${located.finding.span.end}`;
    const count = (seen.get(key) ?? 0) + 1;
    seen.set(key, count);
    if (count === 1) pool.push(located);
    else if (count === 2) {
      fail('duplicate', located.file, lineOf(located), `${located.finding.ruleId} reports ${JSON.stringify(textOf(located.file, located.finding.span))} (${showSpan(files.get(located.file)!, located.finding.span)}) more than once (${located.finding.messageId})`);
    }
  }

  // Pair findings with expectations: exact span and message id first, then looser, to say what differs.
  const unmatched = new Set(pool);
  const expectations = new Set(read.expected);
  const pairs: { expected: Expected; actual: Located }[] = [];
  const pairBy = (same: (e: Expected, a: Located) => boolean) => {
    for (const expected of expectations) {
      const actual = [...unmatched].find((a) => a.finding.ruleId === rule.id && same(expected, a));
      if (!actual) continue;
      expectations.delete(expected);
      unmatched.delete(actual);
      pairs.push({ expected, actual });
    }
  };
  const sameSpan = (e: Expected, a: Located) => a.file === e.file && a.finding.span.start === e.span.start && a.finding.span.end === e.span.end;
  const sameLine = (e: Expected, a: Located) => a.file === e.file && lineOf(a) === e.line;
  pairBy((e, a) => sameSpan(e, a) && a.finding.messageId === e.spec.messageId);
  pairBy(sameSpan);
  pairBy((e, a) => sameLine(e, a) && a.finding.messageId === e.spec.messageId);
  pairBy(sameLine);

  const stated = (e: Expected) => (e.source.entry !== undefined ? `expected.json entry ${e.source.entry}` : `the annotation on line ${e.source.line}`);
  for (const { expected, actual } of pairs) {
    const { finding, file } = actual;
    const line = lineOf(actual);
    const text = files.get(file)!;
    if (finding.span.start !== expected.span.start || finding.span.end !== expected.span.end) {
      fail('span', file, line, `${rule.id} flags ${JSON.stringify(textOf(file, finding.span))} (${showSpan(text, finding.span)}), ${stated(expected)} says ${formatLocator(expected.spec.at)} (${showSpan(text, expected.span)})`);
    }
    if (finding.messageId !== expected.spec.messageId) {
      fail('messageId', file, line, `${rule.id} reports message ${finding.messageId}, ${stated(expected)} says ${expected.spec.messageId}`);
    }
    const severity: Severity = expected.spec.severity ?? rule.severity;
    if (finding.severity !== severity) {
      fail('severity', file, line, `${rule.id} reports severity ${finding.severity}, ${stated(expected)} says ${severity}${expected.spec.severity ? '' : ' (the rule\'s default)'}`);
    }
    const fix: FixSpec | null = finding.fix ? { title: finding.fix.title, safety: finding.fix.safety ?? 'safe' } : null;
    if (showFix(fix) !== showFix(expected.spec.fix)) {
      fail('fix', file, line, `${rule.id} offers ${showFix(fix)}, ${stated(expected)} says ${showFix(expected.spec.fix)}`);
    }
    const related = placesDiffer(finding.related, expected.spec.related, file, files, annotations);
    if (related) fail('related', file, line, `related locations: ${related}`);
    const flow = placesDiffer(finding.flow, expected.spec.flow, file, files, annotations);
    if (flow) fail('related', file, line, `flow steps: ${flow}`);
  }
  for (const expected of expectations) {
    const writtenIn = expected.source.entry !== undefined ? expected.file : expected.source.file;
    fail('missing', writtenIn, expected.source.line !== undefined ? expected.source.line - 1 : expected.line, `no finding of ${rule.id} ${expected.spec.messageId} ${formatLocator(expected.spec.at)} on line ${expected.line + 1}`);
  }
  for (const actual of unmatched) {
    const { finding, file } = actual;
    const line = lineOf(actual);
    const shown = `${finding.ruleId} ${finding.messageId} ${JSON.stringify(textOf(file, finding.span))} (${showSpan(files.get(file)!, finding.span)})`;
    if (finding.ruleId !== rule.id) fail('unexpected', file, line, `a finding of another rule: ${shown}: ${finding.message}`);
    else if (read.oks.some((ok) => ok.file === file && ok.line === line)) fail('ok', file, line, `the line is annotated ok: ${rule.id}, but gets ${shown}`);
    else fail('unexpected', file, line, `${shown} has no annotation; ${suggestion(rule, actual, files, annotations)}`);
  }

  failures.push(...(await checkFixes(rule, fixture, engine, files, pool.filter((l) => l.finding.ruleId === rule.id))));
  return failures;
}

/** The files a set of fixes changes or creates, with what is wrong in applying them. */
function applyFixes(fixable: Located[], files: ReadonlyMap<string, string>): { changed: Map<string, string>; problems: string[] } {
  const byFile = new Map<string, Edit[]>();
  const problems: string[] = [];
  for (const { file, finding } of fixable) {
    for (const edit of finding.fix!.edits) {
      const target = edit.path ?? file;
      let list = byFile.get(target);
      if (!list) byFile.set(target, (list = []));
      list.push(edit);
    }
  }
  const changed = new Map<string, string>();
  for (const [target, edits] of byFile) {
    const creates = edits.filter((e) => e.create);
    if (creates.length > 0) {
      if (creates.length > 1 || edits.length > 1) problems.push(`fixes both create and edit ${target}, or create it twice`);
      if (files.has(target)) problems.push(`a fix creates ${target}, which exists`);
      changed.set(target, creates[0].newText);
      continue;
    }
    const original = files.get(target);
    if (original === undefined) {
      problems.push(`a fix edits ${target}, which is not in the fixture`);
      continue;
    }
    const { text, applied } = applyEdits(original, edits);
    if (applied !== edits.length) problems.push(`fix edits in ${target} overlap: ${edits.length - applied} of ${edits.length} could not be applied`);
    if (text !== original) changed.set(target, text);
  }
  return { changed, problems };
}

/**
 * Applies every fix of the fixture: the result must equal the `.fixed` file (or each file of the
 * `.fixed/` folder), parse with no new errors, and lose the fixed findings.
 */
async function checkFixes(rule: AnyRule, fixture: Fixture, engine: Engine, files: ReadonlyMap<string, string>, findings: Located[]): Promise<FixtureFailure[]> {
  const failures: FixtureFailure[] = [];
  const fixedPath = path.join(fixture.dir, fixedName(fixture.name, fixture.folder));
  const fixedRel = fixedName(fixture.name, fixture.folder);
  const fail = (message: string, file = fixedRel) => failures.push({ kind: 'fixed', file, message });
  const fixable = findings.filter((l) => l.finding.fix);
  const hasFixed = fs.existsSync(fixedPath);
  if (fixable.length === 0) {
    if (hasFixed) fail(`no finding of ${rule.id} in ${fixture.name} offers a fix, yet ${fixedRel} exists`);
    return failures;
  }
  if (!hasFixed) fail(`${fixable.length} finding(s) in ${fixture.name} offer a fix; write the expected result of applying them all to ${fixedRel}`, fixture.name);

  const { changed, problems } = applyFixes(fixable, files);
  for (const problem of problems) fail(problem, fixture.name);
  if (hasFixed) {
    if (!fixture.folder) {
      for (const target of changed.keys()) if (target !== fixture.name) fail(`a fix changes ${target}, another file: make ${fixture.name} a folder fixture with a ${fixture.name}.fixed/ folder`, fixture.name);
      const got = changed.get(fixture.name) ?? files.get(fixture.name)!;
      if (got !== fs.readFileSync(fixedPath, 'utf8')) fail(`applying every fix to ${fixture.name} does not give ${fixedRel}:\n${firstDifference(fs.readFileSync(fixedPath, 'utf8'), got)}`);
    } else {
      const expected = new Map(filesUnder(fixedPath).map((rel) => [rel, fs.readFileSync(path.join(fixedPath, ...rel.split('/')), 'utf8')]));
      for (const [rel, text] of changed) {
        if (!expected.has(rel)) fail(`the fixes change ${rel}; ${fixedRel}/ must hold what it becomes`);
        else if (expected.get(rel) !== text) fail(`applying every fix does not give ${fixedRel}/${rel}:\n${firstDifference(expected.get(rel)!, text)}`);
      }
      for (const rel of expected.keys()) if (!changed.has(rel)) fail(`${fixedRel}/${rel}: the fixes leave ${rel} unchanged (or do not create it); ${fixedRel}/ holds only the files they change`);
    }
  }

  // The result parses no worse than before, and the fixed findings are gone.
  for (const [rel, text] of changed) {
    const before = files.has(rel) ? engine.analyze({ path: rel, text: files.get(rel)! }).parseErrors.length : 0;
    const after = engine.analyze({ path: rel, text }).parseErrors;
    if (after.length > before) fail(`after the fixes ${rel} has ${after.length} parse error(s), ${before} before: ${after.map((e) => e.message).join('; ')}`, fixture.name);
  }
  const result = new Map([...files, ...changed]);
  try {
    const recheck = await inTemporaryFolder(result, (root) => checkProject(engine, root, result));
    const left = recheck.findings.filter((l) => l.finding.ruleId === rule.id);
    if (left.length !== findings.length - fixable.length) {
      fail(`after the fixes ${left.length} finding(s) of ${rule.id} are left, expected ${findings.length - fixable.length} (${findings.length} before, ${fixable.length} fixed)`, fixture.name);
    }
    const stillFixable = left.filter((l) => l.finding.fix);
    if (stillFixable.length > 0) fail(`a fixable finding survived the fixes: ${stillFixable.map((l) => `${l.file} ${l.finding.messageId}`).join(', ')}`, fixture.name);
  } catch (error) {
    failures.push({ kind: 'rule-error', file: fixture.name, message: `checking the fixed files threw: ${(error as Error).stack ?? error}` });
  }
  return failures;
}

/** The first line where two texts differ, both ways, for a readable failure. */
function firstDifference(expected: string, actual: string): string {
  const a = expected.split('\n');
  const b = actual.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `  line ${i + 1}: expected ${JSON.stringify(a[i] ?? '(end of file)')}\n  line ${i + 1}:   actual ${JSON.stringify(b[i] ?? '(end of file)')}`;
  }
  return '  (they differ only in line endings)';
}

/** What is wrong with a rule's fixtures as a whole: none at all, none that says where the rule fires. */
export function checkFixtureSet(rule: AnyRule, dir: string): FixtureFailure[] {
  const { fixtures, strays } = listFixtures(dir);
  const failures = [...strays];
  const shown = slashes(path.relative(process.cwd(), dir)) || dir;
  if (fixtures.length === 0) return [...failures, { kind: 'fixtures', message: `${shown} has no fixture` }];
  const fires = fixtures.some((fixture) => {
    const files = projectFiles(fixture);
    if ([...files.values()].some((text) => readAnnotations(text).ruleIds.some((a) => a.spec.ruleId === rule.id))) return true;
    const json = expectedJsonPath(fixture);
    return fs.existsSync(json) && readExpectedJson(fs.readFileSync(json, 'utf8')).entries.some((e) => e.spec.ruleId === rule.id);
  });
  if (!fires) failures.push({ kind: 'fixtures', message: `no fixture of ${rule.id} says where it fires: add a "ruleid: ${rule.id} …" annotation (or an expected.json entry)` });
  return failures;
}

/** Every failure of a rule's fixtures: the set, then each fixture. */
export async function checkRuleFixtures(rule: AnyRule, dir: string): Promise<FixtureFailure[]> {
  const failures = checkFixtureSet(rule, dir);
  for (const fixture of listFixtures(dir).fixtures) failures.push(...(await checkFixture(rule, fixture)));
  return failures;
}

export function formatFailures(failures: readonly FixtureFailure[]): string {
  return failures.map((f) => `${f.file ?? ''}${f.line ? `:${f.line}` : ''}${f.file ? ': ' : ''}[${f.kind}] ${f.message}`).join('\n');
}
