// The gateway's surfaces as `npm run bench:gateway` calls them: one request each, timed whole (JSON)
// or to its stream's first content chunk, or sent as a call of the open-loop load.
import { BENCH_TOKENS, json, sleep } from './bench-stack';
import type { LoadCall } from './open-loop';

/** One surface: its path, a request, and what its stream's first content looks like. */
export interface Surface {
  name: string;
  path: string;
  body: object;
  firstContent?: string;
  /** Anthropic's API: the key as `x-api-key`, and its version header. */
  anthropic?: boolean;
}

export function headersFor(key: string, surface: Surface): Record<string, string> {
  const auth: Record<string, string> = surface.anthropic
    ? { 'x-api-key': key, 'anthropic-version': '2023-06-01' }
    : { authorization: `Bearer ${key}` };
  return { ...auth, 'content-type': 'application/json' };
}

export async function timeCall(url: string, key: string, surface: Surface): Promise<number> {
  const start = performance.now();
  const response = await fetch(`${url}${surface.path}`, {
    method: 'POST',
    headers: headersFor(key, surface),
    body: JSON.stringify(surface.body),
  });
  await response.text();
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  return performance.now() - start;
}

/** Time to the first content chunk of a stream. */
export async function timeFirstChunk(url: string, key: string, surface: Surface): Promise<number> {
  const start = performance.now();
  const response = await fetch(`${url}${surface.path}`, {
    method: 'POST',
    headers: headersFor(key, surface),
    body: JSON.stringify({ ...surface.body, stream: true }),
  });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let seen = '';
  let first = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    seen += decoder.decode(value, { stream: true });
    if (!first && seen.includes(surface.firstContent!)) first = performance.now() - start;
  }
  return first;
}

/** A surface as a call of the open-loop load, JSON or streamed. */
export function loadCall(surface: Surface, stream = false): LoadCall {
  return {
    path: surface.path,
    body: stream ? { ...surface.body, stream: true } : surface.body,
    headers: (key) => headersFor(key, surface),
  };
}

export const SURFACES: Surface[] = [
  {
    name: 'chat',
    path: '/chat/completions',
    body: {
      model: 'bench-chat',
      messages: [{ role: 'user', content: 'Time me.' }],
      max_tokens: 50,
    },
    firstContent: '"content":"Hello"',
  },
  {
    name: 'responses',
    path: '/responses',
    body: { model: 'bench-chat', input: 'Time me.', max_output_tokens: 50 },
    firstContent: '"delta":"Hello"',
  },
  {
    name: 'embeddings',
    path: '/embeddings',
    body: { model: 'bench-embedding', input: 'Time me.', encoding_format: 'base64' },
  },
  {
    name: 'messages',
    path: '/messages',
    body: {
      model: 'bench-claude',
      messages: [{ role: 'user', content: 'Time me.' }],
      max_tokens: 50,
    },
    firstContent: '"text":"Hello"',
    anthropic: true,
  },
];

/** UPSTREAMS for the messages surface: the fake upstream's Anthropic API serving `bench-claude`. */
export function anthropicUpstreams(url: string): string {
  return JSON.stringify([
    {
      provider: 'anthropic',
      api: 'anthropic',
      base_url: url,
      api_key: 'k',
      models: ['bench-claude'],
    },
  ]);
}

/** The price rules the surfaces' models are charged by, put in through the credit-store's API. */
export async function priceSurfaces(storeUrl: string, adminToken: string): Promise<void> {
  for (const [scene, model, output] of [
    ['chat', 'bench-chat', '200000'],
    ['chat', 'bench-claude', '200000'],
    ['embedding', 'bench-embedding', '0'],
  ]) {
    await json('POST', `${storeUrl}/admin/price-rules`, adminToken, {
      scene,
      model,
      mode: 'tokens',
      input_per_million: '100000',
      output_per_million: output,
    });
  }
}

/**
 * A user granted 100,000,000 credits that the gateway's balance view has seen (until it has, calls
 * are refused), and its API key; the view is asked at most `attempts` times, 100 ms apart.
 */
export async function fundedKey(
  storeUrl: string,
  gatewayUrl: string,
  user: string,
  attempts = 200,
): Promise<string> {
  const { admin, internal } = BENCH_TOKENS;
  await json('POST', `${storeUrl}/accounts/${user}/grants`, admin, {
    event_id: `${user}-grant`,
    amount: 100_000_000,
    source: 'purchase',
  });
  const created = await json('POST', `${gatewayUrl}/admin/api-keys`, admin, { user_id: user });
  for (let i = 0; ; i++) {
    const { status, body } = await json('GET', `${gatewayUrl}/internal/balances/${user}`, internal);
    if (status === 200 && body.balance === 100_000_000) return String(created.body.key);
    if (i > attempts) throw new Error(`${gatewayUrl} never saw the grant of ${user}`);
    await sleep(100);
  }
}
