// Configuration shared by the editor and the CLI: `fourfold.*` settings and `.fourfold.yaml`.
//
//   rules:
//     docker/healthcheck-missing: off        # off | on | critical | high | medium | low | info
//     docker/image-not-pinned-digest: medium
//     docker/some-rule: { severity: low, options: { name: value } }
//   categories: { hygiene: off }             # every rule of a category at once
//   exclude: ["legacy/**"]
//   trustedRegistries: [ghcr.io/acme, docker.io]
//   baseline: .fourfold-baseline.json
import { isMap, isScalar, isSeq, parseDocument, type Node as YamlNode } from 'yaml';
import { CATEGORIES, SEVERITIES, type AnyRule, type Category, type OptionSchema, type Severity, type Span } from './api';

export type RuleSetting = 'off' | 'on' | Severity;

export interface Config {
  rules: Record<string, RuleSetting>;
  /** Per-rule options, checked against each rule's schema when read. */
  options: Record<string, Record<string, unknown>>;
  /** Whole categories turned off (a rule's own setting still wins). */
  categories: Partial<Record<Category, 'off' | 'on'>>;
  exclude: string[];
  trustedRegistries: string[];
  /** Baseline file, relative to the workspace root. */
  baseline: string;
  maxFileSizeKb: number;
  /** Parse errors shown per file; the rest are counted in one last "and N more". */
  maxParseErrorsPerFile: number;
  /** Findings shown per file; the rest are counted in one last finding. */
  maxFindingsPerFile: number;
}

export const CONFIG_FILE = '.fourfold.yaml';
export const DEFAULT_BASELINE = '.fourfold-baseline.json';

export function defaultConfig(): Config {
  return {
    rules: {},
    options: {},
    categories: {},
    exclude: [],
    trustedRegistries: [],
    baseline: DEFAULT_BASELINE,
    maxFileSizeKb: 1024,
    maxParseErrorsPerFile: 20,
    maxFindingsPerFile: 500,
  };
}

export interface ConfigProblem {
  message: string;
  span: Span;
}

export interface ParsedConfig {
  config: Partial<Config>;
  problems: ConfigProblem[];
}

const RULE_SETTINGS: readonly string[] = ['off', 'on', ...SEVERITIES];
const KEYS = ['rules', 'categories', 'exclude', 'trustedRegistries', 'baseline', 'maxFileSizeKb', 'maxParseErrorsPerFile', 'maxFindingsPerFile'];

function spanOf(node: YamlNode | null | undefined, fallback: Span): Span {
  const range = node?.range;
  return range ? { start: range[0], end: range[1] } : fallback;
}

