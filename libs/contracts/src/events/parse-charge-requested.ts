import { ErrorCode } from '../errors/error-code';
import { CHARGE_REQUESTED_SCHEMA_VERSION, ChargeRequestedEvent } from './charge-requested.event';
import { EventParser, ParsedEvent } from './parse-event';

const parser = new EventParser(ChargeRequestedEvent, CHARGE_REQUESTED_SCHEMA_VERSION);

/** The ledger consumer's fast path: ChargeRequestedEvent's own rules, as plain checks. */
export function isPlainlyValidCharge(plain: unknown): plain is ChargeRequestedEvent {
  return parser.plainlyValid(plain);
}

export type ParsedChargeRequested = ParsedEvent<ChargeRequestedEvent>;

/**
 * Turns the raw value of a `credit.charge.requested` message into a typed, validated event, or the
 * reasons it cannot be one (which go to the dead-letter topic with the original bytes).
 */
export function parseChargeRequested(value: Buffer | string | null): ParsedChargeRequested {
  const parsed = parser.parse(value);
  if (!parsed.ok) return parsed;
  const { event } = parsed;
  if ((event.payload.amount === 0) !== (event.payload.pricing.mode === 'free')) {
    return {
      ok: false,
      code: ErrorCode.ValidationFailed,
      reasons: ['payload.amount must be 0 exactly when payload.pricing.mode is "free"'],
    };
  }
  return { ok: true, event };
}
