// What preparing the gateway's per-call statements once per connection saves, against the same
// statements parsed and planned on every run, interleaved in the same run: the balance guard's
// reservation (the lock and the put, one round trip) and the charge group's statement (one charge,
// committed). `npm run bench:statements` (PostgreSQL only: no broker, no build).
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { inOneRoundTrip, loadConfig, pgPoolOf, type Statement } from '@tally/platform';
import { DataSource, type EntityManager } from 'typeorm';
import { BalanceViewRepository } from '../apps/ai-gateway/src/balances/balance-view.repository';
import { ReservationRepository } from '../apps/ai-gateway/src/balances/reservation.repository';
import { ChargeRepository } from '../apps/ai-gateway/src/charges/charge.repository';
import { GatewayConfig } from '../apps/ai-gateway/src/config/gateway.config';
import { gatewayDataSourceOptions } from '../apps/ai-gateway/src/database/gateway-data-source';
import { recreateDatabase } from './support/bench-stack';
import { InterleavedTimings } from './support/interleaved';

const ROUNDS = Number(process.env.BENCH_REQUESTS ?? 2000);
const DB = `${process.env.BENCH_DB_PREFIX ?? 'tally_bench'}_statements`;
const USER = 'bench-user';

/** The statement ChargeRepository.recordBatch runs for this charge (captured, not run). */
async function chargeStatement(charges: ChargeRepository, n: number): Promise<Statement> {
  let captured: Statement | undefined;
  const capturing = {
    connection: {
      driver: {
        master: {
          query: (statement: Statement) => {
            captured = statement;
            return Promise.resolve({ rows: [] });
          },
        },
      },
    },
  } as unknown as EntityManager;
  await charges.recordBatch(
    capturing,
    [
      {
        event_id: `bench-${n}-${randomUUID()}`,
        user_id: USER,
        source: 'chat',
        amount: 12,
        pricing: { rule_id: 'r', rule_version: 1, input_tokens: 10, output_tokens: 20 } as never,
        request_fingerprint: 'f',
        envelope: { event_id: n },
      },
    ],
    [],
    new Date().toISOString().slice(0, 10),
  );
  return captured!;
}

async function main(): Promise<void> {
  const url = await recreateDatabase(DB);
  const config = loadConfig(GatewayConfig, { ...process.env, GATEWAY_DATABASE_URL: url });
  const db = await new DataSource(gatewayDataSourceOptions(config)).initialize();
  await db.runMigrations();
  const pool = pgPoolOf(db);
  const view = new BalanceViewRepository();
  const reservations = new ReservationRepository();
  const charges = new ChargeRepository();
  await db.query(
    `INSERT INTO balance_view (user_id, balance, blocked, snapshot_version) VALUES ($1, $2, false, 1)`,
    [USER, 1_000_000_000_000],
  );
  const unnamed = ({ text, values }: Statement): Statement => ({ text, values });

  const timings = new InterleavedTimings();
  const reservation = () => [
    view.lockForReservation(USER),
    reservations.putIfCovered({ id: randomUUID(), user_id: USER, amount: 12, ttlMs: 60_000 }),
  ];
  for (let round = 0; round < ROUNDS; round++) {
    await timings.time('reservation, prepared', () => inOneRoundTrip(pool, reservation()));
    await timings.time('reservation, parsed each time', () =>
      inOneRoundTrip(pool, reservation().map(unnamed)),
    );
    const named = await chargeStatement(charges, 2 * round);
    await timings.time('charge, prepared', () => pool.query(named as never));
    const plain = unnamed(await chargeStatement(charges, 2 * round + 1));
    await timings.time('charge, parsed each time', () => pool.query(plain as never));
    if (round % 200 === 199) await db.query(`DELETE FROM reservations`);
  }
  await db.destroy();

  timings.report('prepared-statements.json', ROUNDS, {
    'reservation: prepared / parsed each time (median)': [
      'reservation, prepared',
      'reservation, parsed each time',
    ],
    'charge: prepared / parsed each time (median)': [
      'charge, prepared',
      'charge, parsed each time',
    ],
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
