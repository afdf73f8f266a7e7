import type { LanguageModel } from 'ai';
import {
  anthropicUpstreams,
  CACHED_CLAUDE,
  CACHED_CLAUDE_PRICES,
} from './support/anthropic-fixtures';
import { ChatStack } from './support/chat-stack';
import { eventually, unique } from './support/wait';

// `ai` and its providers are ESM only: loaded with import() (jest runs with
// --experimental-vm-modules, see package.json's "jest" script).
type Ai = typeof import('ai');
type OpenAiProvider = typeof import('@ai-sdk/openai');
type AnthropicProvider = typeof import('@ai-sdk/anthropic');

const prompt = 'Say hello to the ledger.';
// OpenAI: 30 input tokens of which 10 cached, 20 output of which 8 reasoning, at 0.1 / 0.05 / 0.2
// / 0.3 credits a token: 20 × 0.1 + 10 × 0.05 + 12 × 0.2 + 8 × 0.3 = 7.3 → 8 credits.
const OPENAI_PRICES = { input: '100000', cached: '50000', output: '200000', reasoning: '300000' };
// Anthropic: input 20, cache read 40, cache write 10, output 30 at 0.1 / 0.01 / 0.125 / 0.2 = 9.65
// → 10 credits.

const PATHS: Record<string, string> = {
  responses: '/v1/responses',
  chat: '/v1/chat/completions',
  anthropic: '/v1/messages',
};

const ONE_A_TOKEN = { input: '1000000', output: '1000000' };
/** An upstream that ignores the output limit and streams until the client goes away. */
const RUNAWAY = { chunks: ['abcdefgh'], usage: null, endless: true, chunkDelayMs: 5 };

