// Shared by the hcl-*.test.ts files: corpus discovery and span-free comparison of model nodes.
import path from 'node:path';
import { KICS_SAMPLE_COUNTS, kicsFiles, kicsRoot } from '../corpus/kics';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const kicsTerraform = path.join(kicsRoot, 'terraform');

const cache = new Map<boolean, string[]>();

/**
 * The KICS Terraform samples in test/corpus/kics: `*.tf`, and with `withTfvars` the `*.tfvars`
 * support file too. Fails when any is missing.
 */
export function kicsTerraformFiles(withTfvars = false): string[] {
  let files = cache.get(withTfvars);
  if (!files) {
    files = withTfvars
      ? kicsFiles('terraform', /\.(tf|tfvars)$/, KICS_SAMPLE_COUNTS.terraformTfAndTfvars)
      : kicsFiles('terraform', /\.tf$/, KICS_SAMPLE_COUNTS.terraformTf);
    cache.set(withTfvars, files);
  }
  return files;
}

const SPAN_KEYS = new Set(['span', 'nameSpan', 'valueSpan', 'typeSpan', 'openBraceSpan', 'closeBraceSpan']);

/** The node as plain data without any ranges, for "same node" comparisons. */
export function withoutSpans(node: unknown): unknown {
  return JSON.parse(JSON.stringify(node, (key, value) => (SPAN_KEYS.has(key) ? undefined : value)));
}
