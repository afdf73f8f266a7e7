import { ErrorCode, EXPIRE_SOURCE, ORDER_REFUND_SOURCE, VOID_SOURCE } from '@tally/contracts';
import type { Grant, GrantChange } from './grants/grant';
import { GrantBook } from './grants/grant-book';
import type { Hold, HoldCapture } from './holds/hold';
import { AccountBalance, emptyAccount, totalFor } from './accounts/account-balance';
import type {
  Allocation,
  LedgerEntry,
  Movement,
  NewLedgerEntry,
  Refusal,
} from './entries/ledger-entry';
import { RefundPart, refundAmount, refundParts, RefundTarget } from './entries/refund-target';
import { RevenueDelta, valueEntries } from './revenue/revenue-delta';

/** What an entry already recorded under an event_id says, for comparing with a repeat. */
export type RecordedEntry = Pick<
  LedgerEntry,
  'event_id' | 'user_id' | 'source' | 'direction' | 'amount'
> & { source_ref_id?: string | null };

export type MovementOutcome<E extends RecordedEntry = RecordedEntry> =
  | { kind: 'applied'; movement: Movement; entry: NewLedgerEntry }
  | { kind: 'duplicate'; movement: Movement; entry: E | NewLedgerEntry }
  | { kind: 'conflict'; movement: Movement; entry: E | NewLedgerEntry; reason: string }
  | { kind: 'refused'; movement: Movement; refusal: Refusal }
  /** A free charge: nothing to write to the ledger (its hold, if any, is released). */
  | { kind: 'unpriced'; movement: Movement };

/** The ledger as a plan sees it: the locked accounts with their spendable grants and holds. */
export interface LedgerState<E extends RecordedEntry = RecordedEntry> {
  accounts: ReadonlyMap<string, AccountBalance>;
  grants: ReadonlyMap<string, readonly Grant[]>;
  /** Holds named by the movements. */
  holds: ReadonlyMap<string, Hold>;
  /** Entries already written under the movements' event_ids. */
  recorded: ReadonlyMap<string, E>;
  /** Charges named by the refunds, with how much of each was refunded already. */
  targets?: ReadonlyMap<string, RefundTarget>;
  /** Grants named by the refunds' charges and by the voids, spendable or not. */
  named?: ReadonlyMap<string, Grant>;
  now: Date;
}

export interface LedgerPlan<E extends RecordedEntry = RecordedEntry> {
  entries: NewLedgerEntry[];
  /** Accounts whose state changed, with their new state. */
  accounts: AccountBalance[];
  grants: GrantChange[];
  captures: HoldCapture[];
  /** What the entries did to revenue, per currency (their allocations carry the values). */
  revenue: RevenueDelta[];
  /** One per movement, in order. */
  outcomes: MovementOutcome<E>[];
}

/** The event_id of the entry that writes off a grant's remainder: one per grant, ever. */
export function expiryEventId(grantEventId: string): string {
  return `tally:expire:${grantEventId}`;
}

/** The entries that write off again what a refund gave back to expired or voided grants. */
export function refundWriteOffEventId(kind: 'expire' | 'void', refundEventId: string): string {
  return `tally:refund-${kind}:${refundEventId}`;
}

/** The one entry that voids a grant. */
export function voidEventId(grantEventId: string): string {
  return `tally:void:${grantEventId}`;
}

export function signedAmount(movement: Movement): bigint {
  return movement.direction === 'income' ? movement.amount : -movement.amount;
}

/** Why a repeat of an event_id is not the same movement, or undefined when it is. */
export function conflictReason(recorded: RecordedEntry, movement: Movement): string | undefined {
  const differences = [
    recorded.user_id !== movement.user_id && `user_id ${recorded.user_id} ≠ ${movement.user_id}`,
    recorded.source !== movement.source && `source ${recorded.source} ≠ ${movement.source}`,
    recorded.direction !== movement.direction &&
      `direction ${recorded.direction} ≠ ${movement.direction}`,
    // A whole refund and a void are for whatever was left then: their amount is the ledger's.
    !movement.refund?.whole &&
      !movement.void_grant &&
      recorded.amount !== signedAmount(movement) &&
      `amount ${recorded.amount} ≠ ${signedAmount(movement)}`,
    movement.refund &&
      recorded.source_ref_id !== undefined &&
      recorded.source_ref_id !== movement.refund.of &&
      `refund_of ${recorded.source_ref_id} ≠ ${movement.refund.of}`,
  ].filter((difference): difference is string => typeof difference === 'string');
  return differences.length
    ? `event_id ${movement.event_id} already recorded with ${differences.join(', ')}`
    : undefined;
}

