import { ErrorCode } from '@tally/contracts';
import { DomainError } from '@tally/platform';

/** The API a translated call's upstream speaks, said for people. */
export type ApiName = 'OpenAI' | 'Anthropic';

/**
 * A 400 naming the field the other API has no equivalent for, raised before the upstream is
 * asked anything (the call is neither reserved nor sent).
 */
export function untranslatable(field: string, to: ApiName, why = 'has no equivalent'): DomainError {
  const reason = `${field}: cannot be translated to the ${to} API (${why}); the model is served by an ${to} upstream`;
  return new DomainError(ErrorCode.ValidationFailed, reason, [reason]);
}

/** A field given with a value other than its neutral ones (absent, null, or `neutral`). */
export function given(value: unknown, ...neutral: unknown[]): boolean {
  return value !== undefined && value !== null && !neutral.includes(value);
}

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The first field of the body the other API has no equivalent for: one neither translated nor
 * given only with a value that asks for nothing (`neutral`: a default some clients always send).
 */
export function untranslatedField(
  body: Record<string, unknown>,
  translated: ReadonlySet<string>,
  neutral: Record<string, (value: unknown) => boolean>,
): string | undefined {
  return Object.keys(body).find(
    (f) => !translated.has(f) && given(body[f]) && !neutral[f]?.(body[f]),
  );
}

/** An object without keys (`{}`), as some clients send for an option they do not use. */
export const isEmptyObject = (value: unknown) => isObject(value) && Object.keys(value).length === 0;
