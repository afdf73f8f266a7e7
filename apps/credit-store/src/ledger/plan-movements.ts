import { ErrorCode, EXPIRE_SOURCE } from '@tally/contracts';
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

/** What an entry already recorded under an event_id says, for comparing with a repeat. */
export type RecordedEntry = Pick<
  LedgerEntry,
  'event_id' | 'user_id' | 'source' | 'direction' | 'amount'
>;

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
  now: Date;
}

export interface LedgerPlan<E extends RecordedEntry = RecordedEntry> {
  entries: NewLedgerEntry[];
  /** Accounts whose state changed, with their new state. */
  accounts: AccountBalance[];
  grants: GrantChange[];
  captures: HoldCapture[];
  /** One per movement, in order. */
  outcomes: MovementOutcome<E>[];
}

/** The event_id of the entry that writes off a grant's remainder: one per grant, ever. */
export function expiryEventId(grantEventId: string): string {
  return `tally:expire:${grantEventId}`;
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
    recorded.amount !== signedAmount(movement) &&
      `amount ${recorded.amount} ≠ ${signedAmount(movement)}`,
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
  let nextSeq = BigInt(Number.MAX_SAFE_INTEGER);

  const bookOf = (userId: string): Book => {
    let book = books.get(userId);
    if (!book) {
      book = {
        account: state.accounts.get(userId) ?? emptyAccount(userId),
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
    book.account = {
      ...account,
      balance: account.balance + amount,
      [total]: account[total] + movement.amount,
      version: account.version + 1n,
    };
    book.changed = true;
    seen.set(entry.event_id, entry);
    return entry;
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
      allocations = book.grants.draw(movement.amount).allocations;
    } else {
      const debt = book.account.balance < 0n ? -book.account.balance : 0n;
      book.grants.add(
        {
          event_id: movement.event_id,
          user_id: movement.user_id,
          source: movement.source,
          amount: movement.amount,
          expires_at: movement.expires_at ?? null,
          seq: nextSeq++,
        },
        debt,
      );
    }
    const entry = post(book, movement, allocations);
    entries.push(entry);
    outcomes.push({ kind: 'applied', movement, entry });
  }

  const changedBooks = [...books.values()];
  return {
    entries,
    accounts: changedBooks.filter((b) => b.changed).map((b) => b.account),
    grants: changedBooks.flatMap((b) => b.grants.changed()),
    captures,
    outcomes,
  };
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