/** Reads `.fourfold.yaml`. Every problem points at the bad key or value; the rest still applies. */
export function parseConfigFile(text: string, knownRules: ReadonlyMap<string, AnyRule>): ParsedConfig {
  const problems: ConfigProblem[] = [];
  const whole = { start: 0, end: Math.min(text.length, 1) };
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  for (const error of doc.errors) {
    problems.push({ message: `${CONFIG_FILE} is not valid YAML: ${error.message.split('\n')[0]}`, span: { start: error.pos[0], end: error.pos[1] } });
  }
  const config: Partial<Config> = {};
  const root = doc.contents;
  if (root === null || root === undefined || (isScalar(root) && root.value === null)) return { config, problems };
  if (!isMap(root)) {
    problems.push({ message: `${CONFIG_FILE} must be a mapping with keys ${KEYS.join(', ')}`, span: spanOf(root, whole) });
    return { config, problems };
  }
  for (const pair of root.items) {
    const keyNode = pair.key as YamlNode;
    const key = isScalar(keyNode) ? String(keyNode.value) : '';
    const keySpan = spanOf(keyNode, whole);
    const value = pair.value as YamlNode | null;
    const valueSpan = spanOf(value, keySpan);
    switch (key) {
      case 'rules': {
        if (!isMap(value)) {
          problems.push({ message: '`rules` must map rule ids to off, on or a severity', span: valueSpan });
          break;
        }
        const rules: Record<string, RuleSetting> = {};
        const options: Record<string, Record<string, unknown>> = {};
        for (const item of value.items) {
          const idNode = item.key as YamlNode;
          const id = isScalar(idNode) ? String(idNode.value) : '';
          const rule = knownRules.get(id);
          const valueNode = item.value as YamlNode | null;
          const setting = readRuleSetting(valueNode);
          if (!rule) {
            problems.push({ message: `Unknown rule id \`${id}\``, span: spanOf(idNode, valueSpan) });
            continue;
          }
          if (!setting) {
            problems.push({
              message: `\`${id}\` must be one of ${RULE_SETTINGS.join(', ')}, or { severity, options }`,
              span: spanOf(valueNode, spanOf(idNode, valueSpan)),
            });
            continue;
          }
          rules[id] = setting;
          const optionsNode = isMap(valueNode) ? (valueNode.get('options', true) as YamlNode | undefined) : undefined;
          if (optionsNode !== undefined) {
            const read = readRuleOptions(rule, optionsNode, problems, spanOf(valueNode, valueSpan));
            if (read) options[id] = read;
          }
        }
        config.rules = rules;
        config.options = options;
        break;
      }
      case 'categories': {
        if (!isMap(value)) {
          problems.push({ message: `\`categories\` must map ${CATEGORIES.join(', ')} to off or on`, span: valueSpan });
          break;
        }
        const categories: Config['categories'] = {};
        for (const item of value.items) {
          const nameNode = item.key as YamlNode;
          const name = isScalar(nameNode) ? String(nameNode.value) : '';
          const raw = isScalar(item.value) ? item.value.value : undefined;
          const state = raw === false ? 'off' : raw === true ? 'on' : String(raw).toLowerCase();
          if (!(CATEGORIES as readonly string[]).includes(name)) {
            problems.push({ message: `Unknown category \`${name}\`; expected one of ${CATEGORIES.join(', ')}`, span: spanOf(nameNode, valueSpan) });
          } else if (state !== 'off' && state !== 'on') {
            problems.push({ message: `\`${name}\` must be off or on`, span: spanOf(item.value as YamlNode, valueSpan) });
          } else categories[name as Category] = state;
        }
        config.categories = categories;
        break;
      }
      case 'exclude':
      case 'trustedRegistries': {
        const list = readStringList(value);
        if (!list) problems.push({ message: `\`${key}\` must be a list of strings`, span: valueSpan });
        else config[key] = list;
        break;
      }
      case 'baseline':
        if (isScalar(value) && typeof value.value === 'string' && value.value.trim()) config.baseline = value.value.trim();
        else problems.push({ message: '`baseline` must be a file path', span: valueSpan });
        break;
      case 'maxFileSizeKb':
      case 'maxParseErrorsPerFile':
      case 'maxFindingsPerFile':
        if (isScalar(value) && typeof value.value === 'number' && value.value > 0) config[key] = value.value;
        else problems.push({ message: `\`${key}\` must be a positive number`, span: valueSpan });
        break;
      default:
        problems.push({ message: `Unknown key \`${key}\`; expected one of ${KEYS.join(', ')}`, span: keySpan });
    }
  }
  return { config, problems };
}

function readRuleSetting(node: YamlNode | null): RuleSetting | undefined {
  if (isScalar(node)) {
    const raw = node.value === false ? 'off' : node.value === true ? 'on' : String(node.value).toLowerCase();
    return RULE_SETTINGS.includes(raw) ? (raw as RuleSetting) : undefined;
  }
  if (isMap(node)) {
    // { severity: high } or { enabled: false }
    const enabled = node.get('enabled');
    const severity = node.get('severity');
    if (enabled === false) return 'off';
    if (typeof severity === 'string' && (SEVERITIES as readonly string[]).includes(severity.toLowerCase())) return severity.toLowerCase() as Severity;
    if (severity === undefined && enabled !== false) return 'on';
  }
  return undefined;
}

/** Checks options against the rule's schema; each problem points at the bad key or value. */
function readRuleOptions(rule: AnyRule, node: YamlNode, problems: ConfigProblem[], fallback: Span): Record<string, unknown> | undefined {
  const schema = (rule.options?.schema ?? {}) as Record<string, OptionSchema>;
  if (!isMap(node)) {
    problems.push({ message: `options of \`${rule.id}\` must be a mapping`, span: spanOf(node, fallback) });
    return undefined;
  }
  const out: Record<string, unknown> = {};
  for (const item of node.items) {
    const keyNode = item.key as YamlNode;
    const name = isScalar(keyNode) ? String(keyNode.value) : '';
    const valueNode = item.value as YamlNode | null;
    const spec = Object.hasOwn(schema, name) ? schema[name] : undefined;
    if (!spec) {
      const known = Object.keys(schema);
      problems.push({
        message: `\`${rule.id}\` has no option \`${name}\`${known.length ? `; its options: ${known.join(', ')}` : ''}`,
        span: spanOf(keyNode, fallback),
      });
      continue;
    }
    const value = optionValue(spec, valueNode);
    if (value.problem) problems.push({ message: `option \`${name}\` of \`${rule.id}\` ${value.problem}`, span: spanOf(valueNode, spanOf(keyNode, fallback)) });
    else out[name] = value.value;
  }
  return out;
}

