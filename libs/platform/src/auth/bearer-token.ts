/**
 * The token of an `Authorization: Bearer <token>` header: exactly those two parts, one space
 * apart, the token itself without whitespace. Anything else (`Bearer <token> x`, two spaces, a
 * missing token) presents no token at all.
 */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer ([^\s]+)$/.exec(header ?? '');
  return match?.[1];
}
