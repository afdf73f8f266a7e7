import type { WorkloadShape } from '../../../bench/support/workload';

/**
 * Sizes and ports of the fault suite. `npm test` runs the short profile (a few thousand events a
 * scenario); `npm run test:faults` sets FAULTS_PROFILE=full. Any figure can be set on its own.
 */
const full = process.env.FAULTS_PROFILE === 'full';

function setting(name: string, short: number, long: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? (full ? long : short) : Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

export const FAULTS = {
  /** Charges (messages or requests) per scenario, repeats included. */
  events: setting('FAULTS_EVENTS', 3_000, 20_000),
  /** Ordinary users the charges are spread over (beside the hot one). */
  users: setting('FAULTS_USERS', 500, 5_000),
  /** Seconds the workload is spread over, so that faults land while it runs. */
  seconds: setting('FAULTS_SECONDS', 10, 40),
  /** How many times a process is killed (or a fault injected) during one workload. */
  faults: setting('FAULTS_COUNT', 3, 5),
  /** How many times the broker is stopped and started again (or, on a cluster, one is killed). */
  brokerOutages: setting('FAULTS_BROKER_OUTAGES', 2, 3),
  /** Seconds the broker stays down each time (beside its stop and start). */
  brokerDownSeconds: setting('FAULTS_BROKER_DOWN_SECONDS', 2, 8),
  /** How many times every app connection to PostgreSQL is dropped during one workload. */
  connectionDrops: setting('FAULTS_CONNECTION_DROPS', 4, 8),
  /**
   * The suite's own broker: never the integration tests' (19092) or the benchmarks' (19592). A
   * cluster's three nodes take this port to this + 5 (clients on this, +2, +4).
   */
  kafkaPort: setting('FAULTS_KAFKA_PORT', 29592, 29592),
  /**
   * Databases are `<prefix>_<scenario>_credit_store` and `_gateway`, dropped and made again at
   * each run: two runs at once (two checkouts) need different prefixes and ports.
   */
  databasePrefix: process.env.FAULTS_DB_PREFIX || 'tally_faults',
  /** The apps' HTTP ports while the suite runs. */
  gatewayPort: setting('FAULTS_GATEWAY_PORT', 3590, 3590),
  storePort: setting('FAULTS_STORE_PORT', 3591, 3591),
};

/** How every scenario's charges fall on users: a hot user beside FAULTS.users ordinary ones. */
export const FAULT_SHAPE: WorkloadShape = { users: FAULTS.users, hotShare: 0.05 };

/** A scenario's own time limit: its workload, its faults' restarts, and the drain after them. */
export const SCENARIO_TIMEOUT_MS = (FAULTS.seconds + 60 * FAULTS.faults + 120) * 1000;
