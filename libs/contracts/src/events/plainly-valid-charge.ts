import { isISO8601 } from 'class-validator';
import { isEventId, isSource, isUserId, MAX_AMOUNT } from '../validation/identifiers';
import {
  absentOr,
  isPlainlyValidUsage,
  isPlainMetadata,
  isRecord,
  onlyKeys,
  shortString,
  wholeNumber,
} from '../validation/plain-checks';
import { RESERVED_CHARGE_SOURCES } from '../validation/sources';
import {
  CHARGE_REQUESTED_SCHEMA_VERSION,
  type ChargeRequestedEvent,
} from './charge-requested.event';
import { PRICING_MODES } from './charge-pricing';
import { Topics } from '../topics';

/**
 * The ledger consumer's fast path. class-validator costs ~50 µs a message (it looks up its
 * metadata on every call, at every level of nesting), a third of the consumer's CPU at tens of
 * thousands of messages a second. This recognises the ordinary shape of a charge with plain
 * checks, and only ever says yes to a message that the class-validator rules
 * (ChargeRequestedEvent) accept too — test/plainly-valid-charge.spec.ts holds it to that on
 * random and mutated messages. Anything unusual (a null optional, an odd string) answers false,
 * and the caller then runs the full validation, which also gives the reasons.
 */
export function isPlainlyValidCharge(plain: unknown): plain is ChargeRequestedEvent {
  if (!isRecord(plain) || !onlyKeys(plain, ENVELOPE_KEYS, 6)) return false;
  const { event_id, event_type, schema_version, occurred_at, producer, payload } = plain;
  return (
    typeof event_id === 'string' &&
    isEventId(event_id) &&
    event_type === Topics.chargeRequested &&
    schema_version === CHARGE_REQUESTED_SCHEMA_VERSION &&
    shortString(producer, 64) &&
    typeof occurred_at === 'string' &&
    isISO8601(occurred_at, { strict: true }) &&
    isPlainlyValidPayload(payload)
  );
}

const ENVELOPE_KEYS = new Set([
  'event_id',
  'event_type',
  'schema_version',
  'occurred_at',
  'producer',
  'payload',
]);
const PAYLOAD_KEYS = new Set([
  'user_id',
  'source',
  'source_ref_id',
  'hold_id',
  'description',
  'metadata',
  'amount',
  'sequence',
  'pricing',
]);
const PRICING_KEYS = new Set(['rule_id', 'rule_version', 'model', 'provider', 'mode', 'usage']);
const MODES: readonly unknown[] = PRICING_MODES;

function isPlainlyValidPayload(payload: unknown): boolean {
  if (!isRecord(payload) || !onlyKeys(payload, PAYLOAD_KEYS, 4)) return false;
  const { user_id, source, amount, sequence, metadata } = payload;
  return (
    typeof user_id === 'string' &&
    isUserId(user_id) &&
    typeof source === 'string' &&
    isSource(source) &&
    !RESERVED_CHARGE_SOURCES.includes(source) &&
    wholeNumber(amount, 0, MAX_AMOUNT) &&
    absentOr(sequence, (v) => wholeNumber(v, 1, Number.MAX_SAFE_INTEGER)) &&
    absentOr(payload.source_ref_id, (v) => shortString(v, 128)) &&
    absentOr(payload.hold_id, (v) => shortString(v, 64)) &&
    absentOr(payload.description, (v) => shortString(v, 500)) &&
    absentOr(metadata, isPlainMetadata) &&
    isPlainlyValidPricing(payload.pricing)
  );
}

function isPlainlyValidPricing(pricing: unknown): boolean {
  if (!isRecord(pricing) || !onlyKeys(pricing, PRICING_KEYS, 2)) return false;
  return (
    MODES.includes(pricing.mode) &&
    absentOr(pricing.rule_id, (v) => shortString(v, 64)) &&
    absentOr(pricing.rule_version, (v) => wholeNumber(v, 1, Number.MAX_SAFE_INTEGER)) &&
    absentOr(pricing.model, (v) => shortString(v, 128)) &&
    absentOr(pricing.provider, (v) => shortString(v, 64)) &&
    isPlainlyValidUsage(pricing.usage)
  );
}