/**
 * Whether a charge may close the hold it names. A hold closes once: capturing a captured or a
 * voided hold is refused (it would charge twice, or charge what the service said it would not).
 * An expired hold may still be captured: the work was done, so the charge is post-paid like any
 * other; the reservation itself was already released when it expired.
 */
export function holdRefusal(hold: Hold | undefined, movement: Movement): Refusal | undefined {
  const id = movement.hold_id;
  if (!hold || hold.user_id !== movement.user_id) {
    return {
      code: ErrorCode.NotFound,
      reason: `hold ${id} does not exist for user ${movement.user_id}`,
    };
  }
  if (hold.status === 'captured') {
    return {
      code: ErrorCode.HoldNotOpen,
      reason: `hold ${id} was already captured by event ${hold.capture_event_id}`,
    };
  }
  if (hold.status === 'voided') {
    return { code: ErrorCode.HoldNotOpen, reason: `hold ${id} was voided` };
  }
  return undefined;
}

/** Per account while planning: its running state and its grants. */
interface Book {
  account: AccountBalance;
  grants: GrantBook;
  changed: boolean;
}

/**
 * The ledger arithmetic, free of I/O. First, every locked account's grants that have expired
 * are written off (one `expire` entry each). Then, for each movement in order: a repeat of an
 * event_id is a duplicate or a conflict; a charge naming a hold must find it capturable; an
 * expense draws from the grants FIFO by expiry and goes into overdraft when they run out
 * (post-paid); an income first pays back an overdraft, and the rest becomes a new grant.
 * Entries chain balance_before/after per account.
 */
