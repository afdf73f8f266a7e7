import {
  AccountEventType,
  EXPIRE_SOURCE,
  isBlocked,
  jsonAmount,
  ORDER_REFUND_SOURCE,
  REFUND_SOURCE,
  VOID_SOURCE,
} from '@tally/contracts';
import { stableUuid } from '@tally/platform';
import type { Movement, NewLedgerEntry } from '../entries/ledger-entry';
import type { ExpiringGrant } from '../grants/grant';
import { expiryEventId, voidEventId } from '../plan-movements';

/** An account event as written to the outbox, numbered. */
export interface AccountEventDraft {
  id: string;
  user_id: string;
  seq: bigint;
  type: AccountEventType;
  data: Record<string, unknown>;
}

/** What the events of an account depend on besides its entries: as read under its lock. */
export interface EventAccount {
  event_seq: bigint;
  /** The account's own threshold: null for none, undefined for the default. */
  low_balance?: bigint | null;
}

export interface EventContext {
  accounts: ReadonlyMap<string, EventAccount>;
  /** LOW_BALANCE_THRESHOLD: null for no alert. */
  defaultLowBalance: bigint | null;
  /** The movements behind the entries, by event_id (what an order cost, when a grant expires). */
  movements: ReadonlyMap<string, Movement>;
}

type Fact = { type: AccountEventType; data: Record<string, unknown> };

/**
 * The account events the entries of one ledger transaction cause, in entry order, each user's
 * numbered on from its last seq. Pure: called under the accounts' locks, so entries chain and
 * a crossing (below the threshold, into or out of blocked) is seen by exactly one entry.
 * Ordinary charges cause none.
 */
export function accountEventsOf(
  entries: readonly NewLedgerEntry[],
  context: EventContext,
): { events: AccountEventDraft[]; seqs: Map<string, bigint> } {
  const seqs = new Map<string, bigint>();
  const events: AccountEventDraft[] = [];
  for (const entry of entries) {
    const account = context.accounts.get(entry.user_id);
    const threshold =
      account?.low_balance === undefined ? context.defaultLowBalance : account.low_balance;
    for (const fact of factsOf(entry, context.movements.get(entry.event_id), threshold)) {
      const seq = (seqs.get(entry.user_id) ?? account?.event_seq ?? 0n) + 1n;
      seqs.set(entry.user_id, seq);
      events.push({
        id: stableUuid(fact.type, entry.user_id, entry.event_id),
        user_id: entry.user_id,
        seq,
        ...fact,
      });
    }
  }
  return { events, seqs };
}

/** A fact that is not a ledger entry's, keyed by what it is about (its event's id comes from it). */
export interface AccountFact {
  user_id: string;
  key: string;
  type: AccountEventType;
  data: Record<string, unknown>;
}

/** Facts made under their accounts' locks, each user's numbered on from its last seq. */
export function numberedEventsOf(
  facts: readonly AccountFact[],
  accounts: ReadonlyMap<string, EventAccount>,
): { events: AccountEventDraft[]; seqs: Map<string, bigint> } {
  const seqs = new Map<string, bigint>();
  const events = facts.map(({ user_id, key, type, data }): AccountEventDraft => {
    const seq = (seqs.get(user_id) ?? accounts.get(user_id)?.event_seq ?? 0n) + 1n;
    seqs.set(user_id, seq);
    return { id: stableUuid(type, user_id, key), user_id, seq, type, data };
  });
  return { events, seqs };
}

/** The `grant.expiring` facts of grants claimed by the expiry job; `event_id` is the grant's. */
export function expiringFactsOf(
  grants: readonly ExpiringGrant[],
  balances: ReadonlyMap<string, { balance: bigint }>,
): AccountFact[] {
  return grants.map((grant) => ({
    user_id: grant.user_id,
    key: grant.event_id,
    type: 'grant.expiring',
    data: {
      event_id: grant.event_id,
      grant_id: grant.event_id,
      amount_remaining: jsonAmount(grant.remaining),
      expires_at: grant.expires_at.toISOString(),
      balance: jsonAmount(balances.get(grant.user_id)?.balance ?? 0n),
    },
  }));
}

function factsOf(
  entry: NewLedgerEntry,
  movement: Movement | undefined,
  threshold: bigint | null,
): Fact[] {
  const facts = [...causeOf(entry, movement)];
  const { balance_before: before, balance_after: after } = entry;
  const crossing = { event_id: entry.event_id, balance_before: jsonAmount(before) };
  if (threshold !== null && before >= threshold && after < threshold) {
    facts.push({
      type: 'balance.low',
      data: { ...crossing, threshold: jsonAmount(threshold), balance_after: jsonAmount(after) },
    });
  }
  if (isBlocked(before) !== isBlocked(after)) {
    facts.push({
      type: isBlocked(after) ? 'account.blocked' : 'account.unblocked',
      data: { ...crossing, balance_after: jsonAmount(after) },
    });
  }
  return facts;
}

/** The fact an entry records itself, if it is one the account's owner hears of. */
function causeOf(entry: NewLedgerEntry, movement: Movement | undefined): Fact[] {
  const amount = jsonAmount(entry.amount < 0n ? -entry.amount : entry.amount);
  const base = { event_id: entry.event_id, amount, balance_after: jsonAmount(entry.balance_after) };
  const grant = entry.source_ref_id;
  if (entry.direction === 'income') {
    if (entry.source === REFUND_SOURCE) {
      return [{ type: 'charge.refunded', data: { ...base, charge_event_id: grant } }];
    }
    const created: Fact = {
      type: 'grant.created',
      data: {
        ...base,
        grant_id: entry.event_id,
        source: entry.source,
        order_id: entry.order_id,
        expires_at: movement?.expires_at?.toISOString() ?? null,
      },
    };
    if (!entry.order_id) return [created];
    const value = movement?.value;
    const price = value ? { price_cent: jsonAmount(value.cent), currency: value.currency } : {};
    return [created, { type: 'order.paid', data: { ...base, order_id: entry.order_id, ...price } }];
  }
  if (entry.source === ORDER_REFUND_SOURCE && entry.order_id) {
    return [{ type: 'order.refunded', data: { ...base, order_id: entry.order_id } }];
  }
  if (grant && entry.source === VOID_SOURCE && entry.event_id === voidEventId(grant)) {
    return [{ type: 'grant.voided', data: { ...base, grant_id: grant } }];
  }
  if (grant && entry.source === EXPIRE_SOURCE && entry.event_id === expiryEventId(grant)) {
    return [{ type: 'grant.expired', data: { ...base, grant_id: grant } }];
  }
  return [];
}
