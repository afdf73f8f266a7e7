import { ValidateBy } from 'class-validator';
import { ErrorCode } from '../errors/error-code';
import { isStorableString } from './storable-text';

/** Deeper than any body or message of ours (chat requests with tool schemas included) needs. */
export const MAX_JSON_DEPTH = 64;
/** Free-form JSON (`metadata`) nests at most this deep, wherever it travels. */
export const MAX_FREE_FORM_DEPTH = 16;

/** Keys naming the object machinery rather than data: refused like any undeclared field */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Why a JSON value cannot be taken in, and where: `field` is a path such as `metadata.a[2]`. */
export interface JsonHazard {
  code: ErrorCode;
  field: string;
  reason: string;
}

/** The field and reason as one line, as validation details are written (`field: reason`). */
export function describeHazard(hazard: JsonHazard): string {
  return `${hazard.field}: ${hazard.reason}`;
}

interface Found {
  code: ErrorCode;
  reason: string;
  /** Path segments, innermost first: collected only on the way out of a refusal. */
  path: string[];
}

/**
 * The one rule every entry point applies to parsed JSON before anything else reads it (HTTP bodies
 * of both apps, bus messages): every string, keys included and at any depth, is storable text; no
 * key is `__proto__`, `constructor` or `prototype`; nothing is nested deeper than `maxDepth`. One
 * pass over the value, building nothing unless it refuses; the first hazard found is answered.
 */
export function findJsonHazard(value: unknown, maxDepth = MAX_JSON_DEPTH): JsonHazard | undefined {
  const found = walk(value, 0, maxDepth);
  if (!found) return undefined;
  const field = found.path.reverse().join('').replace(/^\./, '');
  return { code: found.code, field: field || 'body', reason: found.reason };
}

function walk(value: unknown, depth: number, maxDepth: number): Found | undefined {
  if (typeof value === 'string') {
    return isStorableString(value) ? undefined : unstorable();
  }
  if (typeof value !== 'object' || value === null) return undefined;
  if (depth >= maxDepth) {
    return {
      code: ErrorCode.JsonTooDeep,
      reason: `is nested deeper than ${maxDepth} levels`,
      path: [],
    };
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = walk(value[i], depth + 1, maxDepth);
      if (found) return within(found, `[${i}]`);
    }
    return undefined;
  }
  for (const key in value) {
    if (!isStorableString(key)) return within(unstorable(), segment(key));
    if (RESERVED_KEYS.has(key)) {
      return {
        code: ErrorCode.ValidationFailed,
        reason: 'is a reserved key and should not exist',
        path: [segment(key)],
      };
    }
    const found = walk((value as Record<string, unknown>)[key], depth + 1, maxDepth);
    if (found) return within(found, segment(key));
  }
  return undefined;
}

function unstorable(): Found {
  return {
    code: ErrorCode.UnstorableText,
    reason: 'must not hold a NUL character or a lone surrogate',
    path: [],
  };
}

function within(found: Found, segment: string): Found {
  found.path.push(segment);
  return found;
}

/** A key as a path segment: `.name`, or `["…"]` (escaped) for one that is not a plain name. */
function segment(key: string): string {
  return /^[\w$-]+$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/**
 * Free-form JSON such as `metadata`: an object (not an array) nested at most MAX_FREE_FORM_DEPTH
 * deep, under the same rule as every body. Its size is bounded by the message it travels in
 * (MAX_MESSAGE_BYTES), which the gateway checks naming the field before anything is written.
 */
export function IsFreeFormJson(): PropertyDecorator {
  return ValidateBy({
    name: 'isFreeFormJson',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'object' &&
        value !== null &&
        !Array.isArray(value) &&
        findJsonHazard(value, MAX_FREE_FORM_DEPTH) === undefined,
      defaultMessage: () =>
        `$property must be a JSON object nested at most ${MAX_FREE_FORM_DEPTH} levels deep, with no NUL character, lone surrogate or reserved key (__proto__, constructor, prototype)`,
    },
  });
}
