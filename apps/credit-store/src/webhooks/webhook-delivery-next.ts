import type { DeliveryNext } from './webhook-delivery.repository';
import type { AttemptOutcome } from './webhook-sender';

/**
 * After an attempt: a 2xx is delivered; 410 Gone fails it (and disables the endpoint); anything
 * else is retried after the schedule's next delay, until the schedule is spent. `triesBefore`
 * counts the attempts before this one since the delivery was (re)queued.
 */
export function nextAfter(
  outcome: AttemptOutcome,
  triesBefore: number,
  retryDelaysMs: readonly number[],
): DeliveryNext {
  const status = outcome.status_code;
  if (status !== null && status >= 200 && status < 300) return { status: 'delivered' };
  if (status === 410) return { status: 'failed' };
  if (triesBefore >= retryDelaysMs.length) return { status: 'failed' };
  return { status: 'pending', retryInMs: retryDelaysMs[triesBefore] };
}
