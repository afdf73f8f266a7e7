import { AUDIT_RECORD_SCHEMA_VERSION, AuditRecordMessage } from './audit-record.event';
import { EventParser, ParsedEvent } from './parse-event';

const parser = new EventParser(AuditRecordMessage, AUDIT_RECORD_SCHEMA_VERSION);

/** The raw value of an `audit.records` message as a validated record, or why not. */
export function parseAuditRecord(value: Buffer | string | null): ParsedEvent<AuditRecordMessage> {
  return parser.parse(value);
}
