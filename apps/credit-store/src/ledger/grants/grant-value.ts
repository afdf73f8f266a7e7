import type { Grant } from './grant';

/**
 * The rounding rule of revenue recognition. A grant's deferred value is a pure function of the
 * credits it still holds: floor(value × remaining / amount), so a grant holding all its credits
 * defers its whole value and an empty one defers nothing. Every movement of credits on a grant
 * (a charge's draw, an expiry, a void, an order refund, a refund giving credits back) moves
 * deferred(before) − deferred(after) of value. The movements of a grant telescope: whatever the
 * order and size of its draws and refunds, what they moved plus what is still deferred is the
 * value exactly, never a cent lost or invented. Flooring means a cent that cannot be split is
 * recognized with the draw that crosses it (the first credits drawn carry the rounding).
 */
export function deferredValue(grant: Pick<Grant, 'amount' | 'value_cent'>, remaining: bigint) {
  const value = grant.value_cent ?? 0n;
  if (value === 0n || grant.amount === 0n) return 0n;
  return (value * remaining) / grant.amount;
}

/** The value a change of `remaining` from `before` to `after` moves (positive either way). */
export function valueMoved(
  grant: Pick<Grant, 'amount' | 'value_cent'>,
  before: bigint,
  after: bigint,
): bigint {
  const moved = deferredValue(grant, before) - deferredValue(grant, after);
  return moved < 0n ? -moved : moved;
}
