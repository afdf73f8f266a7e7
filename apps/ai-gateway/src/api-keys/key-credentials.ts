import { bearerToken } from '@tally/platform';
import type { Request } from 'express';

/** Where a surface reads the caller's API key from, and how its 401 says so. */
export interface KeyCredentials {
  expected: string;
  read(request: Request): string | undefined;
}

/** OpenAI's convention: `Authorization: Bearer <key>`. */
export const BEARER_KEY: KeyCredentials = {
  expected: 'Authorization: Bearer <key>',
  read: (request) => bearerToken(request.headers.authorization),
};
