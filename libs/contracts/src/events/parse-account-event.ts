import { AccountEvent } from './account-event.event';
import { EventParser, ParsedEvent } from './parse-event';

const parser = new EventParser(AccountEvent, 1);

/** The raw value of a `credit.account.events` message as a validated event, or why not. */
export function parseAccountEvent(value: Buffer | string | null): ParsedEvent<AccountEvent> {
  return parser.parse(value);
}
