// Configuration shared by the editor and the CLI: `fourfold.*` settings and `.fourfold.yaml`.
//
//   rules:
//     docker/healthcheck-missing: off        # off | on | critical | high | medium | low | info
//     docker/image-not-pinned-digest: medium
//   exclude: ["legacy/**"]
//   trustedRegistries: [ghcr.io/acme, docker.io]
//   baseline: .fourfold-baseline.json
import { isMap, isScalar, isSeq, parseDocument, type Node as YamlNode } from 'yaml';
import { SEVERITIES, type Severity, type Span } from './api';

export type RuleSetting = 'off' | 'on' | Severity;

export interface Config {
  rules: Record<string, RuleSetting>;
  exclude: string[];
  trustedRegistries: string[];
  /** Baseline file, relative to the workspace root. */
  baseline: string;
  maxFileSizeKb: number;
}

export const CONFIG_FILE = '.fourfold.yaml';
export const DEFAULT_BASELINE = '.fourfold-baseline.json';

export function defaultConfig(): Config {
  return { rules: {}, exclude: [], trustedRegistries: [], baseline: DEFAULT_BASELINE, maxFileSizeKb: 1024 };
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
const KEYS = ['rules', 'exclude', 'trustedRegistries', 'baseline', 'maxFileSizeKb'];

function spanOf(node: YamlNode | null | undefined, fallback: Span): Span {
  const range = node?.range;
  return range ? { start: range[0], end: range[1] } : fallback;
}

/** Reads `.fourfold.yaml`. Every problem points at the bad key or value; the rest still applies. */
export function parseConfigFile(text: string, knownRuleIds: ReadonlySet<string>): ParsedConfig {
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
        for (const item of value.items) {
          const idNode = item.key as YamlNode;
          const id = isScalar(idNode) ? String(idNode.value) : '';
          const setting = readRuleSetting(item.value as YamlNode | null);
          if (!knownRuleIds.has(id)) {
            problems.push({ message: `Unknown rule id \`${id}\``, span: spanOf(idNode, valueSpan) });
          } else if (!setting) {
            problems.push({
              message: `\`${id}\` must be one of ${RULE_SETTINGS.join(', ')}`,
              span: spanOf(item.value as YamlNode, spanOf(idNode, valueSpan)),
            });
          } else rules[id] = setting;
        }
        config.rules = rules;
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
        if (isScalar(value) && typeof value.value === 'number' && value.value > 0) config.maxFileSizeKb = value.value;
        else problems.push({ message: '`maxFileSizeKb` must be a positive number', span: valueSpan });
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
    if (enabled === true && severity === undefined) return 'on';
  }
  return undefined;
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
  if (typeof s.baseline === 'string' && s.baseline.trim()) config.baseline = s.baseline.trim();
  if (typeof s.maxFileSizeKb === 'number' && s.maxFileSizeKb > 0) config.maxFileSizeKb = s.maxFileSizeKb;
  return config;
}

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
  merged.baseline = settings.baseline ?? merged.baseline;
  merged.maxFileSizeKb = settings.maxFileSizeKb ?? merged.maxFileSizeKb;
  if (trusted) {
    Object.assign(merged.rules, file.rules);
    merged.exclude.push(...(file.exclude ?? []));
    merged.trustedRegistries.push(...(file.trustedRegistries ?? []));
    merged.baseline = file.baseline ?? merged.baseline;
    merged.maxFileSizeKb = file.maxFileSizeKb ?? merged.maxFileSizeKb;
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
