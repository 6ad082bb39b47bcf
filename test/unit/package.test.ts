// The extension manifest and the packaged .vsix: what VS Code reads before any of our code runs.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { defaultConfig } from '../../server/src/engine/config';
import { ClientCommand, ServerCommand } from '../../server/src/lsp/protocol';
import { packageVsix, zipEntries } from '../e2e/vsix';

const root = path.resolve(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const contributes = pkg.contributes;

function sources(dir: string): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) {
      const file = path.join(entry.parentPath, entry.name);
      out.push({ file: path.relative(root, file), text: fs.readFileSync(file, 'utf8') });
    }
  }
  return out;
}

/** Command ids written where a command is named: `command: '…'`, registerCommand('…'), executeCommand('…'). */
function commandLiterals(dir: string): Set<string> {
  const found = new Set<string>();
  const named = /(?:\bcommand:\s*|registerCommand\(\s*|executeCommand(?:<[^>]*>)?\(\s*)['"`](fourfold\.[\w.]+)['"`]/g;
  for (const { text } of sources(dir)) for (const m of text.matchAll(named)) found.add(m[1]);
  return found;
}

describe('package.json contributes', () => {
  const contributed = new Map<string, { title: string; category?: string }>(
    contributes.commands.map((c: { command: string; title: string; category?: string }) => [c.command, c]),
  );

  test('every command has a title and the Fourfold category', () => {
    for (const [id, c] of contributed) {
      assert.ok(c.title && c.title.trim() === c.title, `${id} has a title`);
      assert.equal(c.category, 'Fourfold', `${id} is in the Fourfold category`);
    }
    assert.deepEqual(
      [...contributed.keys()].sort(),
      Object.values(ClientCommand).sort(),
      'the contributed commands are exactly the client commands (client/src/protocol.ts)',
    );
  });

  test('the palette titles are the documented ones; the internal snippet command is hidden', () => {
    const titles = Object.fromEntries([...contributed].map(([id, c]) => [id, c.title]));
    assert.equal(titles['fourfold.scanWorkspace'], 'Scan Workspace');
    assert.equal(titles['fourfold.exportSarif'], 'Export SARIF Report');
    assert.equal(titles['fourfold.showRuleDocumentation'], 'Show Rule Documentation');
    assert.equal(titles['fourfold.writeBaseline'], 'Accept Current Findings as Baseline');
    assert.ok(
      contributes.menus.commandPalette.some((m: { command: string; when: string }) => m.command === ClientCommand.insertSnippet && m.when === 'false'),
    );
  });

  test('every command the client or the server invokes by name is contributed, or is a server command', () => {
    const serverCommands = new Set<string>(Object.values(ServerCommand));
    for (const dir of ['client/src', 'server/src']) {
      for (const id of commandLiterals(dir)) {
        assert.ok(contributed.has(id) || serverCommands.has(id), `${id} (used in ${dir}) is contributed in package.json`);
      }
    }
    for (const id of serverCommands) assert.ok(!contributed.has(id), `${id} is the server's: the extension must not contribute it`);
  });

  test('configuration: every documented setting exists with a type, a default and a description', () => {
    const props = contributes.configuration.properties as Record<string, { type: string; default: unknown; description?: string; markdownDescription?: string }>;
    const expected: Record<string, string> = {
      'fourfold.enable': 'boolean',
      'fourfold.rules': 'object',
      'fourfold.exclude': 'array',
      'fourfold.trustedRegistries': 'array',
      'fourfold.baseline': 'string',
      'fourfold.severityMapping': 'object',
      'fourfold.debounceMs': 'number',
      'fourfold.maxFileSizeKb': 'number',
      'fourfold.maxParseErrorsPerFile': 'number',
      'fourfold.maxFindingsPerFile': 'number',
      'fourfold.trace.server': 'string',
    };
    for (const [key, type] of Object.entries(expected)) {
      assert.ok(props[key], `${key} is contributed`);
      assert.equal(props[key].type, type, `${key} is a ${type}`);
      assert.ok('default' in props[key], `${key} has a default`);
      assert.ok(props[key].description || props[key].markdownDescription, `${key} is described`);
    }
    assert.equal(props['fourfold.enable'].default, true);
    assert.equal(props['fourfold.baseline'].default, '.fourfold-baseline.json');
    assert.equal(props['fourfold.debounceMs'].default, 250);
    assert.equal(props['fourfold.maxFileSizeKb'].default, 1024);
    const defaults = defaultConfig();
    assert.equal(props['fourfold.maxParseErrorsPerFile'].default, defaults.maxParseErrorsPerFile);
    assert.equal(props['fourfold.maxFindingsPerFile'].default, defaults.maxFindingsPerFile);
    assert.equal(props['fourfold.trace.server'].default, 'off');
  });

  test('every setting the server reads is contributed', () => {
    const read = new Set<string>();
    for (const { text } of sources('server/src')) {
      for (const m of text.matchAll(/\bsetting(?:<[^>]*>)?\(\s*'([A-Za-z.]+)'/g)) read.add(`fourfold.${m[1]}`);
    }
    for (const key of read) assert.ok(contributes.configuration.properties[key], `${key} (read by the server) is contributed`);
  });

  test('languages, grammars and activation', () => {
    const languages = new Map(contributes.languages.map((l: { id: string }) => [l.id, l]));
    assert.deepEqual((languages.get('terraform') as { extensions: string[] }).extensions, ['.tf']);
    assert.deepEqual((languages.get('terraform-vars') as { extensions: string[] }).extensions, ['.tfvars']);
    const docker = languages.get('dockerfile') as { filenames: string[]; filenamePatterns: string[] };
    for (const p of ['*.dockerfile', 'Containerfile.*', 'Dockerfile.*', 'Dockerfile-*']) assert.ok(docker.filenamePatterns.includes(p), p);
    assert.ok(docker.filenames.includes('Containerfile'));
    for (const file of [
      ...contributes.grammars.map((g: { path: string }) => g.path),
      ...contributes.languages.flatMap((l: { configuration?: string }) => (l.configuration ? [l.configuration] : [])),
    ]) {
      assert.ok(fs.existsSync(path.join(root, file)), `${file} exists`);
    }
    for (const grammar of contributes.grammars as { path: string; scopeName: string }[]) {
      const json = JSON.parse(fs.readFileSync(path.join(root, grammar.path), 'utf8'));
      assert.equal(json.scopeName, grammar.scopeName, `${grammar.path} declares scope ${grammar.scopeName}`);
    }
    for (const event of ['onLanguage:dockerfile', 'onLanguage:terraform', 'onLanguage:yaml', 'workspaceContains:**/Dockerfile*', 'workspaceContains:**/*.tf']) {
      assert.ok(pkg.activationEvents.includes(event), event);
    }
    assert.equal(pkg.main, './dist/client.js');
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.ok(pkg.capabilities.untrustedWorkspaces.description);
  });

  test('the VS Code API is pinned to what code-server 4.100.3 (VS Code 1.100.3) runs', () => {
    assert.equal(pkg.engines.vscode, '^1.100.0');
    const types = JSON.parse(fs.readFileSync(path.join(root, 'node_modules/@types/vscode/package.json'), 'utf8'));
    const [major, minor] = types.version.split('.').map(Number);
    assert.ok(major === 1 && minor <= 100, `@types/vscode ${types.version} is at most 1.100`);
  });

  test('the fourfold-ignore injection grammar matches suppression comments', () => {
    const grammar = JSON.parse(fs.readFileSync(path.join(root, 'syntaxes/fourfold-ignore.injection.json'), 'utf8'));
    const re = new RegExp(grammar.repository.suppression.match);
    const m = re.exec('# fourfold-ignore docker/user-root, docker/sudo until 2027-03-31: the base image drops privileges');
    assert.ok(m);
    assert.deepEqual(m.slice(1), ['fourfold-ignore', 'docker/user-root, docker/sudo', 'until', '2027-03-31', ':', 'the base image drops privileges']);
    assert.equal(re.exec('// fourfold-ignore-file code/sql-injection')?.[1], 'fourfold-ignore-file');
    assert.equal(re.exec('# not-fourfold-ignore x/y'), null);
  });
});

describe('the .vsix', () => {
  test('`npm run package` ships only the bundles, docs, data, grammars, README, LICENSE and the manifest', { timeout: 120_000 }, () => {
    for (const bundle of ['dist/client.js', 'dist/server.js', 'dist/cli.js']) {
      assert.ok(fs.existsSync(path.join(root, bundle)), `${bundle} is missing: run \`npm run build\` first`);
    }
    // `npm test` has built dist/; packageVsix runs the script's vsce step only (see test/e2e/vsix.ts).
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'fourfold-vsix-'));
    try {
      const vsix = path.join(out, 'fourfold.vsix');
      packageVsix(vsix);
      const entries = zipEntries(fs.readFileSync(vsix)).filter((e) => !e.endsWith('/'));
      const allowed = [
        /^extension\.vsixmanifest$/,
        /^\[Content_Types\]\.xml$/,
        /^extension\/package\.json$/,
        /^extension\/(readme|README)\.md$/,
        /^extension\/LICENSE(\.txt|\.md)?$/,
        /^extension\/dist\/(client|server|cli)\.js$/,
        /^extension\/docs\/.+/,
        /^extension\/data\/.+/,
        /^extension\/syntaxes\/.+/,
      ];
      const unexpected = entries.filter((e) => !allowed.some((re) => re.test(e)));
      assert.deepEqual(unexpected, [], 'nothing else is packaged');
      assert.ok(!entries.some((e) => e.includes('node_modules/') || /\.ts$/.test(e) || e.endsWith('.map')), 'no node_modules, sources or source maps');
      for (const required of [
        'extension/package.json',
        'extension/dist/client.js',
        'extension/dist/server.js',
        'extension/dist/cli.js',
        'extension/data/eol.json',
        'extension/syntaxes/fourfold-ignore.injection.json',
      ]) {
        assert.ok(entries.includes(required), `${required} is packaged`);
      }
      assert.ok(entries.some((e) => /^extension\/docs\/rules\/docker\/.+\.md$/.test(e)), 'rule documentation is packaged');
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
