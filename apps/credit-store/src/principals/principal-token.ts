import { randomBytes } from 'node:crypto';
import { secretDigest } from '@tally/platform';

/** 32 random bytes, base64url: 43 characters after the prefix (PRINCIPAL_TOKEN_SHAPE). */
export function newPrincipalToken(): { token: string; digest: Buffer } {
  const token = `tlp_${randomBytes(32).toString('base64url')}`;
  return { token, digest: secretDigest(token) };
}
