import { isEventId, isUserId, jsonAmount, parseJsonAmount, Topics } from '@tally/contracts';
import type { AccountFact } from '../ledger/events/account-events';
import type { DeadLetter } from './dead-letter.publisher';

/** The charge (or refund) a dead letter names: its JSON has a valid event_id and payload.user_id. */
export interface NamedCharge {
  user_id: string;
  event_id: string;
  amount?: bigint;
}

/** Only charges (and refunds) from `credit.charge.requested` are told to their user. */
export function chargeNamedBy({ message }: DeadLetter): NamedCharge | null {
  if (message.topic !== Topics.chargeRequested) return null;
  if (!message.value || message.value.length > 1024 * 1024) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(message.value.toString('utf8'));
  } catch {
    return null;
  }
  const { event_id, payload } = (parsed ?? {}) as Record<string, unknown>;
  const { user_id, amount } = (payload ?? {}) as Record<string, unknown>;
  if (typeof user_id !== 'string' || !isUserId(user_id)) return null;
  if (typeof event_id !== 'string' || !isEventId(event_id)) return null;
  const credits = parseJsonAmount(amount);
  return {
    user_id,
    event_id,
    ...(credits !== undefined && credits >= 0n ? { amount: credits } : {}),
  };
}

/** The `charge.dead_lettered` fact of a letter kept as row `letterId`: one per dead letter. */
export function deadLetteredFact(
  charge: NamedCharge,
  letter: DeadLetter,
  letterId: string,
): AccountFact {
  const reason = letter.reasons.join('; ').slice(0, 4000);
  return {
    user_id: charge.user_id,
    key: `dead-letter:${letterId}`,
    type: 'charge.dead_lettered',
    data: {
      event_id: charge.event_id,
      code: letter.code,
      ...(reason ? { reason } : {}),
      ...(charge.amount !== undefined ? { amount: jsonAmount(charge.amount) } : {}),
    },
  };
}
