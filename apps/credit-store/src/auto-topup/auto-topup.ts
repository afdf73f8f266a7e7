import { jsonAmount } from '@tally/contracts';
import type { NewLedgerEntry } from '../ledger/entries/ledger-entry';
import type { AccountFact } from '../ledger/events/account-events';
import type { Order } from '../orders/order';

/** An account's auto top-up: below `threshold`, buy the product, at most `max_per_month` paid a UTC month. */
export interface AutoTopup {
  user_id: string;
  threshold: bigint;
  product_id: number;
  max_per_month: number;
  /** The UTC month (`YYYY-MM`) whose auto_topup.limit_reached went out, if any. */
  limit_reached_month: string | null;
}

/** An entry that took the balance from at or above the threshold to below it. */
export interface Crossing {
  entry: NewLedgerEntry;
  setting: AutoTopup;
}

/**
 * Each user's first entry that crosses below its auto top-up threshold. The entries chain under
 * the account's lock, so a crossing is seen by exactly one entry however many charges race.
 */
export function crossingsOf(
  entries: readonly NewLedgerEntry[],
  settings: ReadonlyMap<string, AutoTopup>,
): Crossing[] {
  const crossed = new Map<string, Crossing>();
  for (const entry of entries) {
    const setting = settings.get(entry.user_id);
    if (!setting || crossed.has(entry.user_id)) continue;
    if (entry.balance_before >= setting.threshold && entry.balance_after < setting.threshold) {
      crossed.set(entry.user_id, { entry, setting });
    }
  }
  return [...crossed.values()];
}

export type AutoTopupDecision = 'order' | 'limit_reached' | 'nothing';

/**
 * What a crossing does: nothing beside an open auto top-up order; past the month's paid cap no
 * order, and auto_topup.limit_reached once in the month; otherwise an order.
 */
export function decide(
  setting: AutoTopup,
  state: { open: string | null; paid: number },
  month: string,
): AutoTopupDecision {
  if (state.open) return 'nothing';
  if (state.paid < setting.max_per_month) return 'order';
  return setting.limit_reached_month === month ? 'nothing' : 'limit_reached';
}

/** The UTC month of `at`, `YYYY-MM`. */
export function utcMonth(at: Date): string {
  return at.toISOString().slice(0, 7);
}

/** The first instant of `at`'s UTC month. */
export function monthStart(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
}

function crossingData({ entry, setting }: Crossing) {
  return {
    event_id: entry.event_id,
    product_id: setting.product_id,
    threshold: jsonAmount(setting.threshold),
    balance_after: jsonAmount(entry.balance_after),
  };
}

/** `auto_topup.requested`: the order made, once per order. */
export function requestedFact(crossing: Crossing, order: Order): AccountFact {
  return {
    user_id: crossing.entry.user_id,
    key: order.order_id,
    type: 'auto_topup.requested',
    data: {
      ...crossingData(crossing),
      order_id: order.order_id,
      amount: jsonAmount(BigInt(order.credit_amount)),
      price: jsonAmount(BigInt(order.amount_cent)),
      currency: order.currency,
    },
  };
}

/**
 * `auto_topup.limit_reached`: once per account and UTC month, by the setting's mark (see decide);
 * keyed by the crossing too, as a setting removed and made again starts unmarked.
 */
export function limitReachedFact(crossing: Crossing, month: string): AccountFact {
  return {
    user_id: crossing.entry.user_id,
    key: `limit:${month}:${crossing.entry.event_id}`,
    type: 'auto_topup.limit_reached',
    data: { ...crossingData(crossing), max_per_month: crossing.setting.max_per_month, month },
  };
}
