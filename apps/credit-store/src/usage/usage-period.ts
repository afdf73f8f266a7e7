const DAY_MS = 86_400_000;

/** How far back each dashboard period reaches (null: since the first call). */
const PERIOD_SPAN_MS = { '24h': DAY_MS, '7d': 7 * DAY_MS, '30d': 30 * DAY_MS, all: null };

export type UsagePeriod = keyof typeof PERIOD_SPAN_MS;
export const USAGE_PERIODS = Object.keys(PERIOD_SPAN_MS) as UsagePeriod[];
export const DEFAULT_USAGE_PERIOD: UsagePeriod = '30d';

/** The first instant of a rolling period ending now (null for 'all'). */
export function periodStart(period: UsagePeriod, now: Date): Date | null {
  const span = PERIOD_SPAN_MS[period];
  return span === null ? null : new Date(now.getTime() - span);
}
