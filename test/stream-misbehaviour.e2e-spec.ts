import Anthropic from '@anthropic-ai/sdk';
import type { FakeModel } from '../tools/fake-upstream/fake-upstream';
import { anthropicUpstreams } from './support/anthropic-fixtures';
import { ChatStack, LedgerEntryView } from './support/chat-stack';
import { drain } from './support/client-calls';
import { call } from './support/http';
import { eventually, unique } from './support/wait';

// One credit a token, in and out: amounts read as token counts.
const ONE_A_TOKEN = { input: '1000000', output: '1000000' };
const SLICE = 16;
const PLENTY = 1_000_000;
/** 1,000 tokens of text as the gateway counts them (4 bytes a token), in 200 events. */
const THOUSAND_TOKENS = Array.from({ length: 200 }, () => 'abcd'.repeat(5));
/** 1,000 tokens of 8 bytes (a markdown table's), 100 an event. */
const DENSE_TOKENS = Array.from({ length: 10 }, () => '| a | b '.repeat(100));

/** What a client saw of a stream: the text, the upstream's id, the error it raised if any. */
interface Seen {
  text: string;
  id?: string;
  failure?: { status?: number; code?: string | null; type?: string; message?: string };
}

/** A streaming surface, driven by its official client the way a product uses it. */
interface Surface {
  name: string;
  /** The model's name (Anthropic's upstream serves `claude-*`). */
  prefix: string;
  stream(key: string, model: string, maxTokens: number): Promise<Seen>;
  /** The same call answered whole (JSON): its text. */
  answer(key: string, model: string, maxTokens: number): Promise<string>;
}

function failureOf(error: unknown): Seen['failure'] {
  if (error === undefined) return undefined;
  const e = error as { status?: number; code?: string; type?: string; message?: string };
  const inner = (error as { error?: { type?: string; error?: { type?: string } } }).error;
  return {
    status: e.status,
    code: e.code,
    type: inner?.error?.type ?? inner?.type ?? e.type,
    message: e.message,
  };
}

