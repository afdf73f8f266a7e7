/** The export's columns, in order; also the names of the query's output columns. */
export const LEDGER_CSV_COLUMNS = [
  'id',
  'event_id',
  'created_at',
  'occurred_at',
  'user_id',
  'source',
  'direction',
  'amount',
  'balance_before',
  'balance_after',
  'status',
  'source_ref_id',
  'order_id',
  'hold_id',
  'description',
  'rule_id',
  'rule_version',
  'model',
  'metadata',
] as const;

/** Numbers and timestamps we write ourselves; everything else may come from a user. */
const TRUSTED = new Set([
  'id',
  'created_at',
  'occurred_at',
  'amount',
  'balance_before',
  'balance_after',
  'rule_version',
]);

/**
 * One RFC 4180 field. Text that a spreadsheet would run as a formula (= + - @, tab, CR) gets a
 * leading apostrophe, so an export opened in Excel cannot execute a producer's description.
 */
export function csvField(column: string, value: unknown): string {
  if (value === null || value === undefined) return '';
  let text =
    value instanceof Date
      ? value.toISOString()
      : typeof value === 'object'
        ? JSON.stringify(value)
        : `${value as string | number | boolean | bigint}`;
  if (!TRUSTED.has(column) && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(row: Record<string, unknown>): string {
  return `${LEDGER_CSV_COLUMNS.map((c) => csvField(c, row[c])).join(',')}\r\n`;
}

export const CSV_HEADER = `${LEDGER_CSV_COLUMNS.join(',')}\r\n`;
