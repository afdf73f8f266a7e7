import { describeHazard, ErrorCode, findJsonHazard } from '@tally/contracts';
import { json, type RequestHandler } from 'express';
import { DomainError } from '../errors/domain.error';

/**
 * express.json with its failures turned into our codes (Nest would otherwise map a syntax error to
 * a generic 400 and lose which failure it was), and the body held to the rule every entry point
 * applies (findJsonHazard) before any route, pipe or class-transformer reads it.
 */
export function jsonBodyParser(limit: string): RequestHandler {
  const parse = json({ limit, strict: true });
  return (req, res, next) =>
    parse(req, res, (error?: unknown) => {
      if (!error) {
        const hazard = findJsonHazard(req.body);
        if (!hazard) return next();
        const detail = describeHazard(hazard);
        return next(new DomainError(hazard.code, detail, [detail]));
      }
      const type = (error as { type?: string }).type;
      if (type === 'entity.too.large') {
        return next(
          new DomainError(ErrorCode.PayloadTooLarge, `request body is larger than ${limit}`),
        );
      }
      if (type === 'entity.parse.failed') {
        return next(new DomainError(ErrorCode.InvalidJson, 'request body is not valid JSON'));
      }
      return next(new DomainError(ErrorCode.ValidationFailed, (error as Error).message));
    });
}