export function planMovements<E extends RecordedEntry>(
  state: LedgerState<E>,
  movements: readonly Movement[],
): LedgerPlan<E> {
  const books = new Map<string, Book>();
  const holds = new Map(state.holds);
  const seen = new Map<string, E | NewLedgerEntry>(state.recorded);
  const entries: NewLedgerEntry[] = [];
  const captures: HoldCapture[] = [];
  const outcomes: MovementOutcome<E>[] = [];
  const targets = new Map(state.targets);
  // A charge becomes a refund's target within its own batch only if the batch has refunds.
  const refundsInBatch = movements.some((m) => m.refund);
  let nextSeq = BigInt(Number.MAX_SAFE_INTEGER);

  const bookOf = (userId: string): Book => {
    let book = books.get(userId);
    if (!book) {
      book = {
        // A copy, changed in place by every entry posted (the state stays as read).
        account: { ...(state.accounts.get(userId) ?? emptyAccount(userId)) },
        grants: new GrantBook(state.grants.get(userId) ?? []),
        changed: false,
      };
      books.set(userId, book);
      for (const grant of book.grants.due(state.now)) {
        const amount = book.grants.expire(grant, state.now);
        const allocations = [{ grant: grant.event_id, amount }];
        entries.push(post(book, expiryMovement(grant, amount), allocations));
      }
    }
    return book;
  };

  const post = (book: Book, movement: Movement, allocations: Allocation[] | null) => {
    const { account } = book;
    const amount = signedAmount(movement);
    const total = totalFor(movement.direction, movement.source);
    const entry = newEntry(movement, account.balance, allocations);
    account.balance += amount;
    account[total] += movement.amount;
    account.version += 1n;
    book.changed = true;
    seen.set(entry.event_id, entry);
    return entry;
  };

  /**
   * A refund's entries: the refund itself, then (if some of it went back to grants that have
   * expired or been voided since) the entries writing that part off again at once. What goes back
   * to live grants and to the overdraft first pays the account's debt, if it has one; then the
   * grants get their credits back with their own expiry, and the overdraft part beyond the debt
   * becomes a grant of the refund itself.
   */
  const planRefund = (book: Book, refund: Movement, parts: RefundPart[]): NewLedgerEntry[] => {
    let debt = book.account.balance < 0n ? -book.account.balance : 0n;
    const restored: Allocation[] = [];
    const writtenOff = { expire: [] as Allocation[], void: [] as Allocation[] };
    let unowned = 0n;
    for (const part of parts) {
      const drawn = part.grant
        ? book.grants.find(part.grant, state.named?.get(part.grant))
        : undefined;
      // An order refunded since gave its cash back: its grant takes no credits (nor value) back,
      // they come back like an overdraft's, worth nothing.
      const grant = drawn?.refunded_at ? undefined : drawn;
      const gone = grant && goneFor(grant, state.now);
      if (grant && gone) {
        restored.push({ grant: grant.event_id, amount: part.amount });
        writtenOff[gone].push({ grant: grant.event_id, amount: part.amount });
        continue;
      }
      const paid = debt < part.amount ? debt : part.amount;
      debt -= paid;
      const rest = part.amount - paid;
      if (rest === 0n) continue;
      if (grant) {
        book.grants.restore(grant, rest);
        restored.push({ grant: grant.event_id, amount: rest });
      } else {
        unowned += rest;
      }
    }
    if (unowned > 0n) {
      book.grants.add(
        {
          event_id: refund.event_id,
          user_id: refund.user_id,
          source: refund.source,
          amount: unowned,
          expires_at: refund.expires_at ?? null,
          seq: nextSeq++,
        },
        0n,
      );
    }
    const planned = [post(book, refund, restored)];
    for (const kind of ['expire', 'void'] as const) {
      const allocations = writtenOff[kind];
      if (allocations.length === 0) continue;
      const amount = allocations.reduce((sum, a) => sum + a.amount, 0n);
      const writeOff: Movement = {
        event_id: refundWriteOffEventId(kind, refund.event_id),
        user_id: refund.user_id,
        source: kind === 'expire' ? EXPIRE_SOURCE : VOID_SOURCE,
        direction: 'expense',
        amount,
        description: `refund ${refund.event_id} went back to ${kind === 'expire' ? 'expired' : 'voided'} grants`,
        source_ref_id: refund.event_id,
      };
      planned.push(post(book, writeOff, allocations));
    }
    entries.push(...planned);
    return planned;
  };

  for (const book of state.accounts.keys()) bookOf(book);

  for (const movement of movements) {
    const previous = seen.get(movement.event_id);
    if (previous) {
      const reason = conflictReason(previous, movement);
      outcomes.push(
        reason
          ? { kind: 'conflict', movement, entry: previous, reason }
          : { kind: 'duplicate', movement, entry: previous },
      );
      continue;
    }
    const book = bookOf(movement.user_id);
    if (movement.refund) {
      const of = movement.refund.of;
      const decided = refundAmount(targets.get(of), movement);
      if ('refusal' in decided) {
        outcomes.push({ kind: 'refused', movement, refusal: decided.refusal });
        continue;
      }
      const target = targets.get(of)!;
      const refund = { ...movement, amount: decided.amount, source_ref_id: of };
      const planned = planRefund(book, refund, refundParts(target, decided.amount));
      targets.set(of, { ...target, refunded: target.refunded + decided.amount });
      outcomes.push({ kind: 'applied', movement: refund, entry: planned[0] });
      continue;
    }
    if (movement.void_grant) {
      const grant = book.grants.find(movement.void_grant, state.named?.get(movement.void_grant));
      const amount =
        grant && grant.user_id === movement.user_id ? book.grants.void(grant, state.now) : 0n;
      const voided = { ...movement, amount, source_ref_id: movement.void_grant };
      if (amount === 0n) {
        outcomes.push({ kind: 'unpriced', movement: voided });
        continue;
      }
      const entry = post(book, voided, [{ grant: grant!.event_id, amount }]);
      entries.push(entry);
      outcomes.push({ kind: 'applied', movement: voided, entry });
      continue;
    }
    if (movement.direction === 'expense' && movement.hold_id) {
      const hold = holds.get(movement.hold_id);
      if (hold?.status === 'captured' && hold.capture_event_id === movement.event_id) {
        // A free capture redelivered: it wrote no entry, so only the hold remembers it.
        outcomes.push({ kind: 'unpriced', movement });
        continue;
      }
      const refusal = holdRefusal(hold, movement);
      if (refusal) {
        outcomes.push({ kind: 'refused', movement, refusal });
        continue;
      }
      holds.set(movement.hold_id, {
        ...hold!,
        status: 'captured',
        capture_event_id: movement.event_id,
        captured_amount: movement.amount,
      });
      captures.push({
        hold_id: movement.hold_id,
        event_id: movement.event_id,
        amount: movement.amount,
      });
      book.account = { ...book.account, version: book.account.version + 1n };
      book.changed = true;
    }
    if (movement.amount === 0n) {
      outcomes.push({ kind: 'unpriced', movement });
      continue;
    }
    let allocations: Allocation[] | null = null;
    if (movement.direction === 'expense') {
      allocations = book.grants.draw(movement.amount, movement.draw_first ?? undefined).allocations;
      if (movement.source === ORDER_REFUND_SOURCE && movement.draw_first) {
        const taken = book.grants.find(movement.draw_first, state.named?.get(movement.draw_first));
        if (taken) book.grants.markRefunded(taken, state.now);
      }
    } else {
      const debt = book.account.balance < 0n ? -book.account.balance : 0n;
      book.grants.add(
        {
          event_id: movement.event_id,
          user_id: movement.user_id,
          source: movement.source,
          amount: movement.amount,
          expires_at: movement.expires_at ?? null,
          value_cent: movement.value?.cent ?? 0n,
          currency: movement.value?.currency ?? null,
          seq: nextSeq++,
        },
        debt,
      );
    }
    const entry = post(book, movement, allocations);
    entries.push(entry);
    outcomes.push({ kind: 'applied', movement, entry });
    if (refundsInBatch && entry.direction === 'expense') {
      targets.set(entry.event_id, { ...entry, refunded: 0n });
    }
  }

  const changedBooks = [...books.values()];
  const grants = changedBooks.flatMap((b) => b.grants.changed());
  const known = new Map<string, Grant>(state.named);
  for (const list of state.grants.values()) for (const g of list) known.set(g.event_id, g);
  const made = grants.filter((c) => c.isNew).map((c) => c.grant);
  return {
    entries,
    accounts: changedBooks.filter((b) => b.changed).map((b) => b.account),
    grants,
    captures,
    revenue: valueEntries(entries, known, made),
    outcomes,
  };
}