describe('every client surface holds a misbehaving upstream to the same rules', () => {
  const stack = new ChatStack();
  beforeAll(async () => {
    await stack.start((upstreamUrl) => ({
      UPSTREAMS: anthropicUpstreams(upstreamUrl),
      STREAM_SLICE_TOKENS: String(SLICE),
    }));
  });
  afterAll(() => stack.stop());

  const openai = (key: string) => stack.client(key);
  const surfaces: Surface[] = [
    {
      name: 'chat completions',
      prefix: 'gpt',
      async stream(key, model, maxTokens) {
        const { items, failure } = await drain(
          await openai(key).chat.completions.create({
            model,
            messages: [{ role: 'user', content: 'Meter every token.' }],
            max_tokens: maxTokens,
            stream: true,
          }),
        );
        return {
          text: items.map((c) => c.choices[0]?.delta.content ?? '').join(''),
          id: items[0]?.id,
          failure: failureOf(failure),
        };
      },
      async answer(key, model, maxTokens) {
        const completion = await openai(key).chat.completions.create({
          model,
          messages: [{ role: 'user', content: 'Meter every token.' }],
          max_tokens: maxTokens,
        });
        return completion.choices[0].message.content ?? '';
      },
    },
    {
      name: 'responses',
      prefix: 'gpt',
      async stream(key, model, maxTokens) {
        const { items, failure } = await drain(
          await openai(key).responses.create({
            model,
            input: 'Meter every token.',
            max_output_tokens: maxTokens,
            stream: true,
          }),
        );
        const created = items.find((e) => e.type === 'response.created');
        return {
          text: items.map((e) => (e.type === 'response.output_text.delta' ? e.delta : '')).join(''),
          id: created?.type === 'response.created' ? created.response.id : undefined,
          failure: failureOf(failure),
        };
      },
      async answer(key, model, maxTokens) {
        const response = await openai(key).responses.create({
          model,
          input: 'Meter every token.',
          max_output_tokens: maxTokens,
        });
        return response.output_text;
      },
    },
    {
      name: 'messages',
      prefix: 'claude',
      async stream(key, model, maxTokens) {
        const anthropic = new Anthropic({ apiKey: key, baseURL: stack.gateway.url, maxRetries: 0 });
        const { items, failure } = await drain(
          await anthropic.messages.create({
            model,
            max_tokens: maxTokens,
            messages: [{ role: 'user', content: 'Meter every token.' }],
            stream: true,
          }),
        );
        const start = items.find((e) => e.type === 'message_start');
        return {
          text: items
            .map((e) =>
              e.type === 'content_block_delta' && e.delta.type === 'text_delta' ? e.delta.text : '',
            )
            .join(''),
          id: start?.type === 'message_start' ? start.message.id : undefined,
          failure: failureOf(failure),
        };
      },
      async answer(key, model, maxTokens) {
        const anthropic = new Anthropic({ apiKey: key, baseURL: stack.gateway.url, maxRetries: 0 });
        const message = await anthropic.messages.create({
          model,
          max_tokens: maxTokens,
          messages: [{ role: 'user', content: 'Meter every token.' }],
        });
        return message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
      },
    },
  ];

  const tokensOf = (text: string) => Math.ceil(Buffer.byteLength(text) / 4);
  const usageOf = (charge: LedgerEntryView) =>
    (charge.pricing as { usage: { input_tokens: number; output_tokens: number } }).usage;
  const charges = (user: string, count: number) =>
    eventually(async () => {
      const listed = await stack.ledgerCharges(user);
      expect(listed).toHaveLength(count);
      return listed;
    });

  it('refuses audio with a 400 naming the field, as it is not priced', async () => {
    const name = await stack.addModel({ chunks: ['ok'], usage: null }, ONE_A_TOKEN);
    const user = await stack.fundedUser(PLENTY);
    const client = openai((await stack.newKey(user)).key);
    const refused = await client.chat.completions
      .create({
        model: name,
        modalities: ['text', 'audio'],
        audio: { voice: 'alloy', format: 'wav' },
        messages: [{ role: 'user', content: 'Say it.' }],
      })
      .catch((error: { status?: number; message?: string }) => error);
    expect(refused).toMatchObject({ status: 400 });
    expect((refused as { message: string }).message).toContain('modalities: audio is not served');
    expect(stack.upstream.received.some((r) => r.body.model === name)).toBe(false);
  });

  describe.each(surfaces)('$name', (surface) => {
    const model = (fake: FakeModel) => stack.addModel(fake, ONE_A_TOKEN, unique(surface.prefix));
    async function client(credits = PLENTY, limits: Record<string, unknown> = {}) {
      const user = await stack.fundedUser(credits);
      const { id, key } = await stack.newKey(user, limits);
      return { user, keyId: id, key };
    }

    it.each(['truncated', 'error'] as const)(
      'charges a stream that ends without its terminal event (%s) at least what was passed on',
      async (ending) => {
        const name = await model({
          chunks: THOUSAND_TOKENS,
          usage: { prompt_tokens: 10, completion_tokens: 1000 },
          ending,
        });
        const { user, key } = await client();
        const seen = await surface.stream(key, name, 2000);
        expect(seen.text).toBe(THOUSAND_TOKENS.join(''));
        // The client learns the answer is cut short: the upstream's error, or the gateway's.
        expect(seen.failure).toBeDefined();
        if (ending === 'error') expect(seen.failure?.message).toContain('Overloaded');
        const [charge] = await charges(user, 1);
        expect(usageOf(charge).output_tokens).toBe(1000);
        expect(-charge.amount).toBeGreaterThanOrEqual(1000);
        expect(charge.metadata).toMatchObject({
          finish: 'upstream_failed',
          usage_source: 'estimated',
        });
      },
    );

    it('never trusts a usage lower than what was passed on', async () => {
      const name = await model({
        chunks: THOUSAND_TOKENS,
        usage: { prompt_tokens: 10, completion_tokens: 10 },
      });
      const { user, key } = await client();
      const seen = await surface.stream(key, name, 2000);
      expect(seen.failure).toBeUndefined();
      expect(seen.text).toBe(THOUSAND_TOKENS.join(''));
      const [charge] = await charges(user, 1);
      expect(usageOf(charge)).toMatchObject({ input_tokens: 10, output_tokens: 1000 });
      expect(charge.amount).toBe(-1010);
      expect(charge.metadata).toMatchObject({ finish: 'completed', usage_source: 'estimated' });
    });

    it('never trusts a whole answer’s usage lower than its text either', async () => {
      const name = await model({
        chunks: THOUSAND_TOKENS,
        usage: { prompt_tokens: 10, completion_tokens: 10 },
      });
      const { user, key } = await client();
      expect(await surface.answer(key, name, 2000)).toBe(THOUSAND_TOKENS.join(''));
      const [charge] = await charges(user, 1);
      expect(usageOf(charge)).toMatchObject({ input_tokens: 10, output_tokens: 1000 });
      expect(charge.metadata).toMatchObject({ stream: false, usage_source: 'estimated' });
    });

    it('serves a read carrying many slices in full, charged what was passed on', async () => {
      // Asked for 100, the upstream sends 1,000 at once (reporting the 100 it was asked for).
      const name = await model({
        chunks: THOUSAND_TOKENS,
        usage: { prompt_tokens: 10, completion_tokens: 1000 },
        batched: true,
      });
      const { user, key } = await client();
      const seen = await surface.stream(key, name, 100);
      expect(seen.failure).toBeUndefined();
      expect(seen.text).toBe(THOUSAND_TOKENS.join(''));
      const [charge] = await charges(user, 1);
      expect(usageOf(charge)).toMatchObject({ input_tokens: 10, output_tokens: 1000 });
      expect(charge.amount).toBe(-1010);
    });

    it('serves dense tokens in full and charges the upstream’s plausible usage', async () => {
      const name = await model({
        chunks: DENSE_TOKENS,
        usage: { prompt_tokens: 10, completion_tokens: 1000 },
        batched: true,
      });
      const { user, key } = await client();
      const seen = await surface.stream(key, name, 1000);
      expect(seen.failure).toBeUndefined();
      expect(seen.text).toBe(DENSE_TOKENS.join(''));
      const [charge] = await charges(user, 1);
      expect(charge.amount).toBe(-1010);
      expect(charge.metadata).toMatchObject({ finish: 'completed', usage_source: 'upstream' });
    });

    it('keeps ten batched streams within the key’s budget, cut at what is covered and named for it', async () => {
      const name = await model({
        chunks: THOUSAND_TOKENS,
        usage: { prompt_tokens: 10, completion_tokens: 1000 },
        batched: true,
      });
      const { user, key } = await client(PLENTY, { budget: { credits: 3000, period: 'day' } });
      const seen = await Promise.all(
        Array.from({ length: 10 }, () => surface.stream(key, name, 100)),
      );
      const cut = seen.filter((s) => s.failure);
      expect(cut.length).toBeGreaterThan(0);
      for (const s of cut) expect(s.failure?.message).toContain('key budget exceeded');
      const listed = await charges(user, 10);
      expect(listed.reduce((sum, c) => sum - c.amount, 0)).toBeLessThanOrEqual(3000);
      for (const s of seen) {
        const charge = listed.find((c) => c.source_ref_id === s.id);
        // Each is charged what its client was given.
        expect(charge && usageOf(charge).output_tokens).toBe(tokensOf(s.text));
        expect(charge?.metadata.finish).toBe(s.failure ? 'key_budget_exceeded' : 'completed');
      }
    });

    it.each(['revoked', 'expired'] as const)(
      'stops growing the reservation of a key %s mid-stream',
      async (how) => {
        // 160 tokens over 2 s, asked for 10.
        const name = await model({
          chunks: Array.from({ length: 40 }, () => 'abcd'.repeat(4)),
          usage: { prompt_tokens: 10, completion_tokens: 10 },
          chunkDelayMs: 50,
        });
        const user = await stack.fundedUser(PLENTY);
        const expiresAt = new Date(Date.now() + 1000).toISOString();
        const { id, key } = await stack.newKey(
          user,
          how === 'expired' ? { expires_at: expiresAt } : {},
        );
        const streaming = surface.stream(key, name, 10);
        if (how === 'revoked') {
          await eventually(() => {
            expect(stack.upstream.chunksSent.get(name)).toBeGreaterThan(0);
          });
          const revoked = await call('POST', `${stack.gateway.url}/admin/api-keys/${id}/revoke`);
          expect(revoked.status).toBeLessThan(300);
        }
        const seen = await streaming;
        expect(seen.failure?.message).toContain(how);
        const [charge] = await charges(user, 1);
        expect(usageOf(charge).output_tokens).toBe(tokensOf(seen.text));
        // No growth once the key stopped being valid: at most what was covered then.
        expect(usageOf(charge).output_tokens).toBeLessThan(160);
        expect(charge.metadata).toMatchObject({ finish: `key_${how}` });
      },
    );
  });
});
