// Generates the README's configuration section, between <!-- settings:start --> and
// <!-- settings:end -->, from what the code reads, so it cannot drift:
//   - the `.fourfold.yaml` example: one line per key of the configuration schema
//     (server/src/engine/config.ts, defaultConfig()), validated with the real parser;
//   - the settings table: every `fourfold.*` setting in package.json's contributes.configuration,
//     with its default, its description, and the `.fourfold.yaml` key that sets the same.
// It fails when a schema key has no example here, or when a setting and its `.fourfold.yaml` key
// disagree on the default. `--check` writes nothing and exits 1 when README.md is stale (a test runs it).
//
//   node --import tsx scripts/gen-settings.ts [--check]
import fs from 'node:fs';
import path from 'node:path';
import { allRules } from '../rules/index';
import { defaultConfig, parseConfigFile, type Config } from '../server/src/engine/config';

const root = path.resolve(__dirname, '..');
const readmePath = path.join(root, 'README.md');
const MARKERS = /<!-- settings:start -->[\s\S]*?<!-- settings:end -->/;

/** The example lines of each `.fourfold.yaml` key, in the order shown, with a comment. */
const EXAMPLES: Record<Exclude<keyof Config, 'options'>, string[]> = {
  rules: [
    'rules:                                  # rule id: off | on | critical | high | medium | low | info',
    '  docker/healthcheck-missing: off',
    '  docker/image-not-pinned-digest: medium',
    '  docker/user-root: { severity: critical } # or { severity, options: {…} } for rules with options',
  ],
  categories: ['categories:                             # security | hygiene: off | on', '  hygiene: off'],
  exclude: ['exclude:                                # globs, relative to the workspace root', '  - "legacy/**"'],
  trustedRegistries: ['trustedRegistries:                      # images from elsewhere are reported', '  - ghcr.io/acme', '  - docker.io'],
  baseline: ['baseline: .fourfold-baseline.json       # accepted findings, hidden until their line changes'],
  maxFileSizeKb: ['maxFileSizeKb: 1024                     # larger files are skipped, with a notice'],
  maxParseErrorsPerFile: ['maxParseErrorsPerFile: 20               # then one "and N more"'],
  maxFindingsPerFile: ['maxFindingsPerFile: 500                 # then one finding that counts the rest'],
};

interface SettingSchema {
  type: string;
  default?: unknown;
  description?: string;
  markdownDescription?: string;
  enum?: string[];
}

function shownDefault(value: unknown): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.length ? `\`${JSON.stringify(value)}\`` : '`[]`';
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    return entries.length ? entries.map(([k, v]) => `${k}: \`${String(v)}\``).join(', ') : '`{}`';
  }
  return `\`${String(value)}\``;
}

function meaning(schema: SettingSchema): string {
  const text = (schema.markdownDescription ?? schema.description ?? '').replace(/\s+/g, ' ').trim();
  const choices = schema.enum ? ` One of ${schema.enum.map((v) => `\`${v}\``).join(', ')}.` : '';
  return `${text}${choices}`.replace(/\|/g, '\\|');
}

export function settingsSection(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    contributes: { configuration: { properties: Record<string, SettingSchema> } };
  };
  const settings = pkg.contributes.configuration.properties;
  const defaults = defaultConfig();
  // Rule options live under `rules: <id>: options:`, not as a key of their own.
  const keys = (Object.keys(defaults) as (keyof Config)[]).filter((k): k is keyof typeof EXAMPLES => k !== 'options');

  const missing = keys.filter((k) => !EXAMPLES[k]);
  const unknown = Object.keys(EXAMPLES).filter((k) => !(k in defaults));
  if (missing.length || unknown.length) {
    throw new Error(`scripts/gen-settings.ts: .fourfold.yaml keys without an example: [${missing.join(', ')}]; examples of no key: [${unknown.join(', ')}]`);
  }
  for (const key of keys) {
    const setting = settings[`fourfold.${key}`];
    if (!setting) throw new Error(`.fourfold.yaml key ${key} has no setting fourfold.${key} in package.json`);
    if (JSON.stringify(setting.default) !== JSON.stringify(defaults[key])) {
      throw new Error(`fourfold.${key} defaults to ${JSON.stringify(setting.default)} in package.json but ${key} to ${JSON.stringify(defaults[key])} in defaultConfig()`);
    }
  }
  const yaml = keys.flatMap((k) => EXAMPLES[k]).join('\n') + '\n';
  const { problems } = parseConfigFile(yaml, new Map(allRules.map((r) => [r.id, r])));
  if (problems.length) throw new Error(`the README's .fourfold.yaml example does not parse cleanly: ${problems.map((p) => p.message).join('; ')}`);

  const rows = Object.entries(settings).map(([name, schema]) => {
    const key = name.slice('fourfold.'.length);
    const fileKey = key in defaults ? `\`${key}\`` : '';
    return `| \`${name}\` | ${fileKey} | ${shownDefault(schema.default)} | ${meaning(schema)} |`;
  });
  return [
    '<!-- settings:start -->',
    '```yaml',
    yaml.trimEnd(),
    '```',
    '',
    '| setting | `.fourfold.yaml` key | default | meaning |',
    '| --- | --- | --- | --- |',
    ...rows,
    '<!-- settings:end -->',
  ].join('\n');
}

function main(check: boolean): number {
  const readme = fs.readFileSync(readmePath, 'utf8');
  if (!MARKERS.test(readme)) throw new Error('README.md has no <!-- settings:start --> … <!-- settings:end --> markers for the configuration section');
  const wanted = readme.replace(MARKERS, () => settingsSection());
  if (wanted === readme) {
    if (!check) console.log('gen-settings: README.md is current');
    return 0;
  }
  if (check) {
    console.error('stale: README.md configuration section (run npm run gen)');
    return 1;
  }
  fs.writeFileSync(readmePath, wanted);
  console.log('gen-settings: README.md configuration section updated');
  return 0;
}

if (require.main === module) process.exit(main(process.argv.includes('--check')));
