import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; reasons: string[] };

/**
 * The rules every entry point applies (HTTP bodies and bus messages alike): known fields only,
 * every rule reported, no implicit type conversion ("10" is not 10).
 */
export const STRICT_VALIDATION = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
} as const;

/** Flattens nested class-validator errors into `path: reason` lines. */
export function formatValidationErrors(errors: ValidationError[], parentPath = ''): string[] {
  return errors.flatMap((error) => {
    const path = parentPath ? `${parentPath}.${error.property}` : error.property;
    // A missing field fails every rule on it; saying it is missing is the useful part.
    if (error.value === undefined && error.constraints) return [`${path}: is required`];
    const own = Object.values(error.constraints ?? {}).map((reason) =>
      reason.startsWith(error.property)
        ? `${parentPath ? `${parentPath}.` : ''}${reason}`
        : `${path}: ${reason}`,
    );
    return [...own, ...formatValidationErrors(error.children ?? [], path)];
  });
}

export function validatePlain<T extends object>(
  cls: new () => T,
  plain: unknown,
): ValidationResult<T> {
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
    return { ok: false, reasons: ['body must be a JSON object'] };
  }
  let instance: T;
  let errors: ValidationError[];
  try {
    instance = plainToInstance(cls, plain);
    errors = validateSync(instance, STRICT_VALIDATION);
  } catch (error) {
    // class-transformer throws on some shapes (any `constructor` key in a free-form object such as
    // metadata): a refusal with the reason, never an exception that would stall a consumer.
    return { ok: false, reasons: [`the value cannot be read: ${(error as Error).message}`] };
  }
  return errors.length === 0
    ? { ok: true, value: instance }
    : { ok: false, reasons: formatValidationErrors(errors) };
}
