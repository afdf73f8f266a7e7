import { ValidationPipe } from '@nestjs/common';
import { ErrorCode, formatValidationErrors, STRICT_VALIDATION } from '@tally/contracts';
import { DomainError } from '../errors/domain.error';

/** The global pipe: the same strict rules as bus messages, and a 400 that names every bad field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    ...STRICT_VALIDATION,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => {
      const details = formatValidationErrors(errors);
      return new DomainError(ErrorCode.ValidationFailed, details.join('; '), details);
    },
  });
}
