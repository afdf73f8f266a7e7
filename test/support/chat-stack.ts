import OpenAI from 'openai';
import { RunningApp, startCreditStore, startGateway } from './apps';
import {
  FakeModel,
  FakeUpstream,
  startFakeUpstream,
} from '../../tools/fake-upstream/fake-upstream';
import { call } from './http';
import { eventually, unique } from './wait';

export interface LedgerEntryView {
  event_id: string;
  direction: string;
  source: string;
  amount: number;
  balance_after: number;
  source_ref_id: string | null;
  metadata: Record<string, unknown>;
  pricing: Record<string, unknown> | null;
}

/**
 * The client path end to end: a fake OpenAI upstream, the credit-store and a gateway pointed at
 * both. Helpers price models, fund users (and wait until the gateway's balance view has it) and
 * issue API keys.
 */
export class ChatStack {
  upstream!: FakeUpstream;
  store!: RunningApp;
  gateway!: RunningApp;
  private probeKey!: string;
  private gatewayEnv: Record<string, string> = {};

  /** `gatewayEnv` may be made from the fake upstream's URL (e.g. UPSTREAMS naming it). */
  async start(
    gatewayEnv: Record<string, string> | ((upstreamUrl: string) => Record<string, string>) = {},
  ): Promise<this> {
    this.upstream = await startFakeUpstream();
    const env = typeof gatewayEnv === 'function' ? gatewayEnv(this.upstream.url) : gatewayEnv;
    this.store = await startCreditStore({ JOB_INTERVAL_SECONDS: '0' });
    this.gatewayEnv = {
      CREDIT_STORE_URL: this.store.url,
      UPSTREAM_BASE_URL: this.upstream.url,
      UPSTREAM_API_KEY: 'upstream-secret',
      PRICE_RULES_REFRESH_MS: '200',
      ...env,
    };
    this.gateway = await startGateway(this.gatewayEnv);
    this.probeKey = (await this.newKey(unique('probe'))).key;
    return this;
  }

  /**
   * One more gateway replica on the same database, credit-store and upstream (its relay off: the
   * first one's relays for both). The caller closes it.
   */
  replica(): Promise<RunningApp> {
    return startGateway({ ...this.gatewayEnv, OUTBOX_RELAY_ENABLED: '0' });
  }

  /**
   * Another gateway on the same database, credit-store and upstream with settings of its own
   * (`env` over the stack's; its relay off). The caller closes it.
   */
  gatewayWith(env: Record<string, string>): Promise<RunningApp> {
    return startGateway({ ...this.gatewayEnv, OUTBOX_RELAY_ENABLED: '0', ...env });
  }

  async stop(): Promise<void> {
    await this.gateway?.close();
    await this.store?.close();
    await this.upstream?.close();
  }

  /**
   * A model the fake serves, priced per million tokens (decimal strings) by a rule of the scene
   * (`chat` for chat and Responses models, `embedding` for embedding models).
   */
  async addModel(
    fake: FakeModel,
    prices: {
      input: string;
      output: string;
      cached?: string;
      reasoning?: string;
      cacheWrite?: string;
      cacheWrite1h?: string;
    },
    name = unique('model'),
    scene = 'chat',
  ): Promise<string> {
    this.upstream.models.set(name, fake);
    const created = await call('POST', `${this.store.url}/admin/price-rules`, {
      body: {
        scene,
        model: name,
        mode: 'tokens',
        input_per_million: prices.input,
        output_per_million: prices.output,
        cached_per_million: prices.cached,
        reasoning_per_million: prices.reasoning,
        cache_write_per_million: prices.cacheWrite,
        cache_write_1h_per_million: prices.cacheWrite1h,
      },
    });
    if (created.status !== 201) throw new Error(`price rule: ${JSON.stringify(created.body)}`);
    // Ready once the gateway's price book has read the rule.
    await eventually(async () => {
      const { data } = await this.client(this.probeKey).models.list();
      if (!data.some((m) => m.id === name)) throw new Error(`${name} not listed yet`);
    });
    return name;
  }

  /** A user with `credits` granted, once the gateway's balance view shows them. */
  async fundedUser(credits: number): Promise<string> {
    const user = unique('user');
    if (credits > 0) {
      await call('POST', `${this.store.url}/accounts/${user}/grants`, {
        body: { event_id: unique('grant'), amount: credits, source: 'purchase' },
      });
      await eventually(async () => {
        const view = await this.guardView(user);
        if (view.balance !== credits) throw new Error(`view has ${view.balance}`);
      });
    }
    return user;
  }

  async guardView(
    user: string,
  ): Promise<{ balance: number; reserved: number; unreflected: number; spendable: number }> {
    const { body } = await call<{
      balance: number;
      reserved: number;
      unreflected: number;
      spendable: number;
    }>('GET', `${this.gateway.url}/internal/balances/${user}`, { as: 'internal' });
    return body;
  }

  /** A key of the user, with the limits given (budget, rpm, models...). */
  async newKey(
    user: string,
    limits: Record<string, unknown> = {},
  ): Promise<{ id: string; key: string }> {
    const { status, body } = await call<{ id: string; key: string }>(
      'POST',
      `${this.gateway.url}/admin/api-keys`,
      { body: { user_id: user, ...limits } },
    );
    if (status !== 201) throw new Error(`api key: ${status} ${JSON.stringify(body)}`);
    return body;
  }

  /** An OpenAI client with the key, on the stack's gateway or on `gateway` (a replica). */
  client(key: string, gateway: RunningApp = this.gateway): OpenAI {
    return new OpenAI({ apiKey: key, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
  }

  /** The same client pointed straight at the fake upstream (the baseline). */
  directClient(): OpenAI {
    return new OpenAI({ apiKey: 'upstream-secret', baseURL: this.upstream.url, maxRetries: 0 });
  }

  /** The user's charges (of every source) in the credit-store ledger, oldest first. */
  async ledgerCharges(user: string): Promise<LedgerEntryView[]> {
    const { body } = await call<{ items: LedgerEntryView[] }>(
      'GET',
      `${this.store.url}/accounts/${user}/ledger?limit=200`,
    );
    return body.items.filter((e) => e.direction === 'expense').reverse();
  }

  async balance(user: string): Promise<number> {
    const { body } = await call<{ balance: number }>('GET', `${this.store.url}/accounts/${user}`);
    return body.balance;
  }
}
