/**
 * Sizes and names of the partition suite. `npm run test:partitions` sets PARTITIONS_PROFILE=full;
 * the short profile (what `npm test` runs) keeps each fault short. Any figure can be set on its own.
 */
const full = process.env.PARTITIONS_PROFILE === 'full';

function setting(name: string, short: number, long: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? (full ? long : short) : Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

function share(name: string, fallback: number): number {
  const value = setting(name, fallback, fallback);
  if (value >= 1) throw new Error(`${name} must be below 1`);
  return value;
}

function text(name: string, fallback: string, shape: RegExp): string {
  const value = process.env[name] || fallback;
  if (!shape.test(value)) throw new Error(`${name} must match ${shape}`);
  return value;
}

export const PARTITIONS = {
  full,
  /** Charges per scenario, repeats included. */
  events: setting('PARTITIONS_EVENTS', 1_500, 6_000),
  /** Ordinary users the charges are spread over (beside the hot one). */
  users: setting('PARTITIONS_USERS', 300, 2_000),
  /** The share of the calls that are chat completions (the others internal charges). */
  chatShare: share('PARTITIONS_CHAT_SHARE', 0.2),
  /** Seconds the workload is spread over. */
  seconds: setting('PARTITIONS_SECONDS', 20, 60),
  /** Seconds a cut (or a partial partition) lasts before it is healed. */
  cutSeconds: setting('PARTITIONS_CUT_SECONDS', 8, 20),
  /** Seconds of random loss on every link, then as many of a throttled link. */
  lossSeconds: setting('PARTITIONS_LOSS_SECONDS', 10, 60),
  lossPercent: setting('PARTITIONS_LOSS_PERCENT', 20, 20),
  throttleKbit: setting('PARTITIONS_THROTTLE_KBIT', 400, 400),
  /** The first three bytes of the suite's /24: nothing else on the machine may use it. */
  subnetBase: text('PARTITIONS_SUBNET', '10.203.0', /^\d{1,3}\.\d{1,3}\.\d{1,3}$/),
  /** Our namespaces are `<prefix>-<node>`; the bridge `<prefix>-br`. At most 6 characters. */
  netnsPrefix: text('PARTITIONS_NETNS_PREFIX', 'tparts', /^[a-z][a-z0-9]{1,5}$/),
  /** Databases are `<prefix>_<scenario>_credit_store` and `_gateway`, on the suite's own server. */
  databasePrefix: text('PARTITIONS_DB_PREFIX', 'tally_parts', /^[a-z][a-z0-9_]{0,30}$/),
};
