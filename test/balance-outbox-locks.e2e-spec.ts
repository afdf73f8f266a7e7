import type { DataSource, QueryRunner } from 'typeorm';
import { BalanceOutboxRepository } from '../apps/credit-store/src/outbox/balance-outbox.repository';
import { connect, scalar } from './support/db';
import { unique } from './support/wait';

describe('the balance outbox under a ledger write and the relay at once', () => {
  let db: DataSource;
  const outbox = new BalanceOutboxRepository();
  beforeAll(async () => {
    db = await connect(process.env.CREDIT_STORE_DATABASE_URL);
  });
  afterAll(() => db?.destroy());

  const begin = async (): Promise<QueryRunner> => {
    const runner = db.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    return runner;
  };
  const pending = (user_id: string, version: bigint) => ({
    user_id,
    version,
    balance: 0n,
    held: 0n,
    charge_sequence: 0n,
    updated_at: new Date(),
    expiring: [],
  });

  it('never deadlocks: the relay takes the rows in the order ledger writes take them', async () => {
    const [a, b] = [unique('a-user'), unique('b-user')];
    await outbox.enqueue(db.manager, [
      { user_id: a, version: 1n },
      { user_id: b, version: 1n },
    ]);

    // A ledger transaction holds a's row and is about to take b's...
    const ledger = await begin();
    const relay = await begin();
    try {
      await outbox.enqueue(ledger.manager, [{ user_id: a, version: 2n }]);
      // ...while the relay marks both published, named b first.
      const marking = outbox.markPublished(relay.manager, [pending(b, 1n), pending(a, 1n)]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await outbox.enqueue(ledger.manager, [{ user_id: b, version: 2n }]);
      await ledger.commitTransaction();
      await marking;
      await relay.commitTransaction();
    } finally {
      await ledger.release();
      await relay.release();
    }

    // Both newer versions are still queued: the relay deleted only what it had published.
    expect(
      await scalar(
        db,
        `SELECT count(*) FROM balance_outbox WHERE user_id = ANY($1) AND version = 2`,
        [[a, b]],
      ),
    ).toBe(2);
  });
});
