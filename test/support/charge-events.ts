import { Topics } from '@tally/contracts';
import { produce } from './kafka-helpers';
import { unique } from './wait';

/** A valid `credit.charge.requested` envelope as any internal service may produce it (SPEC §2). */
export function chargeEvent(
  user: string,
  amount: number,
  eventId = unique('evt'),
  overrides: Record<string, unknown> = {},
) {
  return {
    event_id: eventId,
    event_type: 'credit.charge.requested',
    schema_version: 1,
    occurred_at: new Date().toISOString(),
    producer: 'video-service',
    payload: {
      user_id: user,
      amount,
      source: 'video',
      source_ref_id: 'job-1',
      pricing: { mode: 'duration', model: 'v1', usage: { seconds: 12 } },
      ...overrides,
    },
  };
}

export type ChargeEvent = ReturnType<typeof chargeEvent>;

/** Publishes charge events onto the topic, keyed by user like the gateway's relay does. */
export function produceCharges(...events: ChargeEvent[]): Promise<void> {
  return produce(
    Topics.chargeRequested,
    events.map((event) => ({ key: event.payload.user_id, value: JSON.stringify(event) })),
  );
}

/** A refund message as a producer other than the gateway would send it (SPEC §2). */
export function refundMessage(
  user: string,
  refundOf: string,
  amount: number,
  eventId = unique('refund'),
  payload: Record<string, unknown> = { reason: 'job failed' },
) {
  return {
    key: user,
    headers: { event_type: 'credit.refund.requested' },
    value: JSON.stringify({
      event_id: eventId,
      event_type: 'credit.refund.requested',
      schema_version: 1,
      occurred_at: new Date().toISOString(),
      producer: 'video-service',
      payload: { user_id: user, refund_of: refundOf, amount, ...payload },
    }),
  };
}
