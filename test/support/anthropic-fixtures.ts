import type { FakeModel } from '../../tools/fake-upstream/fake-upstream';

/** The UPSTREAMS entry of the fake upstream speaking Anthropic's API for every `claude-*` model. */
export function anthropicUpstreams(baseUrl: string): string {
  return JSON.stringify([
    {
      provider: 'anthropic',
      api: 'anthropic',
      base_url: baseUrl,
      api_key: 'anthropic-secret',
      models: ['claude-*'],
    },
  ]);
}

/**
 * The pricing example: input 20, cache read 40, cache write 10, output 30 at 0.1 / 0.01 /
 * 0.125 / 0.2 credits a token: 2 + 0.4 + 1.25 + 6 = 9.65 → 10 credits.
 */
export const CACHED_CLAUDE: FakeModel = {
  chunks: ['Hello', ', ', 'ledger', '!'],
  usage: { prompt_tokens: 20, completion_tokens: 30 },
  cache: { read: 40, write: 10 },
};
export const CACHED_CLAUDE_PRICES = {
  input: '100000',
  cached: '10000',
  cacheWrite: '125000',
  output: '200000',
};
