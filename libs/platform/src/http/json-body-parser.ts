import { describeHazard, ErrorCode, findJsonHazard } from '@tally/contracts';
import { json, type Request, type RequestHandler } from 'express';
import { DomainError } from '../errors/domain.error';
import { BodyBudget, byteCount } from './body-budget';
import { opensMoreContainersThan } from './json-containers';

export interface BodyLimits {
  /** Largest JSON body on paths that no prefix below names. */
  limit: string;
  /** Other limits for the paths under a prefix (the first that matches). */
  byPrefix?: { pathPrefix: string; limit: string }[];
  /** Most objects and arrays one body may open (counted before it is parsed). */
  maxContainers: number;
}

/** A body in flight is let in again after about this long, typically. */
const RETRY_AFTER_SECONDS = '1';

/**
 * express.json with its failures turned into our codes (Nest would otherwise map a syntax error to
 * a generic 400 and lose which failure it was), and the body held to the rule every entry point
 * applies (findJsonHazard) before any route, pipe or class-transformer reads it. A body is read
 * only once the budget has room for it (429 past its client's share, 503 past the whole), and
 * holds its room until it is parsed; one that opens too many objects and arrays is not parsed.
 */
export function jsonBodyParser(limits: BodyLimits, budget: BodyBudget): RequestHandler {
  const verify = (_req: unknown, _res: unknown, text: Buffer) => {
    if (opensMoreContainersThan(text, limits.maxContainers)) {
      throw new DomainError(
        ErrorCode.PayloadTooLarge,
        `request body holds more than ${limits.maxContainers} objects and arrays`,
      );
    }
  };
  const parsers = [...(limits.byPrefix ?? []), { pathPrefix: '', limit: limits.limit }].map(
    ({ pathPrefix, limit }) => ({
      pathPrefix,
      limit,
      bytes: byteCount(limit),
      parse: json({ limit, strict: true, verify }),
    }),
  );
  return (req, res, next) => {
    const { limit, bytes, parse } = parsers.find((p) => req.path.startsWith(p.pathPrefix))!;
    const address = req.socket.remoteAddress ?? '';
    let held = bodyBytes(req, bytes);
    if (held > 0) {
      const refusal = budget.take(address, held);
      if (refusal) return next(budgetRefusal(refusal));
      res.once('close', release);
    }
    function release() {
      if (held > 0) budget.give(address, held);
      held = 0;
    }
    parse(req, res, (error?: unknown) => {
      release();
      if (!error) {
        const hazard = findJsonHazard(req.body);
        if (!hazard) return next();
        const detail = describeHazard(hazard);
        return next(new DomainError(hazard.code, detail, [detail]));
      }
      if (error instanceof DomainError) return next(error);
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
  };
}

/**
 * The bytes a request's body will take while it is read: as declared, or the limit for a chunked
 * or compressed one (it may inflate to the limit); none for a body too large (refused before it is
 * read) or absent.
 */
function bodyBytes(req: Request, limit: number): number {
  const declared = req.headers['content-length'];
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding !== 'identity' && declared !== '0') return limit;
  if (declared !== undefined) {
    const length = Number(declared);
    return Number.isSafeInteger(length) && length <= limit ? length : 0;
  }
  return req.headers['transfer-encoding'] !== undefined ? limit : 0;
}

function budgetRefusal(refusal: 'address' | 'total'): DomainError {
  const retry = { 'retry-after': RETRY_AFTER_SECONDS };
  return refusal === 'address'
    ? new DomainError(
        ErrorCode.RateLimited,
        'too many request bodies from this address are being read at once; try again',
        undefined,
        retry,
      )
    : new DomainError(
        ErrorCode.ServiceUnavailable,
        'too many request bodies are being read at once; try again',
        undefined,
        retry,
      );
}
