import OpenAI from 'openai';
import { DataSource } from 'typeorm';
import { KeyClock } from '../apps/ai-gateway/src/api-keys/key-clock';
import { ChatStack, type LedgerEntryView } from './support/chat-stack';
import { call } from './support/http';
import { TEST_TOKENS } from './support/test-env';
import { eventually, unique } from './support/wait';

// 0.1 credit per input token, 0.2 per output token.
const PRICES = { input: '100000', output: '200000' };
const USAGE_A = { prompt_tokens: 100, completion_tokens: 50 }; // 20 credits a call
const USAGE_B = { prompt_tokens: 300, completion_tokens: 10 }; // 32 credits a call
const LEDGER_FIELDS = ['amount', 'balance_after', 'created_at', 'direction', 'model', 'source'];

type StoreEntry = LedgerEntryView & { created_at: string };

interface Sums {
  calls: number;
  credits: number;
  input_tokens: number;
  output_tokens: number;
}

interface Me {
  user_id: string;
  balance: number;
  blocked: boolean;
  key: {
    id: string;
    name: string | null;
    budget: { credits: number; period: string } | null;
    spent_this_period: number;
    remaining: number | null;
    rpm: number | null;
    tpm: number | null;
    max_parallel: number | null;
    expires_at: string | null;
  };
  grants: { amount_remaining: number; expires_at: string | null; source: string }[];
  usage: Record<'24h' | '7d' | '30d' | 'all', Sums>;
}

interface MyEntry {
  amount: number;
  direction: string;
  source: string;
  model: string | null;
  balance_after: number;
  created_at: string;
}

interface Page {
  items: MyEntry[];
  next_cursor: string | null;
}

interface User {
  id: string;
  key: { id: string; key: string };
  client: OpenAI;
  model: string;
  calls: number;
}

