import {
  REFUND_REQUESTED_EVENT_TYPE,
  REFUND_REQUESTED_SCHEMA_VERSION,
  RefundRequestedEvent,
} from './refund-requested.event';
import { EventParser, ParsedEvent } from './parse-event';

export type ParsedRefundRequested = ParsedEvent<RefundRequestedEvent>;

/** Whether a message of the charges' topic is a refund (its `event_type` header says so). */
export function isRefundMessage(headers: Record<string, unknown> | undefined): boolean {
  const type = headers?.event_type;
  const text = Buffer.isBuffer(type) ? type.toString() : type;
  return text === REFUND_REQUESTED_EVENT_TYPE;
}

const parser = new EventParser(RefundRequestedEvent, REFUND_REQUESTED_SCHEMA_VERSION);

/** The raw value of a refund message as a validated event, or the reasons it cannot be one. */
export function parseRefundRequested(value: Buffer | string | null): ParsedRefundRequested {
  return parser.parse(value);
}
