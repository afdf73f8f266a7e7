/** Query parameters whose values may be credentials, by name (`api_key`, `access_token`, …). */
const SECRET_NAME = /token|key|secret|passw|auth|signature|credential|session|cookie/i;

/**
 * A URL as a log line may hold it: the values of query parameters that could carry a credential
 * (a token misplaced in a query string) are replaced by `[redacted]`; everything else is kept, for
 * the cursors and filters that make a line useful.
 */
export function loggableUrl(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const query = url
    .slice(at + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      return SECRET_NAME.test(safeDecoded(pair.slice(0, eq)))
        ? `${pair.slice(0, eq)}=[redacted]`
        : pair;
    });
  return `${url.slice(0, at)}?${query.join('&')}`;
}

function safeDecoded(name: string): string {
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}
