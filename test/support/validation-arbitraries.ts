import fc from 'fast-check';
import { validatePlain } from '@tally/contracts';

/**
 * fast-check generators for the validation fast paths' property tests: bodies and messages that
 * are mostly right, with the usual ways callers get a field wrong mixed in.
 */

/** Mostly the good values, sometimes the bad ones. */
export const mostly = <T>(good: T[], bad: T[]) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...good) },
    { weight: 1, arbitrary: fc.constantFrom(...bad) },
  );

/** Short strings, and strings right around a length limit. */
export const upTo = (max: number) =>
  fc.oneof(fc.string({ maxLength: 8 }), fc.string({ minLength: max - 1, maxLength: max + 1 }));

/** Values a field may take by mistake. */
const anyValue = fc.oneof(
  fc.constantFrom(null, 0, -1, 1, 1.5, 2 ** 53, '', ' ', 'x'.repeat(600), '😀'.repeat(70), [], {}),
  fc.string(),
  fc.integer(),
  fc.double(),
);

/** The good value twelve times in thirteen, else any value. */
export const maybe = <T>(good: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 12, arbitrary: good }, { weight: 1, arbitrary: anyValue });

/** Absent half the time, else `maybe(good)`. */
export const optional = <T>(good: fc.Arbitrary<T>) =>
  fc.option(maybe(good), { nil: undefined, freq: 2 });

/**
 * Whether the fast path `fast` accepts `message`; when it does, the full class-validator rules of
 * `cls` must accept it too and read it unchanged (the fast path keeps the message as it is).
 */
export function acceptedAsTheFullRulesRead<T extends object>(
  message: unknown,
  fast: (plain: unknown) => boolean,
  cls: new () => T,
): boolean {
  if (!fast(message)) return false;
  const full = validatePlain(cls, message);
  expect(full).toMatchObject({ ok: true });
  expect(JSON.stringify(full.ok && full.value)).toBe(JSON.stringify(message));
  return true;
}
