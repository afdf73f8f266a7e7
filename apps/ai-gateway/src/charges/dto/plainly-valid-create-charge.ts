import {
  absentOr,
  isEventId,
  isPlainlyValidUsage,
  isPlainMetadata,
  isRecord,
  isScene,
  isSource,
  isUserId,
  MAX_AMOUNT,
  onlyKeys,
  RESERVED_CHARGE_SOURCES,
  shortString,
  wholeNumber,
} from '@tally/contracts';

const KEYS = new Set([
  'event_id',
  'user_id',
  'source',
  'amount',
  'scene',
  'provider',
  'model',
  'usage',
  'source_ref_id',
  'hold_id',
  'description',
  'metadata',
]);

/**
 * The charge endpoint's fast path. class-validator and class-transformer cost the gateway about a
 * tenth of its CPU per charge; this recognises the ordinary body of `POST /internal/charges` with
 * plain checks and only ever says yes to a body that CreateChargeDto's rules accept too
 * (plainly-valid-create-charge.spec.ts holds it to that on random and broken bodies). Anything
 * else answers false and goes through the full validation, which gives the reasons.
 */
export function isPlainlyValidCreateCharge(body: unknown): boolean {
  if (!isRecord(body) || !onlyKeys(body, KEYS, 3)) return false;
  const { event_id, user_id, source } = body;
  return (
    typeof event_id === 'string' &&
    isEventId(event_id) &&
    typeof user_id === 'string' &&
    isUserId(user_id) &&
    typeof source === 'string' &&
    isSource(source) &&
    !RESERVED_CHARGE_SOURCES.includes(source) &&
    absentOr(body.amount, (v) => wholeNumber(v, 1, MAX_AMOUNT)) &&
    absentOr(body.scene, (v) => typeof v === 'string' && isScene(v)) &&
    absentOr(body.provider, (v) => shortString(v, 128) && (v as string).length > 0) &&
    absentOr(body.model, (v) => shortString(v, 128) && (v as string).length > 0) &&
    absentOr(body.usage, isPlainlyValidUsage) &&
    absentOr(body.source_ref_id, (v) => shortString(v, 128)) &&
    absentOr(body.hold_id, (v) => shortString(v, 64)) &&
    absentOr(body.description, (v) => shortString(v, 500)) &&
    absentOr(body.metadata, isPlainMetadata)
  );
}
