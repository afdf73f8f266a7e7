import {
  MAX_MESSAGE_BYTES,
  parseChargeRequested,
  type ChargeRequestedEvent,
} from '@tally/contracts';

/** Room for the key, the headers and the sequence written in when the charge is recorded. */
const BESIDES_VALUE_BYTES = 1_024;

/**
 * Why the credit-store could not apply this charge (empty when it can): its own parser, run on the
 * message as it will be queued, and the broker's size limit. Reasons name the fields as the
 * gateway's callers do (`provider`, not `payload.pricing.provider`).
 */
export function chargeMessageProblems(envelope: ChargeRequestedEvent): string[] {
  const json = JSON.stringify(envelope);
  const parsed = parseChargeRequested(json);
  if (!parsed.ok) return parsed.reasons.map(asRequestField);
  const bytes = Buffer.byteLength(json) + jsonbExtraBytes(parsed.event) + BESIDES_VALUE_BYTES;
  if (bytes <= MAX_MESSAGE_BYTES) return [];
  return [
    `${largestField(parsed.event.payload)}: makes the charge a message of about ${bytes} bytes, more than the bus carries (${MAX_MESSAGE_BYTES})`,
  ];
}

function asRequestField(reason: string): string {
  return reason.replace(/^payload\./, '').replace(/^pricing\.(model|provider|usage)\b/, '$1');
}

/**
 * What the outbox's jsonb adds to JSON.stringify's text when the relay reads it back: a space
 * after every `:` and `,`, and numbers written out in full (1e300 is 301 digits). An upper bound.
 */
function jsonbExtraBytes(value: unknown): number {
  if (typeof value === 'number') {
    const text = String(value);
    const e = text.indexOf('e');
    return e < 0 ? 0 : Math.abs(Number(text.slice(e + 1))) + 2;
  }
  if (typeof value !== 'object' || value === null) return 0;
  let extra = 0;
  for (const inner of Object.values(value)) extra += 2 + jsonbExtraBytes(inner);
  return extra;
}

function largestField(payload: object): string {
  const sizes = Object.entries(payload).map(([key, value]) => ({
    key,
    size: JSON.stringify(value ?? null).length,
  }));
  return asRequestField(sizes.reduce((a, b) => (b.size > a.size ? b : a)).key);
}