describe('GET /v1/me and /v1/me/ledger: a user sees their own account through their own key', () => {
  const stack = new ChatStack();
  let a: User;
  let b: User;
  const rewardExpiry = new Date(Date.now() + 10 * 86_400_000).toISOString();

  beforeAll(async () => {
    await stack.start();
    const modelA = await stack.addModel({ chunks: ['a'], usage: USAGE_A }, PRICES);
    const modelB = await stack.addModel({ chunks: ['b'], usage: USAGE_B }, PRICES);
    a = await user(1000, { name: 'laptop', budget: { credits: 300, period: 'month' }, rpm: 100 });
    b = await user(700, { tpm: 100_000, max_parallel: 3 });
    a.model = modelA;
    b.model = modelB;
    // A second grant of A's, of another source, that expires sooner.
    const reward = await call('POST', `${stack.store.url}/accounts/${a.id}/grants`, {
      body: { event_id: unique('reward'), amount: 100, source: 'reward', expires_at: rewardExpiry },
    });
    expect(reward.status).toBe(201);
    for (const u of [a, a, a, b, b]) {
      await u.client.chat.completions.create({
        model: u.model,
        messages: [{ role: 'user', content: 'hi' }],
        max_tokens: 60,
      });
      u.calls++;
    }
    // Charged through the outbox and Kafka: wait until the ledger has applied them all.
    await eventually(async () => {
      expect((await stack.ledgerCharges(a.id)).length).toBe(3);
      expect((await stack.ledgerCharges(b.id)).length).toBe(2);
    });
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => stack.stop());

  async function user(credits: number, limits: Record<string, unknown>): Promise<User> {
    const id = await stack.fundedUser(credits);
    const key = await stack.newKey(id, limits);
    return { id, key, client: stack.client(key.key), model: '', calls: 0 };
  }

  /** The store's ledger of the user, newest first, as finance sees it. */
  async function storeLedger(userId: string): Promise<StoreEntry[]> {
    const { body } = await call<{ items: StoreEntry[] }>(
      'GET',
      `${stack.store.url}/accounts/${userId}/ledger?limit=200`,
    );
    return body.items;
  }

  /** Every page of the key's ledger, `limit` entries a page. */
  async function allPages(client: OpenAI, limit: number): Promise<{ pages: Page[] }> {
    const pages: Page[] = [];
    let cursor: string | null = null;
    do {
      const query: Record<string, string | number> = { limit };
      if (cursor) query.cursor = cursor;
      const page: Page = await client.get<Page>('/me/ledger', { query });
      pages.push(page);
      cursor = page.next_cursor;
    } while (cursor);
    return { pages };
  }

  function raw(path: string, init: RequestInit = {}, key = a.key.key) {
    return fetch(`${stack.gateway.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${key}`, ...init.headers },
    });
  }

  it("shows the key's own user only: balance, grants, usage and key match that user's ledger", async () => {
    for (const [me, other] of [
      [a, b],
      [b, a],
    ]) {
      const view = await me.client.get<Me>('/me');
      const ledger = await storeLedger(me.id);
      const charges = ledger.filter((e) => e.direction === 'expense');
      const charged = -charges.reduce((sum, e) => sum + e.amount, 0);
      const usage = me === a ? USAGE_A : USAGE_B;

      expect(view.user_id).toBe(me.id);
      expect(view.key.id).toBe(me.key.id);
      expect(view.balance).toBe(await stack.balance(me.id));
      expect(view.balance).toBe(ledger[0].balance_after);
      expect(view.blocked).toBe(false);
      expect(view.grants.reduce((sum, g) => sum + g.amount_remaining, 0)).toBe(view.balance);
      for (const period of ['24h', '7d', '30d', 'all'] as const) {
        expect(view.usage[period]).toMatchObject({
          calls: me.calls,
          credits: charged,
          input_tokens: me.calls * usage.prompt_tokens,
          output_tokens: me.calls * usage.completion_tokens,
        });
      }
      expect(JSON.stringify(view)).not.toContain(`"${other.id}"`);
      expect(JSON.stringify(view)).not.toContain(`"${other.key.id}"`);
    }
  });

  it('lists the grants with credits left, soonest to expire first, with their source', async () => {
    const view = await a.client.get<Me>('/me');
    // The three charges (60) drew first from the grant that expires first.
    expect(view.grants).toEqual([
      { source: 'reward', expires_at: rewardExpiry, amount_remaining: 100 - 60 },
      {
        source: 'purchase',
        expires_at: view.grants[1]?.expires_at ?? null,
        amount_remaining: 1000,
      },
    ]);
  });

  it('shows a budgeted key its spend this period and remaining = budget − spent', async () => {
    const view = await a.client.get<Me>('/me');
    expect(view.key).toEqual({
      id: a.key.id,
      name: 'laptop',
      budget: { credits: 300, period: 'month' },
      spent_this_period: 60,
      remaining: 300 - 60,
      rpm: 100,
      tpm: null,
      max_parallel: null,
      expires_at: null,
    });
    const other = await b.client.get<Me>('/me');
    expect(other.key).toMatchObject({
      budget: null,
      spent_this_period: 64,
      remaining: null,
      tpm: 100_000,
      max_parallel: 3,
    });
  });

  it('pages the ledger newest first, with only what a user may see', async () => {
    for (const me of [a, b]) {
      const expected = await storeLedger(me.id);
      const { pages } = await allPages(me.client, 2);
      expect(pages.map((p) => p.items.length)).toEqual(
        Array.from({ length: Math.ceil(expected.length / 2) }, (_, i) =>
          Math.min(2, expected.length - 2 * i),
        ),
      );
      const items = pages.flatMap((p) => p.items);
      for (const item of items) expect(Object.keys(item).sort()).toEqual(LEDGER_FIELDS);
      expect(items).toEqual(
        expected.map((e) => ({
          amount: e.amount,
          direction: e.direction,
          source: e.source,
          model: e.direction === 'expense' ? me.model : null,
          balance_after: e.balance_after,
          created_at: e.created_at,
        })),
      );
    }
  });

  it("never shows another user's entries, whatever cursor or parameter the key sends", async () => {
    const firstOfA = await a.client.get<Page>('/me/ledger', { query: { limit: 1 } });
    // A's cursor with B's key pages B's ledger.
    const withB = await b.client.get<Page>('/me/ledger', {
      query: { limit: 200, cursor: firstOfA.next_cursor },
    });
    const ofB = (await storeLedger(b.id)).map((e) => e.balance_after);
    for (const item of withB.items) expect(ofB).toContain(item.balance_after);
    // The user comes from the key: a user_id parameter is not obeyed (ignored, or refused).
    const asked = await raw(`/v1/me?user_id=${b.id}`);
    expect(((await asked.json()) as Me).user_id).toBe(a.id);
    const listed = await raw(`/v1/me/ledger?user_id=${b.id}`);
    expect(listed.status).toBe(400);
    expect(((await listed.json()) as { error: { message: string } }).error.message).toContain(
      'user_id',
    );
    const garbage = await raw('/v1/me/ledger?cursor=bm90LWEtY3Vyc29y');
    expect(garbage.status).toBe(400);
    expect(((await garbage.json()) as { error: { message: string } }).error.message).toContain(
      'cursor',
    );
  });

  it('refuses a revoked or expired key (401) and tokens of principals, as every /v1 route does', async () => {
    const id = await stack.fundedUser(10);
    const key = await stack.newKey(id);
    const client = stack.client(key.key);
    expect((await client.get<Me>('/me')).user_id).toBe(id);
    const revoked = await call('POST', `${stack.gateway.url}/admin/api-keys/${key.id}/revoke`);
    expect(revoked.status).toBe(201);
    for (const path of ['/v1/me', '/v1/me/ledger']) {
      const answer = await raw(path, {}, key.key);
      expect(answer.status).toBe(401);
      expect(await answer.json()).toMatchObject({
        error: { code: 'unauthorized', type: 'authentication_error' },
      });
    }
    await expect(client.get('/me')).rejects.toBeInstanceOf(OpenAI.AuthenticationError);

    const expiring = await stack.newKey(id, { expires_at: '2099-01-01T00:00:00Z' });
    jest.spyOn(stack.gateway.app.get(KeyClock), 'now').mockReturnValue(new Date('2099-01-02'));
    expect((await raw('/v1/me', {}, expiring.key)).status).toBe(401);
    expect((await raw('/v1/me', {}, 'not-a-key')).status).toBe(401);
    expect((await raw('/v1/me', {}, TEST_TOKENS.admin)).status).toBe(401);
    expect((await raw('/v1/me/ledger', {}, TEST_TOKENS.internal)).status).toBe(401);
    expect((await raw('/v1/me', { headers: { authorization: '' } })).status).toBe(401);
  });

  it('answers a wrong method or an unknown path under /v1/me with the usual 404', async () => {
    const post = await raw('/v1/me', { method: 'POST' });
    expect(post.status).toBe(404);
    expect(((await post.json()) as { error: { message: string } }).error.message).toBe(
      'POST /v1/me is not served here: /v1/me takes GET',
    );
    const del = await raw('/v1/me/ledger', { method: 'DELETE' });
    expect(del.status).toBe(404);
    const unknown = await raw('/v1/me/secrets');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('counts each usage period over its own span (free calls, which move no credits, included)', async () => {
    const db = stack.store.app.get(DataSource);
    const day = 86_400_000;
    for (const [daysAgo, tokens] of [
      [3, 7],
      [40, 1000],
    ]) {
      await db.query(
        `INSERT INTO usage_records (event_id, user_id, source, mode, model, amount, input_tokens,
                                    occurred_at)
         VALUES ($1, $2, 'chat', 'free', $3, 0, $4, $5)`,
        [unique('free'), a.id, a.model, tokens, new Date(Date.now() - daysAgo * day)],
      );
    }
    const { usage } = await a.client.get<Me>('/me');
    const recent = 3 * USAGE_A.prompt_tokens;
    expect([usage['24h'], usage['7d'], usage['30d'], usage.all]).toEqual([
      expect.objectContaining({ calls: 3, credits: 60, input_tokens: recent }),
      expect.objectContaining({ calls: 4, credits: 60, input_tokens: recent + 7 }),
      expect.objectContaining({ calls: 4, credits: 60, input_tokens: recent + 7 }),
      expect.objectContaining({ calls: 5, credits: 60, input_tokens: recent + 1007 }),
    ]);
  });
});
