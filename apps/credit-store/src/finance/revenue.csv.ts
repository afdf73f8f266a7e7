import type { RevenueDay } from './revenue.service';

export const REVENUE_CSV_COLUMNS = [
  'day',
  'currency',
  'opening_deferred',
  'sales',
  'recognized',
  'breakage',
  'refunds',
  'closing_deferred',
] as const;

/** The rollforward as RFC 4180 CSV (every field is a day, an ISO code or an integer). */
export function revenueCsv(rows: RevenueDay[]): string {
  const lines = rows.map((row) => REVENUE_CSV_COLUMNS.map((c) => String(row[c])).join(','));
  return [REVENUE_CSV_COLUMNS.join(','), ...lines].map((line) => `${line}\r\n`).join('');
}