describe('The Vercel AI SDK (ai, @ai-sdk/openai, @ai-sdk/anthropic) through the gateway', () => {
  const stack = new ChatStack();
  let ai: Ai;
  let openai: OpenAiProvider;
  let anthropic: AnthropicProvider;
  let gpt: string;
  let claude: string;
  let gptRunaway: string;
  let claudeRunaway: string;

  beforeAll(async () => {
    [ai, openai, anthropic] = await Promise.all([
      import('ai'),
      import('@ai-sdk/openai'),
      import('@ai-sdk/anthropic'),
    ]);
    await stack.start((upstreamUrl) => ({
      UPSTREAMS: anthropicUpstreams(upstreamUrl),
      STREAM_SLICE_TOKENS: '16',
    }));
    gptRunaway = await stack.addModel(RUNAWAY, ONE_A_TOKEN);
    claudeRunaway = await stack.addModel(RUNAWAY, ONE_A_TOKEN, unique('claude'));
    gpt = await stack.addModel(
      {
        chunks: ['Hello', ', ', 'ledger', '!'],
        usage: { prompt_tokens: 30, completion_tokens: 12 },
        cachedTokens: 10,
        reasoningTokens: 8,
      },
      OPENAI_PRICES,
    );
    claude = await stack.addModel(CACHED_CLAUDE, CACHED_CLAUDE_PRICES, unique('claude'));
  });
  afterAll(() => stack.stop());

  /** A user's key with credits, and the providers as a product sets them up: baseURL the gateway. */
  async function providers(credits: number) {
    const user = await stack.fundedUser(credits);
    const { key } = await stack.newKey(user);
    const baseURL = `${stack.gateway.url}/v1`;
    return {
      user,
      openai: openai.createOpenAI({ baseURL, apiKey: key }),
      anthropic: anthropic.createAnthropic({ baseURL, apiKey: key }),
    };
  }

  const onlyCharge = (user: string) =>
    eventually(async () => {
      const charges = await stack.ledgerCharges(user);
      expect(charges).toHaveLength(1);
      return charges[0];
    });

  type Pick = (p: Awaited<ReturnType<typeof providers>>, runaway?: boolean) => LanguageModel;
  const surfaces: [string, Pick][] = [
    ['responses', (p, runaway) => p.openai(runaway ? gptRunaway : gpt)],
    ['chat', (p, runaway) => p.openai.chat(runaway ? gptRunaway : gpt)],
    ['anthropic', (p, runaway) => p.anthropic(runaway ? claudeRunaway : claude)],
  ];

  async function expectCharge(user: string, surface: string, stream: boolean) {
    const charge = await onlyCharge(user);
    if (surface === 'anthropic') {
      expect(charge).toMatchObject({ amount: -10, balance_after: 990 });
      expect(charge.pricing).toMatchObject({
        usage: { input_tokens: 70, cached_tokens: 40, cache_write_tokens: 10, output_tokens: 30 },
      });
    } else {
      expect(charge).toMatchObject({ amount: -8, balance_after: 992 });
      expect(charge.pricing).toMatchObject({
        usage: { input_tokens: 30, cached_tokens: 10, output_tokens: 20, reasoning_tokens: 8 },
      });
    }
    expect(charge.metadata).toMatchObject({ stream, usage_source: 'upstream' });
    // The provider called the surface it was meant to (the fake records each call's path).
    expect(stack.upstream.received.at(-1)?.path).toBe(PATHS[surface]);
  }

  it.each(surfaces)('generateText (%s) answers and is charged exactly', async (surface, model) => {
    const p = await providers(1000);
    const result = await ai.generateText({ model: model(p), prompt, maxOutputTokens: 100 });
    expect(result.text).toBe('Hello, ledger!');
    expect(result.finishReason).toBe('stop');
    await expectCharge(p.user, surface, false);
  });

  it.each(surfaces)('streamText (%s) streams and is charged exactly', async (surface, model) => {
    const p = await providers(1000);
    const errors: unknown[] = [];
    const result = ai.streamText({
      model: model(p),
      prompt,
      maxOutputTokens: 100,
      onError: ({ error }) => void errors.push(error),
    });
    let text = '';
    for await (const piece of result.textStream) text += piece;
    expect(errors).toEqual([]);
    expect(text).toBe('Hello, ledger!');
    expect(await result.finishReason).toBe('stop');
    await expectCharge(p.user, surface, true);
  });

  it.each(surfaces)('generateText (%s) for an unfunded user fails with 402', async (_, model) => {
    const p = await providers(0);
    const before = stack.upstream.received.length;
    const failure: unknown = await ai
      .generateText({ model: model(p), prompt, maxOutputTokens: 100, maxRetries: 0 })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(failure).toMatchObject({ statusCode: 402 });
    expect((failure as Error).message).toContain('insufficient');
    expect(stack.upstream.received.length).toBe(before);
    expect(await stack.ledgerCharges(p.user)).toEqual([]);
  });

  it.each(surfaces)(
    'streamText (%s) reports the stop at the last credit as an error, charged what was sent',
    async (_, model) => {
      const p = await providers(60);
      const errors: unknown[] = [];
      const result = ai.streamText({
        model: model(p, true),
        prompt,
        maxOutputTokens: 20,
        maxRetries: 0,
        onError: ({ error }) => void errors.push(error),
      });
      let text = '';
      for await (const piece of result.textStream) text += piece;
      expect(errors).toHaveLength(1);
      expect(String((errors[0] as Error).message ?? JSON.stringify(errors[0]))).toMatch(
        /credits ran out/,
      );
      const charge = await onlyCharge(p.user);
      expect(charge.metadata).toMatchObject({ finish: 'insufficient_credits' });
      const output = (charge.pricing as { usage: { output_tokens: number } }).usage.output_tokens;
      expect(output).toBe(Math.ceil(Buffer.byteLength(text) / 4));
      // At least the 20 asked for, and never more than the 60 credits cover (one credit a token).
      expect(output).toBeGreaterThanOrEqual(20);
      expect(-charge.amount).toBeLessThanOrEqual(60);
    },
  );
});
