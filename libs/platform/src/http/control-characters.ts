import { ErrorCode } from '@tally/contracts';
import type { RequestHandler } from 'express';
import { DomainError } from '../errors/domain.error';

// C0 controls and DEL: no id, cursor or filter of ours can hold one.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Refuses a URL whose decoded path or query holds a control character, before any route sees it.
 * PostgreSQL cannot store a NUL in text, so an id such as `%00` reached a query and came back as a
 * 500 from every route that looks an id up (found by test/hostile-input.e2e-spec.ts).
 */
export const rejectControlCharacters: RequestHandler = (req, _res, next) => {
  let decoded: string;
  try {
    decoded = decodeURIComponent(req.originalUrl.replace(/\+/g, ' '));
  } catch {
    return next(new DomainError(ErrorCode.ValidationFailed, 'the URL is not validly encoded'));
  }
  if (CONTROL.test(decoded)) {
    return next(
      new DomainError(ErrorCode.ValidationFailed, 'the URL must not contain control characters'),
    );
  }
  next();
};
