// `npm run bench:revenue`: what valuing grants costs the ledger's apply path. The same charges,
// in batches as the consumer applies them, drawn from free grants and from valued ones (whose
// draws carry a value and add one revenue_days upsert per transaction), in alternating rounds on
// one fresh database, through LedgerService itself (no broker: the batches go straight in).
// Prints charges/s and WAL bytes per charge of each, and valued ÷ free.
import { DataSource } from 'typeorm';
import { CreditStoreConfig } from '../apps/credit-store/src/config/credit-store.config';
import { AccountRepository } from '../apps/credit-store/src/ledger/accounts/account.repository';
import type { Movement } from '../apps/credit-store/src/ledger/entries/ledger-entry';
import { LedgerConflictRepository } from '../apps/credit-store/src/ledger/entries/ledger-conflict.repository';
import { LedgerRepository } from '../apps/credit-store/src/ledger/entries/ledger.repository';
import { UsageRecordRepository } from '../apps/credit-store/src/ledger/entries/usage-record.repository';
import { GrantPolicy } from '../apps/credit-store/src/ledger/grants/grant-policy';
import { GrantRepository } from '../apps/credit-store/src/ledger/grants/grant.repository';
import { HoldRepository } from '../apps/credit-store/src/ledger/holds/hold.repository';
import { LedgerService } from '../apps/credit-store/src/ledger/ledger.service';
import { RevenueDayRepository } from '../apps/credit-store/src/ledger/revenue/revenue-day.repository';
import { BalanceOutboxRepository } from '../apps/credit-store/src/outbox/balance-outbox.repository';
import type { BalanceSnapshotRelay } from '../apps/credit-store/src/outbox/balance-snapshot.relay';
import { AccountEventRepository } from '../apps/credit-store/src/outbox/account-event.repository';
import type { AccountEventRelay } from '../apps/credit-store/src/outbox/account-event.relay';
import type { AuditTrail } from '@tally/platform';
import { migratedCreditStore, recreateDatabase } from './support/bench-stack';

const USERS = Number(process.env.BENCH_REVENUE_USERS ?? 200);
const BATCH = Number(process.env.BENCH_REVENUE_BATCH ?? 500);
const BATCHES = Number(process.env.BENCH_REVENUE_BATCHES ?? 20);
const ROUNDS = Number(process.env.BENCH_REVENUE_ROUNDS ?? 5);

type Kind = 'free' | 'valued';

function ledgerOn(db: DataSource): LedgerService {
  // The relay only publishes snapshots to Kafka once woken; this bench measures the transaction.
  const relay = { wake: () => undefined } as unknown as BalanceSnapshotRelay;
  return new LedgerService(
    db,
    new AccountRepository(),
    new LedgerRepository(),
    new GrantRepository(),
    new HoldRepository(),
    new LedgerConflictRepository(),
    new UsageRecordRepository(),
    new BalanceOutboxRepository(),
    relay,
    new GrantPolicy(new CreditStoreConfig()),
    new RevenueDayRepository(),
    // Outside any request: the audit trail has nothing to do.
    { nothingChanged: () => undefined } as unknown as AuditTrail,
    new AccountEventRepository(),
    relay as unknown as AccountEventRelay,
    new CreditStoreConfig(),
  );
}

let next = 0;
function charges(kind: Kind, count: number): Movement[] {
  return Array.from({ length: count }, (): Movement => {
    const n = next++;
    return {
      event_id: `bench-${kind}-${n}`,
      user_id: `${kind}-${n % USERS}`,
      source: 'chat',
      direction: 'expense',
      amount: BigInt(1 + (n % 7)),
    };
  });
}

async function walBytes(db: DataSource): Promise<bigint> {
  const [row]: { lsn: string }[] = await db.query(
    `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::text AS lsn`,
  );
  return BigInt(row.lsn.split('.')[0]);
}

async function round(db: DataSource, ledger: LedgerService, kind: Kind) {
  const walBefore = await walBytes(db);
  const started = process.hrtime.bigint();
  for (let i = 0; i < BATCHES; i++) await ledger.applyMovements(charges(kind, BATCH));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const events = BATCHES * BATCH;
  return {
    perSecond: events / seconds,
    walPerEvent: Number((await walBytes(db)) - walBefore) / events,
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

async function main(): Promise<void> {
  const url = await recreateDatabase('tally_bench_revenue_apply');
  const db = await migratedCreditStore(url);
  try {
    const ledger = ledgerOn(db);
    // Enough credits for every round: free grants, and grants worth 1,000,000,000 USD cents.
    for (const kind of ['free', 'valued'] as const) {
      await ledger.applyMovements(
        Array.from({ length: USERS }, (_, i) => ({
          event_id: `grant-${kind}-${i}`,
          user_id: `${kind}-${i}`,
          source: 'manual',
          direction: 'income' as const,
          amount: 1_000_000_000n,
          expires_at: null,
          value: kind === 'valued' ? { cent: 1_000_000_000n, currency: 'USD' } : undefined,
        })),
      );
    }
    await round(db, ledger, 'free'); // warm-up
    await round(db, ledger, 'valued');
    const results: Record<Kind, { perSecond: number[]; wal: number[] }> = {
      free: { perSecond: [], wal: [] },
      valued: { perSecond: [], wal: [] },
    };
    for (let r = 0; r < ROUNDS; r++) {
      for (const kind of r % 2 ? (['valued', 'free'] as const) : (['free', 'valued'] as const)) {
        const result = await round(db, ledger, kind);
        results[kind].perSecond.push(result.perSecond);
        results[kind].wal.push(result.walPerEvent);
      }
    }
    const [free, valued] = [results.free, results.valued];
    console.log(
      `${ROUNDS} rounds of ${BATCHES} batches × ${BATCH} charges over ${USERS} accounts each (medians)`,
    );
    console.log(
      `free grants:   ${median(free.perSecond).toFixed(0)} charges/s, ${median(free.wal).toFixed(0)} WAL bytes/charge`,
    );
    console.log(
      `valued grants: ${median(valued.perSecond).toFixed(0)} charges/s, ${median(valued.wal).toFixed(0)} WAL bytes/charge`,
    );
    console.log(
      `valued ÷ free: throughput ${(median(valued.perSecond) / median(free.perSecond)).toFixed(3)}, ` +
        `WAL ${(median(valued.wal) / median(free.wal)).toFixed(3)}`,
    );
    const [check]: { deferred: string; by_grants: string }[] = await db.query(
      `SELECT (SELECT SUM(sales - recognized - breakage - refunds) FROM revenue_days)::text AS deferred,
              (SELECT SUM(div(value_cent::numeric * remaining, amount)) FROM grants
                WHERE value_cent > 0)::text AS by_grants`,
    );
    console.log(
      `deferred by revenue_days ${check.deferred} = by the grants' remaining ${check.by_grants}`,
    );
  } finally {
    await db.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