/** One option value checked against its schema, from YAML or from editor settings. */
export function optionValue(spec: OptionSchema, node: YamlNode | null | unknown): { value?: unknown; problem?: string } {
  const raw = isScalar(node) ? node.value : isSeq(node) ? node.items.map((i) => (isScalar(i) ? i.value : i)) : node;
  switch (spec.type) {
    case 'boolean':
      return typeof raw === 'boolean' ? { value: raw } : { problem: 'must be true or false' };
    case 'number':
      if (typeof raw !== 'number' || !Number.isFinite(raw)) return { problem: 'must be a number' };
      if (spec.minimum !== undefined && raw < spec.minimum) return { problem: `must be at least ${spec.minimum}` };
      if (spec.maximum !== undefined && raw > spec.maximum) return { problem: `must be at most ${spec.maximum}` };
      return { value: raw };
    case 'string':
      if (typeof raw !== 'string') return { problem: 'must be a string' };
      if (spec.enum && !spec.enum.includes(raw)) return { problem: `must be one of ${spec.enum.join(', ')}` };
      return { value: raw };
    case 'string[]':
      return Array.isArray(raw) && raw.every((v) => typeof v === 'string') ? { value: raw } : { problem: 'must be a list of strings' };
  }
}

function readStringList(node: YamlNode | null): string[] | undefined {
  if (isScalar(node) && typeof node.value === 'string') return [node.value];
  if (!isSeq(node)) return undefined;
  const out: string[] = [];
  for (const item of node.items) {
    if (!isScalar(item) || typeof item.value !== 'string') return undefined;
    out.push(item.value);
  }
  return out;
}

/** Editor settings (`fourfold.*`) have the same shape; values of the wrong type are dropped. */
export function configFromSettings(settings: unknown): Partial<Config> {
  const s = (settings ?? {}) as Record<string, unknown>;
  const config: Partial<Config> = {};
  if (s.rules && typeof s.rules === 'object') {
    config.rules = {};
    for (const [id, value] of Object.entries(s.rules as Record<string, unknown>)) {
      const v = typeof value === 'boolean' ? (value ? 'on' : 'off') : String(value).toLowerCase();
      if (RULE_SETTINGS.includes(v)) config.rules[id] = v as RuleSetting;
    }
  }
  for (const key of ['exclude', 'trustedRegistries'] as const) {
    const value = s[key];
    if (Array.isArray(value)) config[key] = value.filter((v): v is string => typeof v === 'string');
  }
  if (s.categories && typeof s.categories === 'object') {
    config.categories = {};
    for (const [name, value] of Object.entries(s.categories as Record<string, unknown>)) {
      const state = value === false ? 'off' : value === true ? 'on' : String(value).toLowerCase();
      if ((CATEGORIES as readonly string[]).includes(name) && (state === 'off' || state === 'on')) config.categories[name as Category] = state;
    }
  }
  if (typeof s.baseline === 'string' && s.baseline.trim()) config.baseline = s.baseline.trim();
  for (const key of ['maxFileSizeKb', 'maxParseErrorsPerFile', 'maxFindingsPerFile'] as const) {
    const value = s[key];
    if (typeof value === 'number' && value > 0) config[key] = value;
  }
  return config;
}

const LIMITS = ['maxFileSizeKb', 'maxParseErrorsPerFile', 'maxFindingsPerFile'] as const;

const RANK: Record<RuleSetting, number> = { off: -1, on: 0, info: 1, low: 2, medium: 3, high: 4, critical: 5 };

/**
 * Settings first, then the repository's file on top. In an untrusted workspace the repository file may
 * only make checking stricter: it cannot turn rules off, lower severities, exclude files, trust
 * registries or point at a baseline.
 */
export function mergeConfig(
  settings: Partial<Config>,
  file: Partial<Config>,
  trusted: boolean,
  defaultSeverity: (ruleId: string) => Severity | undefined = () => undefined,
): Config {
  const merged = defaultConfig();
  Object.assign(merged.rules, settings.rules);
  merged.exclude = [...(settings.exclude ?? [])];
  merged.trustedRegistries = [...(settings.trustedRegistries ?? [])];
  Object.assign(merged.categories, settings.categories);
  merged.baseline = settings.baseline ?? merged.baseline;
  for (const key of LIMITS) merged[key] = settings[key] ?? merged[key];
  if (trusted) {
    Object.assign(merged.rules, file.rules);
    Object.assign(merged.options, file.options);
    Object.assign(merged.categories, file.categories);
    merged.exclude.push(...(file.exclude ?? []));
    merged.trustedRegistries.push(...(file.trustedRegistries ?? []));
    merged.baseline = file.baseline ?? merged.baseline;
    for (const key of LIMITS) merged[key] = file[key] ?? merged[key];
  } else {
    for (const [id, setting] of Object.entries(file.rules ?? {})) {
      const base = merged.rules[id];
      const current = base === undefined || base === 'on' ? (defaultSeverity(id) ?? 'on') : base;
      if (setting === 'on' && current === 'off') merged.rules[id] = 'on';
      else if (setting !== 'off' && setting !== 'on' && RANK[setting] > RANK[current]) merged.rules[id] = setting;
    }
  }
  return merged;
}
