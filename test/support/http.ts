import { TEST_TOKENS } from './test-env';

export interface HttpAnswer<T = unknown> {
  status: number;
  body: T;
}

type Role = keyof typeof TEST_TOKENS | 'none';

/** A JSON call with the given service token (or none); the body may be a raw string. */
export async function call<T = Record<string, unknown>>(
  method: string,
  url: string,
  {
    as = 'admin',
    body,
    headers = {},
  }: { as?: Role; body?: unknown; headers?: Record<string, string> } = {},
): Promise<HttpAnswer<T>> {
  const response = await fetch(url, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(as !== 'none' ? { authorization: `Bearer ${TEST_TOKENS[as]}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}
