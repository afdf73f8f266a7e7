/** The export's columns, in order; also the names of the export query's output columns. */
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

export type LedgerCsvColumn = (typeof LEDGER_CSV_COLUMNS)[number];

/** One exported entry, every value already text as Postgres wrote it (bigints exact, UTC times). */
export type LedgerCsvRow = Partial<Record<LedgerCsvColumn, string | null>>;

/** Integers the database makes; a leading minus there is a sign, not a formula. */
const NUMERIC_COLUMNS: ReadonlySet<string> = new Set([
  'id',
  'amount',
  'balance_before',
  'balance_after',
]);

/** What a spreadsheet would start evaluating (OWASP's list: = + - @, tab and CR). */
const FORMULA_START = /^[=+\-@\t\r]/;
// `;` too: spreadsheets in semicolon locales (de, fr, …) split fields on it.
const NEEDS_QUOTES = /[",;\r\n]/;

/**
 * One RFC 4180 field. Text that a spreadsheet would run as a formula gets a leading apostrophe,
 * so an export opened in Excel cannot execute what a producer put in a description.
 */
export function csvField(column: string, value: string | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = !NUMERIC_COLUMNS.has(column) && FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(row: LedgerCsvRow): string {
  return `${LEDGER_CSV_COLUMNS.map((column) => csvField(column, row[column])).join(',')}\r\n`;
}

export const CSV_HEADER = `${LEDGER_CSV_COLUMNS.join(',')}\r\n`;
