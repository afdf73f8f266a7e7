import { BalanceUpdatedEvent, Topics } from '@tally/contracts';
import { RunningApp, startCreditStore } from './support/apps';
import { chargeEvent, produceCharges } from './support/charge-events';
import { call } from './support/http';
import { readTopicUntil } from './support/kafka-helpers';
import { unique } from './support/wait';

describe('credit.balance.updated: the account state after every change', () => {
  let store: RunningApp;

  beforeAll(async () => {
    store = await startCreditStore({ JOB_INTERVAL_SECONDS: '0' });
  });
  afterAll(async () => {
    await store?.close();
  });

  /** The user's snapshots read so far, once one satisfies `until`. */
  const snapshotsOf = async (
    user: string,
    until: (s: BalanceUpdatedEvent['payload']) => boolean,
  ) => {
    const received = await readTopicUntil(Topics.balanceUpdated, (messages) =>
      messages.some(
        (m) => m.key === user && until((JSON.parse(m.value!) as BalanceUpdatedEvent).payload),
      ),
    );
    return received
      .filter((m) => m.key === user)
      .map((m) => JSON.parse(m.value!) as BalanceUpdatedEvent);
  };

  it('publishes balance, holds, blocked and a growing version, keyed by user', async () => {
    const user = unique('user');
    await call('POST', `${store.url}/accounts/${user}/grants`, {
      body: { event_id: unique('g'), amount: 100, source: 'gift' },
    });
    await call('POST', `${store.url}/holds`, { body: { user_id: user, amount: 30 } });
    await produceCharges(chargeEvent(user, 150));

    // Snapshots may be skipped (only the latest state is owed) but never go back in version.
    const snapshots = await snapshotsOf(user, (s) => s.balance === -50);
    const versions = snapshots.map((s) => s.payload.version);
    expect(versions).toEqual([...versions].sort((a, b) => Number(a) - Number(b)));
    expect(snapshots.at(-1)).toMatchObject({
      event_type: 'credit.balance.updated',
      schema_version: 1,
      payload: { user_id: user, balance: -50, held: 30, available: -80, blocked: true },
    });
    const states = snapshots.map(({ payload: { balance, held } }) => `${balance}/${held}`);
    expect(states.at(-1)).toBe('-50/30');
    expect(states.every((s) => ['100/0', '100/30', '-50/30'].includes(s))).toBe(true);
  });
});