/** Whether credits given back to this grant are written off again at once, and as what. */
function goneFor(grant: Grant, now: Date): 'expire' | 'void' | undefined {
  if (grant.voided_at) return 'void';
  if (grant.expires_at !== null && grant.expires_at <= now) return 'expire';
  return undefined;
}

function expiryMovement(grant: Grant, amount: bigint): Movement {
  return {
    event_id: expiryEventId(grant.event_id),
    user_id: grant.user_id,
    source: EXPIRE_SOURCE,
    direction: 'expense',
    amount,
    description: `expiry of grant ${grant.event_id}`,
    source_ref_id: grant.event_id,
  };
}

function newEntry(
  movement: Movement,
  balanceBefore: bigint,
  allocations: Allocation[] | null,
): NewLedgerEntry {
  const amount = signedAmount(movement);
  return {
    event_id: movement.event_id,
    user_id: movement.user_id,
    source: movement.source,
    direction: movement.direction,
    amount,
    balance_before: balanceBefore,
    balance_after: balanceBefore + amount,
    status: 'applied',
    description: movement.description ?? null,
    metadata: movement.metadata ?? {},
    pricing: movement.pricing ?? null,
    source_ref_id: movement.source_ref_id ?? null,
    order_id: movement.order_id ?? null,
    hold_id: movement.hold_id ?? null,
    occurred_at: movement.occurred_at ?? null,
    allocations,
  };
}
