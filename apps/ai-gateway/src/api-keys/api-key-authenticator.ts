import { Injectable } from '@nestjs/common';
import { ErrorCode } from '@tally/contracts';
import { DomainError, methodsServing } from '@tally/platform';
import type { Request, RequestHandler } from 'express';
import type { ApiKey } from './api-key.repository';
import { ApiKeysService } from './api-keys.service';
import type { KeyCredentials } from './key-credentials';
import { KeyClock } from './key-clock';
import { expired } from './key-limits';

/** The request of a client authenticated by its API key. */
export interface KeyedRequest extends Request {
  apiKey: ApiKey;
}

/** The key string a request's `apiKey` was found by. */
const PRESENTED = Symbol('tally:presented-key');
type Authenticated = Partial<KeyedRequest> & { [PRESENTED]?: string };

/**
 * The one definition of who a client on /v1 is: the live, unexpired key its headers present. The
 * route guards call it; so does `beforeBody`, so that no body is read for a client who has none.
 */
@Injectable()
export class ApiKeyAuthenticator {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly clock: KeyClock,
  ) {}

  /** Sets `request.apiKey` (found once per request and key) or refuses with a 401. */
  async authenticate(request: Request, credentials: KeyCredentials): Promise<ApiKey> {
    const presented = credentials.read(request);
    if (!presented) {
      throw new DomainError(ErrorCode.Unauthorized, `missing API key (${credentials.expected})`);
    }
    const known = request as Authenticated;
    if (known.apiKey && known[PRESENTED] === presented) return known.apiKey;
    const key = await this.keys.authenticate(presented);
    if (!key) throw new DomainError(ErrorCode.Unauthorized, 'invalid or revoked API key');
    if (expired(key, this.clock.now())) {
      throw new DomainError(
        ErrorCode.Unauthorized,
        `the API key expired at ${key.expires_at!.toISOString()}`,
      );
    }
    known.apiKey = key;
    known[PRESENTED] = presented;
    return key;
  }

  /**
   * Middleware authenticating every request under `prefix` that carries a body, before the body is
   * read, with the credentials its path takes (its route's guard then finds the key already there).
   */
  beforeBody(prefix: string, credentialsFor: (path: string) => KeyCredentials): RequestHandler {
    return (req, _res, next) => {
      const hasBody =
        req.headers['transfer-encoding'] !== undefined ||
        (req.headers['content-length'] ?? '0') !== '0';
      if (!hasBody || !req.path.startsWith(prefix)) return next();
      this.authenticate(req, credentialsFor(req.path)).then(
        () => next(),
        // A path no route serves answers its 404 (which says where the call goes) instead.
        (refusal: unknown) => next(methodsServing(req, req.path).length > 0 ? refusal : undefined),
      );
    };
  }
}
