import { applyDecorators } from '@nestjs/common';
import { IsISO8601, Matches, ValidateBy } from 'class-validator';

/**
 * A date (midnight UTC), or a date and time in the extended format with its offset: never the
 * server's time zone, and only forms that Date parses the same way everywhere.
 */
const INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** Every date a client or a message sends: see INSTANT. */
export function IsInstant(): PropertyDecorator {
  return applyDecorators(
    IsISO8601({ strict: true }),
    Matches(INSTANT, {
      message: '$property must be YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss[.fff]] with Z or ±hh:mm',
    }),
  );
}

/**
 * An instant after now, for what has not expired yet when it is set (a grant's credits, an API
 * key): one already past would be refused or worthless from its first use.
 */
export function IsFutureInstant(): PropertyDecorator {
  return applyDecorators(
    IsInstant(),
    ValidateBy({
      name: 'isFutureInstant',
      validator: {
        // Not an instant at all is IsInstant's to say.
        validate: (value: unknown) => {
          const at = typeof value === 'string' ? Date.parse(value) : NaN;
          return Number.isNaN(at) || at > Date.now();
        },
        defaultMessage: () => '$property must be in the future',
      },
    }),
  );
}
