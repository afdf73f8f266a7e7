import { modelMatches } from '../upstreams/upstream-routes';

/** The periods a key budget resets on: UTC day, UTC week from Monday, UTC month, or never. */
export const BUDGET_PERIODS = ['day', 'week', 'month', 'total'] as const;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];

/** What a key may do; every limit is optional (null: none). */
export interface KeyLimits {
  /** Credits charged through the key in the current period (reservations counted) at most. */
  budget: { credits: number; period: BudgetPeriod } | null;
  /** Requests per UTC minute. */
  rpm: number | null;
  /** Tokens per UTC minute (estimated when a call starts, corrected when it ends). */
  tpm: number | null;
  /** Calls in flight at once. */
  max_parallel: number | null;
  /** Model patterns the key may call (a trailing `*` matches any suffix). */
  models: string[] | null;
  expires_at: Date | null;
}

/** Limits that are counted per call in the database (so even a free call must be reserved). */
export function countsCalls(limits: KeyLimits): boolean {
  return limits.rpm !== null || limits.tpm !== null || limits.max_parallel !== null;
}

export function expired(limits: KeyLimits, now: Date): boolean {
  return limits.expires_at !== null && limits.expires_at.getTime() <= now.getTime();
}

/** Whether the key may call the model (any model when it has no list). */
export function modelAllowed(limits: KeyLimits, model: string): boolean {
  return limits.models === null || limits.models.some((pattern) => modelMatches(pattern, model));
}
