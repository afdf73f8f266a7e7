import { isObject } from 'class-validator';

/**
 * Plain checks behind the validation fast paths (the ledger consumer's and the gateway's charge
 * endpoint's). Each is at most as lenient as the class-validator rule it stands in for: anything
 * unusual answers false and is left to the full rules, which also give the reasons.
 */

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** No key outside `allowed`, and at least `required` of them (the caller checks which). */
export function onlyKeys(
  value: Record<string, unknown>,
  allowed: Set<string>,
  required: number,
): boolean {
  const keys = Object.keys(value);
  return keys.length >= required && keys.every((key) => allowed.has(key));
}

/** Absent means the key is missing; a null (which IsOptional also lets through) is left to the full rules. */
export function absentOr(value: unknown, check: (value: unknown) => boolean): boolean {
  return value === undefined || check(value);
}

/** `.length` counts a surrogate pair twice where MaxLength counts it once: never more lenient. */
export function shortString(value: unknown, max: number): boolean {
  return typeof value === 'string' && value.length <= max;
}

export function wholeNumber(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** Free-form metadata (IsObject) without the keys class-transformer treats specially. */
export function isPlainMetadata(value: unknown): boolean {
  return isObject(value) && !Array.isArray(value) && !hasReservedKey(value);
}

const TOKEN_KEYS = ['input_tokens', 'output_tokens', 'cached_tokens', 'reasoning_tokens'];
const USAGE_KEYS = new Set([...TOKEN_KEYS, 'seconds']);

/** The rules of ChargeUsage. */
export function isPlainlyValidUsage(usage: unknown): boolean {
  return (
    isRecord(usage) &&
    onlyKeys(usage, USAGE_KEYS, 0) &&
    TOKEN_KEYS.every((key) =>
      absentOr(usage[key], (v) => wholeNumber(v, 0, Number.MAX_SAFE_INTEGER)),
    ) &&
    absentOr(usage.seconds, (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0)
  );
}

/**
 * Keys the full rules treat specially, at any depth: class-transformer throws on `constructor`,
 * drops `__proto__`, and silently drops every other key that names an inherited method of the
 * object it builds (`toString`, `valueOf`...: what `in Object.prototype` says). Metadata holding
 * one is left to the full rules, so both paths store the same thing.
 */
function hasReservedKey(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(value).some(
    ([key, inner]) => key in Object.prototype || hasReservedKey(inner),
  );
}
