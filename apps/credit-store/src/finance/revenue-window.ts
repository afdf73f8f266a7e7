import { ErrorCode } from '@tally/contracts';
import { DomainError } from '@tally/platform';
import type { RevenueQuery } from './dto/revenue.query';

const DAY_MS = 86_400_000;
/** The longest rollforward one request may ask for. */
export const MAX_REVENUE_DAYS = 400;

/** Inclusive range of UTC days, as YYYY-MM-DD. */
export interface RevenueWindow {
  from: string;
  to: string;
  currency: string | null;
}

function parseDay(field: string, text: string): number {
  const time = Date.parse(`${text}T00:00:00Z`);
  if (Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== text) {
    throw new DomainError(ErrorCode.ValidationFailed, `${field} is not a calendar day`, [
      `${field}: not a calendar day`,
    ]);
  }
  return time;
}

export function dayOf(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

/** Every day of the window, in order. */
export function daysOf(window: RevenueWindow): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${window.from}T00:00:00Z`); dayOf(t) <= window.to; t += DAY_MS) {
    days.push(dayOf(t));
  }
  return days;
}

export function revenueWindow(query: RevenueQuery, now = Date.now()): RevenueWindow {
  const to = query.to ? parseDay('to', query.to) : Date.parse(`${dayOf(now)}T00:00:00Z`);
  const from = query.from ? parseDay('from', query.from) : to - 29 * DAY_MS;
  if (from > to) {
    throw new DomainError(ErrorCode.ValidationFailed, 'from must not be after to', [
      'from: must not be after to',
    ]);
  }
  if ((to - from) / DAY_MS + 1 > MAX_REVENUE_DAYS) {
    throw new DomainError(ErrorCode.ValidationFailed, `at most ${MAX_REVENUE_DAYS} days`, [
      `from: at most ${MAX_REVENUE_DAYS} days before to`,
    ]);
  }
  return { from: dayOf(from), to: dayOf(to), currency: query.currency ?? null };
}
