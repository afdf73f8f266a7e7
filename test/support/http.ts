import { TEST_TOKENS } from './test-env';

export interface HttpAnswer<T = unknown> {
  status: number;
  body: T;
}

type Role = keyof typeof TEST_TOKENS | 'none';

/**
 * A JSON call with the given service token (or none), or with `token` (a principal's) when given;
 * the body may be a raw string.
 */
export async function call<T = Record<string, unknown>>(
  method: string,
  url: string,
  {
    as = 'admin',
    token,
    body,
    headers = {},
  }: { as?: Role; token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<HttpAnswer<T>> {
  const response = await fetch(url, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token !== undefined
        ? { authorization: `Bearer ${token}` }
        : as !== 'none'
          ? { authorization: `Bearer ${TEST_TOKENS[as]}` }
          : {}),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}
