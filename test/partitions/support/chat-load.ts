import { json, sleep } from '../../../bench/support/bench-stack';
import { paced } from '../../faults/support/charge-client';
import { FAULT_TOKENS } from '../../faults/support/fault-stack';
import { CHAT_MODEL, CHAT_PRICE } from './chat-model';
import type { PartitionStack } from './partition-stack';

/** The source the gateway gives a chat call's charge. */
export const CHAT_SOURCE = 'chat';
const CHAT_USERS = 20;
const CHAT_GRANT = 1_000_000;
/** A chat call not answered by then counts as unanswered: its charge may still land. */
const CHAT_WAIT_MS = 15_000;
/** Bounds the set-up: the gateways see the grants and serve the model within it. */
const READY_MS = 90_000;

/**
 * API-key holders calling POST /v1/chat/completions (not streamed), spread over the gateways in
 * turn. Chat has no idempotency key: a call that got no answer or a 5xx is sent once more to the
 * other gateway, as a new call. An answer's id is the upstream's completion id, which the gateway
 * keeps as its charge's source_ref_id: that is how each call's charge is found in the ledger.
 */
export class ChatClient {
  /** Completion ids of the calls answered 200, with their user. */
  readonly answered = new Map<string, string>();
  /** Calls answered with another status, by status. */
  readonly refused = new Map<number, number>();
  readonly figures = { calls: 0, noAnswer: 0, sentAgainElsewhere: 0 };
  readonly unexpected: string[] = [];
  readonly users: string[];

  constructor(
    private readonly gatewayUrls: string[],
    private readonly keys: Map<string, string>,
  ) {
    this.users = [...keys.keys()];
  }

  /** `total` calls spread over `durationMs` by `concurrency` workers. */
  run(total: number, durationMs: number, concurrency = 8): Promise<void> {
    return paced(total, durationMs, concurrency, (i) =>
      this.call(this.users[i % this.users.length], i % this.gatewayUrls.length),
    );
  }

  private async call(user: string, gateway: number): Promise<void> {
    const status = await this.send(user, this.gatewayUrls[gateway]);
    if (status !== 0 && status < 500) return;
    this.figures.sentAgainElsewhere++;
    await this.send(user, this.gatewayUrls[(gateway + 1) % this.gatewayUrls.length]);
  }

  /** One call; answers its status (0: no whole answer in time). */
  async send(user: string, url: string): Promise<number> {
    this.figures.calls++;
    try {
      const response = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.keys.get(user)}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          model: CHAT_MODEL,
          messages: [{ role: 'user', content: 'Charge me once.' }],
          max_tokens: 10,
        }),
        signal: AbortSignal.timeout(CHAT_WAIT_MS),
      });
      const text = await response.text();
      if (response.status !== 200) {
        this.refused.set(response.status, (this.refused.get(response.status) ?? 0) + 1);
        return response.status;
      }
      this.answered200(user, (JSON.parse(text) as { id?: unknown }).id);
      return 200;
    } catch {
      this.figures.noAnswer++;
      return 0;
    }
  }

  private answered200(user: string, id: unknown): void {
    if (typeof id !== 'string' || this.answered.has(id)) {
      this.unexpected.push(`a 200 with the id ${String(id)}`);
    } else this.answered.set(id, user);
  }

  refusedFigure(): string {
    const statuses = [...this.refused].sort(([a], [b]) => a - b);
    return statuses.map(([status, n]) => `${status}: ${n}`).join(', ') || 'none';
  }
}

/**
 * The chat price rule, users with credits and API keys, and a client over `gatewayUrls`, once
 * every gateway knows each user's balance and has answered a call 200 (those calls count).
 */
export async function prepareChat(
  stack: PartitionStack,
  gatewayUrls: string[],
): Promise<ChatClient> {
  const rule = await json('POST', `${stack.storeUrl}/admin/price-rules`, FAULT_TOKENS.admin, {
    scene: 'chat',
    model: CHAT_MODEL,
    mode: 'tokens',
    input_per_million: '1000000',
    output_per_million: '1000000',
  });
  if (rule.status !== 201) throw new Error(`the chat price rule answered ${rule.status}`);
  const users = Array.from({ length: CHAT_USERS }, (_, i) => `partitions-chat-${i}`);
  const keys = new Map<string, string>();
  for (const user of users) {
    const grant = await json(
      'POST',
      `${stack.storeUrl}/accounts/${user}/grants`,
      FAULT_TOKENS.admin,
      {
        event_id: `partitions-chat-grant-${user}`,
        amount: CHAT_GRANT,
        source: 'purchase',
      },
    );
    if (grant.status !== 201) throw new Error(`the grant for ${user} answered ${grant.status}`);
    const key = await json('POST', `${gatewayUrls[0]}/admin/api-keys`, FAULT_TOKENS.admin, {
      user_id: user,
    });
    if (typeof key.body.key !== 'string') throw new Error(`no API key for ${user}: ${key.status}`);
    keys.set(user, key.body.key);
  }
  const deadline = Date.now() + READY_MS;
  for (const url of gatewayUrls) {
    for (const user of users) await waitBalance(url, user, deadline);
  }
  const client = new ChatClient(gatewayUrls, keys);
  for (const url of gatewayUrls) {
    while ((await client.send(users[0], url)) !== 200) {
      if (Date.now() > deadline) throw new Error(`${url} never answered a chat call 200`);
      await sleep(500);
    }
  }
  return client;
}

