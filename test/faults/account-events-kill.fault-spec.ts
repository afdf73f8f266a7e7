// Scenario: the credit-store is killed with SIGKILL several times while charges stream in, so kills
// land between a ledger commit and the publication of the account events it wrote (and between a
// publication and its mark). Every event written must reach `credit.account.events`: each one at
// least once, nothing that was not written, and after dropping repeats by id (what consumers are
// told to do) each user's events in seq order 1, 2, 3… without a gap. Some users have an auto
// top-up below the same threshold: its orders and auto_topup.requested are written in the same
// ledger transactions, so they too survive the kills, one order per requested event.
import { parseAccountEvent, Topics } from '@tally/contracts';
import { json, sleep } from '../../bench/support/bench-stack';
import { FAULT_SHAPE, FAULTS, SCENARIO_TIMEOUT_MS } from './support/fault-config';
import { FAULT_TOKENS, useFaultStack } from './support/fault-stack';
import { printFigures } from './support/figures';
import { grantSomeUsers } from './support/grants';
import { killRepeatedly } from './support/kill-loop';
import { produceOverTime, readWholeTopic } from './support/topic-io';
import { TOPIC_SOURCE, topicWorkload } from './support/topic-workload';

// Read by the apps the stack starts (their environment is this process's): the first charge of
// each granted user (500 credits) crosses it, so balance.low events are written during the kills.
process.env.LOW_BALANCE_THRESHOLD = '500';
const stack = useFaultStack('account_events_kill', { gateway: false });

test(
  'kill -9 of the credit-store between ledger commit and publish: every account event published, in seq order',
  async () => {
    const granted = await grantSomeUsers(stack, FAULT_SHAPE);
    await setAutoTopups([...granted.keys()].slice(0, 20));
    const workload = topicWorkload(FAULTS.events, FAULT_SHAPE);
    const step = workload.messages.length / (FAULTS.faults + 1);
    let kills = 0;
    const producing = produceOverTime(
      stack,
      Topics.chargeRequested,
      workload.messages,
      FAULTS.seconds * 1000,
      async (sent) => {
        while (kills < FAULTS.faults && sent >= (kills + 1.5) * step) await sleep(25);
      },
    );
    const appliedAtKill = await killRepeatedly(stack, 'credit-store', {
      count: FAULTS.faults,
      total: workload.charges.size,
      progress: appliedCount,
      onKill: (kill) => (kills = kill),
    });
    await producing;
    await stack.waitConsumed();
    await waitEventsPublished();

    const { rows: written } = await stack.storeDb.query<{ id: string; user_id: string }>(
      `SELECT id, user_id FROM account_events`,
    );
    const messages = await readWholeTopic(stack, Topics.accountEvents);
    const seen = new Set<string>();
    const seqs = new Map<string, number[]>();
    let repeats = 0;
    let invalid = 0;
    for (const message of messages) {
      const parsed = parseAccountEvent(message.value);
      if (!parsed.ok || parsed.event.user_id !== message.key) {
        invalid++;
        continue;
      }
      const event = parsed.event;
      if (seen.has(event.id)) {
        repeats++;
        continue;
      }
      seen.add(event.id);
      seqs.set(event.user_id, [...(seqs.get(event.user_id) ?? []), Number(event.seq)]);
    }
    const gapped = [...seqs.values()].filter((list) => list.some((seq, i) => seq !== i + 1));

    printFigures('account events under kill -9 of the credit-store', {
      'kills (applied at each)': `${FAULTS.faults} (${appliedAtKill.join(', ')})`,
      'events written': written.length,
      'messages on the topic': messages.length,
      'repeats dropped by id': repeats,
      'users with events': seqs.size,
    });
    expect(appliedAtKill).toHaveLength(FAULTS.faults);
    expect(written.length).toBeGreaterThan(0);
    expect(invalid).toBe(0);
    expect([...seen].sort()).toEqual(written.map((row) => row.id).sort());
    expect(gapped).toEqual([]);
    const { rows: topups } = await stack.storeDb.query<{ requested: string; orders: string }>(
      `SELECT (SELECT count(*) FROM account_events WHERE type = 'auto_topup.requested') AS requested,
              (SELECT count(*) FROM orders o WHERE auto_topup AND EXISTS (
                 SELECT 1 FROM account_events e WHERE e.type = 'auto_topup.requested'
                    AND e.data->>'order_id' = o.order_id)) AS orders`,
    );
    expect(Number(topups[0].requested)).toBeGreaterThan(0);
    expect(topups[0].orders).toBe(topups[0].requested);
  },
  SCENARIO_TIMEOUT_MS,
);

/** An auto top-up below 500 for these users: their first charge crosses it, as balance.low. */
async function setAutoTopups(users: string[]): Promise<void> {
  const product = await json('POST', `${stack.storeUrl}/admin/products`, FAULT_TOKENS.admin, {
    sku: 'faults-topup',
    name: 'Top-up',
    credit_amount: 500,
    price_cent: 999,
    currency: 'USD',
  });
  for (const user of users) {
    const { status } = await json(
      'PUT',
      `${stack.storeUrl}/accounts/${user}/auto-topup`,
      FAULT_TOKENS.admin,
      {
        threshold: 500,
        product_id: product.body.id as number,
        max_per_month: 3,
      },
    );
    if (status !== 200) throw new Error(`auto top-up for ${user} answered ${status}`);
  }
}

async function appliedCount(): Promise<number> {
  const { rows } = await stack.storeDb.query<{ n: string }>(
    `SELECT count(*) AS n FROM ledger_entries WHERE source = $1`,
    [TOPIC_SOURCE],
  );
  return Number(rows[0].n);
}

async function waitEventsPublished(timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { rows } = await stack.storeDb.query<{ n: string }>(
      `SELECT count(*) AS n FROM account_events WHERE published_at IS NULL`,
    );
    if (rows[0].n === '0') return;
    await sleep(200);
  }
  throw new Error('the credit-store did not publish its account events in time');
}
