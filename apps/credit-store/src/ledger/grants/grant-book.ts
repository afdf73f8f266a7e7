import type { Allocation } from '../entries/ledger-entry';
import type { Grant, GrantChange } from './grant';

/** FIFO by expiry: sooner first, never-expiring last, then in creation order. */
export function compareFifo(a: Grant, b: Grant): number {
  const ta = a.expires_at?.getTime() ?? Infinity;
  const tb = b.expires_at?.getTime() ?? Infinity;
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0;
}

/**
 * One account's spendable grants during a plan (pure, in memory): draws charges FIFO by expiry,
 * adds incomes, finds what has expired, and remembers every grant it changed for the repository.
 * Its invariant is the ledger's: the grants' remaining sums to max(balance, 0).
 */
export class GrantBook {
  private readonly grants: Grant[];
  private readonly changes = new Map<string, GrantChange>();

  constructor(grants: readonly Grant[]) {
    this.grants = grants.filter((g) => g.remaining > 0n).map((g) => ({ ...g }));
    this.grants.sort(compareFifo);
  }

  /**
   * Takes up to `amount` from the grants, soonest-expiring first (or `first` before all others);
   * the rest is overdraft.
   */
  draw(amount: bigint, first?: string): { allocations: Allocation[]; overdraft: bigint } {
    const allocations: Allocation[] = [];
    let left = amount;
    const order = first
      ? [
          ...this.grants.filter((g) => g.event_id === first),
          ...this.grants.filter((g) => g.event_id !== first),
        ]
      : this.grants;
    for (const grant of order) {
      if (left === 0n) break;
      const take = grant.remaining < left ? grant.remaining : left;
      if (take === 0n) continue;
      grant.remaining -= take;
      left -= take;
      allocations.push({ grant: grant.event_id, amount: take });
      this.touch(grant, null);
    }
    this.dropEmpty();
    return { allocations, overdraft: left };
  }

  /** A new income's grant; the part covering `debt` (an overdraft) is not spendable. */
  add(grant: Omit<Grant, 'remaining' | 'debt_covered'>, debt: bigint): Grant {
    const covered = debt > 0n ? (debt < grant.amount ? debt : grant.amount) : 0n;
    const added: Grant = { ...grant, debt_covered: covered, remaining: grant.amount - covered };
    this.changes.set(added.event_id, { grant: added, isNew: true, expired_at: null });
    if (added.remaining > 0n) {
      this.grants.push(added);
      this.grants.sort(compareFifo);
    }
    return added;
  }

  /** Grants whose expiry has come and that still hold credits, soonest first. */
  due(now: Date): Grant[] {
    return this.grants.filter((g) => g.expires_at !== null && g.expires_at <= now);
  }

  /** Writes a grant's remainder off; returns how much that was. */
  expire(grant: Grant, now: Date): bigint {
    const amount = grant.remaining;
    grant.remaining = 0n;
    this.touch(grant, now);
    this.dropEmpty();
    return amount;
  }

  /** The grant as this plan knows it (spendable or changed), else `loaded` as read. */
  find(eventId: string, loaded?: Grant): Grant | undefined {
    return (
      this.changes.get(eventId)?.grant ??
      this.grants.find((g) => g.event_id === eventId) ??
      (loaded && { ...loaded })
    );
  }

  /** Gives `amount` back to a grant that is neither expired nor voided (a refund). */
  restore(grant: Grant, amount: bigint): void {
    grant.remaining += amount;
    this.touch(grant, null);
    if (!this.grants.includes(grant)) {
      this.grants.push(grant);
      this.grants.sort(compareFifo);
    }
  }

  /** Writes off what remains of a grant for good (an admin's void); returns how much that was. */
  void(grant: Grant, now: Date): bigint {
    const amount = grant.remaining;
    grant.remaining = 0n;
    grant.voided_at ??= now;
    this.touch(grant, null);
    this.changes.get(grant.event_id)!.voided_at = grant.voided_at;
    this.dropEmpty();
    return amount;
  }

  /** Marks a grant as taken back by its order's refund (what it held was drawn by it first). */
  markRefunded(grant: Grant, now: Date): void {
    grant.refunded_at ??= now;
    this.touch(grant, null);
    this.changes.get(grant.event_id)!.refunded_at = grant.refunded_at;
  }

  spendable(): bigint {
    return this.grants.reduce((sum, g) => sum + g.remaining, 0n);
  }

  changed(): GrantChange[] {
    return [...this.changes.values()];
  }

  private touch(grant: Grant, expiredAt: Date | null): void {
    const change = this.changes.get(grant.event_id);
    if (change) {
      change.expired_at ??= expiredAt;
      return;
    }
    this.changes.set(grant.event_id, { grant, isNew: false, expired_at: expiredAt });
  }

  private dropEmpty(): void {
    for (let i = this.grants.length - 1; i >= 0; i--) {
      if (this.grants[i].remaining === 0n) this.grants.splice(i, 1);
    }
  }
}