async function waitBalance(gatewayUrl: string, user: string, deadline: number): Promise<void> {
  for (;;) {
    const balance = await json(
      'GET',
      `${gatewayUrl}/internal/balances/${user}`,
      FAULT_TOKENS.internal,
    ).then(
      ({ body }) => body?.balance,
      () => undefined,
    );
    if (balance === CHAT_GRANT) return;
    if (Date.now() > deadline) throw new Error(`${gatewayUrl} never saw the grant of ${user}`);
    await sleep(100);
  }
}

export interface ChatReport {
  /** Calls answered 200, and the ledger's chat entries. */
  answered: number;
  charged: number;
  /** Calls answered 200 with exactly one entry, right; and those with none. */
  chargedOnce: number;
  missing: number;
  /** Entries beyond the first for one call. */
  doubled: number;
  /** Entries of an answered call with another user, amount or status. */
  wrong: number;
  /** Entries of no call answered 200 (only a call that got no answer may have one). */
  chargedWithout200: number;
  /** Chat charges the gateway recorded that the ledger does not hold. */
  recordedNotApplied: number;
  /** Each chat user's grant less what the ledger charged them (for the balance check). */
  balances: Map<string, number>;
}

/** Once the outbox is published and consumed: every chat call answered 200 charged exactly once. */
export async function checkChats(stack: PartitionStack, client: ChatClient): Promise<ChatReport> {
  const { rows } = await stack.storeDb.query<{
    source_ref_id: string | null;
    user_id: string;
    amount: string;
    status: string;
  }>(`SELECT source_ref_id, user_id, amount, status FROM ledger_entries WHERE source = $1`, [
    CHAT_SOURCE,
  ]);
  const { rows: recorded } = await stack.gatewayDb.query<{ n: string }>(
    `SELECT count(*) AS n FROM charges WHERE source = $1`,
    [CHAT_SOURCE],
  );
  /** Entries per answered call, and the calls with a wrong one. */
  const entries = new Map<string, number>();
  const wrongCalls = new Set<string>();
  const balances = new Map(client.users.map((user) => [user, CHAT_GRANT]));
  const report = { doubled: 0, wrong: 0, chargedWithout200: 0 };
  for (const entry of rows) {
    balances.set(entry.user_id, (balances.get(entry.user_id) ?? 0) + Number(entry.amount));
    const ref = entry.source_ref_id ?? '';
    const user = client.answered.get(ref);
    if (user === undefined) {
      report.chargedWithout200++;
      continue;
    }
    if (entries.has(ref)) report.doubled++;
    entries.set(ref, (entries.get(ref) ?? 0) + 1);
    if (
      entry.user_id !== user ||
      Number(entry.amount) !== -CHAT_PRICE ||
      entry.status !== 'applied'
    ) {
      report.wrong++;
      wrongCalls.add(ref);
    }
  }
  const answered = [...client.answered.keys()];
  return {
    ...report,
    answered: client.answered.size,
    charged: rows.length,
    missing: answered.filter((id) => !entries.has(id)).length,
    chargedOnce: answered.filter((id) => entries.get(id) === 1 && !wrongCalls.has(id)).length,
    recordedNotApplied: Number(recorded[0].n) - rows.length,
    balances,
  };
}

/** The assertions every scenario makes on its chat calls. */
export function expectChatsExact(client: ChatClient, report: ChatReport): void {
  expect(client.unexpected).toEqual([]);
  expect(report.answered).toBeGreaterThan(0);
  expect(report).toMatchObject({ missing: 0, doubled: 0, wrong: 0, recordedNotApplied: 0 });
  // A call refused with a status was not charged; only one that got no answer may have been.
  expect(report.chargedWithout200).toBeLessThanOrEqual(client.figures.noAnswer);
}
