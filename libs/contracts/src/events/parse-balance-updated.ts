import { BALANCE_UPDATED_SCHEMA_VERSION, BalanceUpdatedEvent } from './balance-updated.event';
import { EventParser, ParsedEvent } from './parse-event';

const parser = new EventParser(BalanceUpdatedEvent, BALANCE_UPDATED_SCHEMA_VERSION);

/** The balance view's fast path: BalanceUpdatedEvent's own rules, as plain checks. */
export function isPlainlyValidBalanceUpdate(plain: unknown): plain is BalanceUpdatedEvent {
  return parser.plainlyValid(plain);
}

/** The raw value of a `credit.balance.updated` message as a validated event, or why not. */
export function parseBalanceUpdated(
  value: Buffer | string | null,
): ParsedEvent<BalanceUpdatedEvent> {
  return parser.parse(value);
}
