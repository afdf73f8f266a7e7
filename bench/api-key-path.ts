// What API keys cost a call, on its path, against baselines measured in the same run (interleaved,
// so that all see the same machine load): authenticating a key from the replica's cache against
// reading it from PostgreSQL (API_KEY_CACHE_TTL_MS=0), and the balance guard's reservation for a
// key with budget, rpm and max_parallel against the same reservation for a key without limits and
// with no key at all. `npm run bench:keys` (PostgreSQL only: no broker, no build).
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { AuditTrail, loadConfig } from '@tally/platform';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { ApiKeyCache } from '../apps/ai-gateway/src/api-keys/api-key-cache';
import { ApiKeyRepository } from '../apps/ai-gateway/src/api-keys/api-key.repository';
import { ApiKeysService } from '../apps/ai-gateway/src/api-keys/api-keys.service';
import { KeyClock } from '../apps/ai-gateway/src/api-keys/key-clock';
import { BalanceGuard, KeyedCall } from '../apps/ai-gateway/src/balances/balance-guard';
import { BalanceViewRepository } from '../apps/ai-gateway/src/balances/balance-view.repository';
import { GuardMetrics } from '../apps/ai-gateway/src/balances/guard.metrics';
import { ReservationRepository } from '../apps/ai-gateway/src/balances/reservation.repository';
import { GatewayConfig } from '../apps/ai-gateway/src/config/gateway.config';
import { gatewayDataSourceOptions } from '../apps/ai-gateway/src/database/gateway-data-source';
import { recreateDatabase } from './support/bench-stack';
import { InterleavedTimings } from './support/interleaved';

const ROUNDS = Number(process.env.BENCH_REQUESTS ?? 2000);
const DB = `${process.env.BENCH_DB_PREFIX ?? 'tally_bench'}_keys`;
const USER = 'bench-team';

async function main(): Promise<void> {
  const url = await recreateDatabase(DB);
  const settings = (ttl: string) =>
    loadConfig(GatewayConfig, {
      ...process.env,
      GATEWAY_DATABASE_URL: url,
      API_KEY_CACHE_TTL_MS: ttl,
    });
  const config = settings('10000');
  const db = await new DataSource(gatewayDataSourceOptions(config)).initialize();
  await db.runMigrations();
  const clock = new KeyClock();
  const repository = new ApiKeyRepository();
  const cached = new ApiKeyCache(config);
  const uncached = new ApiKeyCache(settings('0'));
  await cached.onApplicationBootstrap();
  const trail = new AuditTrail(db, 'ai-gateway');
  const keys = new ApiKeysService(db, repository, cached, clock, trail);
  const keysUncached = new ApiKeysService(db, repository, uncached, clock, trail);
  const guard = new BalanceGuard(
    db,
    new BalanceViewRepository(),
    new ReservationRepository(),
    config,
    clock,
    new GuardMetrics(new Registry()),
  );
  await db.query(
    `INSERT INTO balance_view (user_id, balance, blocked, snapshot_version) VALUES ($1, $2, false, 1)`,
    [USER, 1_000_000_000_000],
  );
  const plain = await keys.create({ user_id: USER });
  const limited = await keys.create({
    user_id: USER,
    budget: { credits: 1_000_000_000, period: 'day' },
    rpm: 1_000_000,
    tpm: 1_000_000_000,
    max_parallel: 1000,
  });

  const timings = new InterleavedTimings();
  const reserve = async (name: string, key?: KeyedCall) => {
    const id = randomUUID();
    await timings.time(name, () => guard.reserve(USER, id, 12, key));
    await guard.release(id);
  };
  for (let round = 0; round < ROUNDS; round++) {
    await timings.time('authenticate: read from PostgreSQL (TTL 0)', () =>
      keysUncached.authenticate(limited.key),
    );
    await timings.time('authenticate: from the cache', () => keys.authenticate(limited.key));
    await reserve('reserve: no key');
    await reserve('reserve: key without limits', { keyId: plain.id, tokens: 100 });
    await reserve('reserve: key with budget, rpm, tpm, max_parallel', {
      keyId: limited.id,
      tokens: 100,
    });
  }
  await cached.onApplicationShutdown();
  await db.destroy();

  timings.report('api-key-path.json', ROUNDS, {
    'cache / PostgreSQL read (authenticate, median)': [
      'authenticate: from the cache',
      'authenticate: read from PostgreSQL (TTL 0)',
    ],
    'limited key / no key (reserve, median)': [
      'reserve: key with budget, rpm, tpm, max_parallel',
      'reserve: no key',
    ],
    'key without limits / no key (reserve, median)': [
      'reserve: key without limits',
      'reserve: no key',
    ],
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
