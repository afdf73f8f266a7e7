import { ArgumentMetadata, ValidationPipe } from '@nestjs/common';
import { ErrorCode, formatValidationErrors, STRICT_VALIDATION } from '@tally/contracts';
import { DomainError } from '../errors/domain.error';

/**
 * A body DTO may offer a fast path: `fromPlainlyValid(body)` answers the instance when plain
 * checks accept the body — checks that must never accept what the class's decorators refuse — and
 * undefined for anything else, which then goes through class-transformer and class-validator.
 */
export interface PlainlyValidatable {
  fromPlainlyValid?(body: unknown): object | undefined;
}

/**
 * Nest's pipe, with the fast path above, and a body class-transformer cannot read (it throws a
 * TypeError on any `constructor` key inside a free-form object such as metadata) is a 400, not a
 * 500.
 */
class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body') {
      const fast = (metadata.metatype as PlainlyValidatable | undefined)?.fromPlainlyValid?.(value);
      if (fast) return fast;
    }
    try {
      return (await super.transform(value, metadata)) as unknown;
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
      throw new DomainError(
        ErrorCode.ValidationFailed,
        `the body cannot be read: ${error.message}`,
      );
    }
  }
}

/** The global pipe: the same strict rules as bus messages, and a 400 that names every bad field. */
export function createValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
    ...STRICT_VALIDATION,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => {
      const details = formatValidationErrors(errors);
      return new DomainError(ErrorCode.ValidationFailed, details.join('; '), details);
    },
  });
}
