// Variable type constraints (`type = object({ a = optional(string, "x") })`), applied to variable
// values as Terraform does: primitives converted, missing optional attributes filled with their
// default or null. A value that does not fit is left as it is (the evaluator is not a validator).
import type { Expression } from './ast';
import { toStr } from './functions';
import { Unknown, isObject, newObject, type Value } from './values';

export type TypeConstraint =
  | { kind: 'any' }
  | { kind: 'string' | 'number' | 'bool' }
  | { kind: 'list' | 'set' | 'map'; element: TypeConstraint }
  | { kind: 'tuple'; elements: TypeConstraint[] }
  | { kind: 'object'; attributes: Map<string, { type: TypeConstraint; optional: boolean; default?: Expression }> };

const ANY: TypeConstraint = { kind: 'any' };

/** Reads a type expression; anything unrecognised is `any`. */
export function parseType(expr: Expression, depth = 0): TypeConstraint {
  if (depth > 50) return ANY;
  if (expr.kind === 'variable') {
    if (expr.name === 'string' || expr.name === 'number' || expr.name === 'bool') return { kind: expr.name };
    if (expr.name === 'list' || expr.name === 'set' || expr.name === 'map') return { kind: expr.name, element: ANY };
    return ANY;
  }
  if (expr.kind !== 'call' || expr.args.length === 0) return ANY;
  const [arg] = expr.args;
  switch (expr.name) {
    case 'list':
    case 'set':
    case 'map':
      return { kind: expr.name, element: parseType(arg, depth + 1) };
    case 'tuple':
      return arg.kind === 'tuple' ? { kind: 'tuple', elements: arg.items.map((e) => parseType(e, depth + 1)) } : ANY;
    case 'object': {
      if (arg.kind !== 'object') return ANY;
      const attributes = new Map<string, { type: TypeConstraint; optional: boolean; default?: Expression }>();
      for (const item of arg.items) {
        const name = item.key.kind === 'variable' ? item.key.name : item.key.kind === 'template' && item.key.parts.length === 1 && item.key.parts[0].kind === 'literal' ? item.key.parts[0].value : undefined;
        if (name === undefined) continue;
        const value = item.value;
        if (value.kind === 'call' && value.name === 'optional' && value.args.length >= 1) {
          attributes.set(name, { type: parseType(value.args[0], depth + 1), optional: true, default: value.args[1] });
        } else attributes.set(name, { type: parseType(value, depth + 1), optional: false });
      }
      return { kind: 'object', attributes };
    }
    default:
      return ANY;
  }
}

/** Converts `value` to `type`; `evaluateDefault` evaluates an `optional(T, default)` default. */
export function convert(value: Value, type: TypeConstraint, evaluateDefault: (expr: Expression) => Value, depth = 0): Value {
  if (value === null || value instanceof Unknown || depth > 50) return value;
  try {
    switch (type.kind) {
      case 'any':
        return value;
      case 'string':
        return typeof value === 'object' ? value : toStr(value);
      case 'number':
        return typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)) ? Number(value) : value;
      case 'bool':
        return value === 'true' ? true : value === 'false' ? false : value;
      case 'list':
      case 'set':
        return Array.isArray(value) ? value.map((v) => convert(v, type.element, evaluateDefault, depth + 1)) : value;
      case 'map':
        return isObject(value) ? newObject(Object.entries(value).map(([k, v]) => [k, convert(v, type.element, evaluateDefault, depth + 1)])) : value;
      case 'tuple':
        return Array.isArray(value) ? value.map((v, i) => convert(v, type.elements[i] ?? ANY, evaluateDefault, depth + 1)) : value;
      case 'object': {
        if (!isObject(value)) return value;
        const out = newObject();
        for (const [name, attribute] of type.attributes) {
          if (Object.prototype.hasOwnProperty.call(value, name) && value[name] !== null) {
            out[name] = convert(value[name], attribute.type, evaluateDefault, depth + 1);
          } else if (attribute.optional && attribute.default) {
            out[name] = convert(evaluateDefault(attribute.default), attribute.type, evaluateDefault, depth + 1);
          } else out[name] = Object.prototype.hasOwnProperty.call(value, name) ? value[name] : null;
        }
        return out;
      }
    }
  } catch {
    return value;
  }
}
