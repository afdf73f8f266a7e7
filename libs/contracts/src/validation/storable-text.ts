import { ValidateBy } from 'class-validator';

// PostgreSQL stores no NUL in text or jsonb, and a lone surrogate has no UTF-8 form.
// eslint-disable-next-line no-control-regex
const SUSPECT = /[\u0000\uD800-\uDFFF]/;
// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether PostgreSQL can store this string as text or inside jsonb: the one definition. */
export function isStorableString(text: string): boolean {
  return !SUSPECT.test(text) || !UNSTORABLE.test(text);
}

/** Whether every string in the value (keys included, at any depth) can be stored as it is. */
export function isStorableText(value: unknown): boolean {
  if (typeof value === 'string') return isStorableString(value);
  if (typeof value !== 'object' || value === null) return true;
  for (const key in value) {
    if (!isStorableString(key) || !isStorableText((value as Record<string, unknown>)[key])) {
      return false;
    }
  }
  return true;
}

/** Text (or free-form JSON) the ledger can store: no NUL character, no lone surrogate. */
export function IsStorableText(): PropertyDecorator {
  return ValidateBy({
    name: 'isStorableText',
    validator: {
      validate: isStorableText,
      defaultMessage: () => '$property must not hold a NUL character or a lone surrogate',
    },
  });
}
