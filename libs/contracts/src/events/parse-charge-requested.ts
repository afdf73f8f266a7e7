import { ErrorCode } from '../errors/error-code';
import { describeHazard, findJsonHazard } from '../validation/json-hazards';
import { PlainValidator } from '../validation/plain-validator';
import { validatePlain } from '../validation/validate-plain';
import { CHARGE_REQUESTED_SCHEMA_VERSION, ChargeRequestedEvent } from './charge-requested.event';

const fastPath = new PlainValidator(ChargeRequestedEvent);

/** The ledger consumer's fast path: ChargeRequestedEvent's own rules, as plain checks. */
export function isPlainlyValidCharge(plain: unknown): plain is ChargeRequestedEvent {
  return fastPath.accepts(plain);
}

export type ParsedChargeRequested =
  { ok: true; event: ChargeRequestedEvent } | { ok: false; code: ErrorCode; reasons: string[] };

/**
 * Turns the raw value of a `credit.charge.requested` message into a typed, validated event, or the
 * reasons it cannot be one (which go to the dead-letter topic with the original bytes).
 */
export function parseChargeRequested(value: Buffer | string | null): ParsedChargeRequested {
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
  // The edge's rule, as the HTTP bodies get it: text PostgreSQL cannot store or JSON nested without
  // end would otherwise fail in the database (a retry for ever) or in the validator's recursion.
  const hazard = findJsonHazard(plain);
  if (hazard) return { ok: false, code: hazard.code, reasons: [describeHazard(hazard)] };
  const version = (plain as { schema_version?: unknown } | null)?.schema_version;
  if (version !== undefined && version !== CHARGE_REQUESTED_SCHEMA_VERSION) {
    return {
      ok: false,
      code: ErrorCode.UnsupportedSchemaVersion,
      reasons: [
        `schema_version ${JSON.stringify(version)} is not supported (expected ${CHARGE_REQUESTED_SCHEMA_VERSION})`,
      ],
    };
  }
  // The full rules run only for what the fast path does not plainly accept (and give the reasons).
  let event: ChargeRequestedEvent;
  if (isPlainlyValidCharge(plain)) {
    event = plain;
  } else {
    const result = validatePlain(ChargeRequestedEvent, plain);
    if (!result.ok) {
      return { ok: false, code: ErrorCode.ValidationFailed, reasons: result.reasons };
    }
    event = result.value;
  }
  if ((event.payload.amount === 0) !== (event.payload.pricing.mode === 'free')) {
    return {
      ok: false,
      code: ErrorCode.ValidationFailed,
      reasons: ['payload.amount must be 0 exactly when payload.pricing.mode is "free"'],
    };
  }
  return { ok: true, event };
}
