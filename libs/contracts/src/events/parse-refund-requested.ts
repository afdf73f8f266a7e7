import { ErrorCode } from '../errors/error-code';
import { validatePlain } from '../validation/validate-plain';
import {
  REFUND_REQUESTED_EVENT_TYPE,
  REFUND_REQUESTED_SCHEMA_VERSION,
  RefundRequestedEvent,
} from './refund-requested.event';

export type ParsedRefundRequested =
  { ok: true; event: RefundRequestedEvent } | { ok: false; code: ErrorCode; reasons: string[] };

/** Whether a message of the charges' topic is a refund (its `event_type` header says so). */
export function isRefundMessage(headers: Record<string, unknown> | undefined): boolean {
  const type = headers?.event_type;
  const text = Buffer.isBuffer(type) ? type.toString() : type;
  return text === REFUND_REQUESTED_EVENT_TYPE;
}

/** The raw value of a refund message as a validated event, or the reasons it cannot be one. */
export function parseRefundRequested(value: Buffer | string | null): ParsedRefundRequested {
  if (value === null || value.length === 0) {
    return { ok: false, code: ErrorCode.InvalidJson, reasons: ['message has no value'] };
  }
  let plain: unknown;
  try {
    plain = JSON.parse(value.toString());
  } catch (error) {
    return {
      ok: false,
      code: ErrorCode.InvalidJson,
      reasons: [`not JSON: ${(error as Error).message}`],
    };
  }
  const version = (plain as { schema_version?: unknown } | null)?.schema_version;
  if (version !== undefined && version !== REFUND_REQUESTED_SCHEMA_VERSION) {
    return {
      ok: false,
      code: ErrorCode.UnsupportedSchemaVersion,
      reasons: [
        `schema_version ${JSON.stringify(version)} is not supported (expected ${REFUND_REQUESTED_SCHEMA_VERSION})`,
      ],
    };
  }
  const result = validatePlain(RefundRequestedEvent, plain);
  return result.ok
    ? { ok: true, event: result.value }
    : { ok: false, code: ErrorCode.ValidationFailed, reasons: result.reasons };
}
