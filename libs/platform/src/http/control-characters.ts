import { ErrorCode, isStorableString } from '@tally/contracts';
import type { RequestHandler } from 'express';
import { DomainError } from '../errors/domain.error';

// C0 controls and DEL: no id, cursor or filter of ours can hold one.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Refuses a URL whose decoded path or query holds a control character, before any route sees it,
 * naming the query parameter (`query.cursor`) or the path. A NUL (which PostgreSQL cannot store) is
 * `unstorable_text`, as in a body; a lone surrogate has no valid percent-encoding, so it is refused
 * as a URL that is not validly encoded.
 */
export const rejectControlCharacters: RequestHandler = (req, _res, next) => {
  const url = req.originalUrl;
  // Node's parser refuses raw control characters in the request line: only escapes can hold one.
  if (!url.includes('%')) return next();
  const at = url.indexOf('?');
  const parts: [string, string][] = [['path', at < 0 ? url : url.slice(0, at)]];
  if (at >= 0) {
    for (const pair of url.slice(at + 1).split('&')) {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      // The name is checked first, so by its value's turn it is fit to be named.
      parts.push(['query', name]);
      if (eq >= 0) parts.push([`query.${decoded(name)}`, pair.slice(eq + 1)]);
    }
  }
  for (const [field, raw] of parts) {
    const text = decoded(raw);
    if (text === undefined) {
      return next(refusal(ErrorCode.ValidationFailed, field, 'is not validly percent-encoded'));
    }
    if (!isStorableString(text)) {
      return next(
        refusal(
          ErrorCode.UnstorableText,
          field,
          'must not hold a NUL character or a lone surrogate',
        ),
      );
    }
    if (CONTROL.test(text)) {
      return next(refusal(ErrorCode.ValidationFailed, field, 'must not hold control characters'));
    }
  }
  next();
};

function decoded(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

function refusal(code: ErrorCode, field: string, reason: string): DomainError {
  const detail = `${field}: ${reason}`;
  return new DomainError(code, detail, [detail]);
}
