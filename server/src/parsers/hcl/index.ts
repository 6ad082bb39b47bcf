// Terraform / HCL2: parse `.tf`, `.tfvars` and `.tf.json` into one model with exact ranges, and
// evaluate a module's expressions. Nothing here touches the file system.
//
//   const { model, errors } = parseHcl(text);             // never throws
//   const module = loadModule([{ path: 'infra/main.tf', text }, …], { loadFolder });
//   for (const bucket of module.resourcesOfType('aws_s3_bucket')) {
//     const acl = module.attribute(bucket, 'acl');         // 'private' | Unknown | undefined (not set)
//     const blocks = module.referrers(bucket, 'aws_s3_bucket_public_access_block');
//   }
//   decodeJson(module.attribute(policy, 'policy')!)        // jsonencode({...}) or heredoc JSON, read back
import type { Parsed } from '../../core/span';
import type { HclFile } from './ast';
import { parseJsonHcl } from './json';
import { HclModule, type ModuleOptions, type SourceFile } from './module';
import { parseNative } from './parser';

export type * from './ast';
export { HclModule, findAttribute } from './module';
export { annotatingComments, getAttribute, getBlocks, staticString, traversalPath } from './query';
export type {
  EvaluatedAttribute, EvaluatedBlock, EvaluatedBody, LocalDef, ModuleCall, ModuleFile, ModuleOptions, OutputDef,
  SourceFile, VariableDef,
} from './module';
export { Reference, Unknown, decodeJson, isKnown, isObject, isUnknown } from './values';
export type { EvalDiagnostic, ObjectValue, ResourceDef, Value } from './values';
export type { Scope } from './evaluate';

/** Whether a path is in the JSON syntax (`.tf.json`, `.tfvars.json`). */
export function isJsonHclPath(path: string): boolean {
  return /\.json$/i.test(path);
}

/** Parses HCL native syntax, or the JSON syntax when `json` is set. Never throws. */
export function parseHcl(text: string, opts: { json?: boolean } = {}): Parsed<HclFile> {
  try {
    const { file, errors } = opts.json ? parseJsonHcl(text) : parseNative(text);
    return { model: file, errors };
  } catch (error) {
    // A parser bug must not take the server down: report it as a parse error on the whole file.
    return {
      model: { body: { items: [], span: { start: 0, end: text.length } }, comments: [], span: { start: 0, end: text.length } },
      errors: [{ message: `Internal parser error: ${String(error)}`, span: { start: 0, end: Math.min(text.length, 1) } }],
    };
  }
}

/**
 * Loads one module folder from its files' texts: `.tf`, `.tf.json`, and (for a root module)
 * `terraform.tfvars` / `*.auto.tfvars` (+ `.json`). Local child modules come from `opts.folders` or
 * `opts.loadFolder`. Never throws; evaluation is lazy and never throws either.
 */
export function loadModule(files: readonly SourceFile[], opts: ModuleOptions = {}): HclModule {
  try {
    return new HclModule(files, opts);
  } catch {
    return new HclModule([], opts);
  }
}
