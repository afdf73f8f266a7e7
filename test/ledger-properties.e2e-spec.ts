import fc from 'fast-check';
import { ErrorCode } from '@tally/contracts';
import { DomainError } from '@tally/platform';
import type { DataSource } from 'typeorm';
import { ReconciliationService } from '../apps/credit-store/src/finance/reconciliation.service';
import { GrantsService } from '../apps/credit-store/src/grants/grants.service';
import { HoldsService } from '../apps/credit-store/src/holds/holds.service';
import { ExpiryJobsService } from '../apps/credit-store/src/jobs/expiry-jobs.service';
import { LedgerService } from '../apps/credit-store/src/ledger/ledger.service';
import { OrdersService } from '../apps/credit-store/src/orders/orders.service';
import { ProductsService } from '../apps/credit-store/src/products/products.service';
import { GrantVoidsService } from '../apps/credit-store/src/grants/grant-voids.service';
import { RefundsService } from '../apps/credit-store/src/refunds/refunds.service';
import { RunningApp, startCreditStore } from './support/apps';
import { connect, rows } from './support/db';
import { unique } from './support/wait';

/**
 * Random sequences of everything that moves credits, run against the real database through the
 * credit-store's own services; after every step the reconciliation (the code behind
 * GET /finance/reconciliation) must find nothing, and balances and holds must match a simple
 * model of the rules written independently here.
 */

type Op =
  | { kind: 'grant'; user: number; amount: number; days: number | null }
  | { kind: 'charge'; user: number; amount: number; hold: number | null }
  | { kind: 'repeat'; pick: number; conflicting: boolean }
  | { kind: 'authorize'; user: number; amount: number }
  | { kind: 'void'; pick: number }
  | { kind: 'timePasses'; days: number }
  | { kind: 'holdsTimeOut' }
  | { kind: 'expireGrants' }
  | { kind: 'expireHolds' }
  | { kind: 'orderPaidTwice'; user: number; quantity: number }
  | { kind: 'refund'; pick: number; amount: number | null }
  | { kind: 'orderRefund'; pick: number }
  | { kind: 'voidGrant'; pick: number };

const user = fc.integer({ min: 0, max: 1 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('grant' as const),
      user,
      amount: fc.integer({ min: 1, max: 100 }),
      days: fc.option(fc.integer({ min: 1, max: 3 })),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('charge' as const),
      user,
      amount: fc.integer({ min: 1, max: 80 }),
      hold: fc.option(fc.nat(20)),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('repeat' as const),
      pick: fc.nat(50),
      conflicting: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('authorize' as const),
      user,
      amount: fc.integer({ min: 1, max: 60 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('void' as const), pick: fc.nat(20) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('timePasses' as const),
      days: fc.integer({ min: 1, max: 3 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('holdsTimeOut' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('expireGrants' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('expireHolds' as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('orderPaidTwice' as const),
      user,
      quantity: fc.integer({ min: 1, max: 3 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('refund' as const),
      pick: fc.nat(30),
      amount: fc.option(fc.integer({ min: 1, max: 50 })),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('orderRefund' as const), pick: fc.nat(5) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('voidGrant' as const), pick: fc.nat(30) }),
  },
);

/**
 * Sequences the generator rarely draws as such, always run first. A charge drawn from an order's
 * grant, the order refunded, then the charge refunded (its credits must not go back onto the
 * refunded order's grant), then more charges and expiry; and a charge into overdraft paid back by
 * a purchase and a short-lived gift, then refunded in two parts and time passing.
 */
const REFUND_AFTER_ORDER_REFUND: Op[] = [
  { kind: 'orderPaidTwice', user: 0, quantity: 2 },
  { kind: 'grant', user: 0, amount: 40, days: null },
  { kind: 'charge', user: 0, amount: 30, hold: null },
  { kind: 'orderRefund', pick: 0 },
  { kind: 'refund', pick: 0, amount: 10 },
  { kind: 'refund', pick: 0, amount: null },
  { kind: 'charge', user: 0, amount: 5, hold: null },
  { kind: 'timePasses', days: 3 },
  { kind: 'expireGrants' },
  { kind: 'voidGrant', pick: 0 },
];
const OVERDRAFT_REFUNDED_AFTER_PAID: Op[] = [
  { kind: 'charge', user: 1, amount: 30, hold: null },
  { kind: 'orderPaidTwice', user: 1, quantity: 1 },
  { kind: 'grant', user: 1, amount: 20, days: 1 },
  { kind: 'refund', pick: 0, amount: 10 },
  { kind: 'refund', pick: 0, amount: null },
  { kind: 'orderRefund', pick: 0 },
  { kind: 'timePasses', days: 1 },
  { kind: 'expireGrants' },
  { kind: 'charge', user: 1, amount: 70, hold: null },
];

interface ModelGrant {
  id: string;
  days: number | null;
  seq: number;
  remaining: number;
  due: boolean;
  /** What the first void wrote off (a void answers the same ever after). */
  voided: number | null;
  /** Its order was refunded: credits refunded to it later come back as the refund's own. */
  refunded: boolean;
}
interface ModelAllocation {
  grant: ModelGrant;
  amount: number;
}
interface ModelCharge {
  id: string;
  user: string;
  amount: number;
  allocations: ModelAllocation[];
  refunded: number;
}
interface ModelOrder {
  id: string;
  user: string;
  credits: number;
  refunded: boolean;
}
interface ModelHold {
  id: string;
  user: string;
  amount: number;
  status: 'open' | 'captured' | 'voided' | 'expired';
  timedOut: boolean;
}
interface ModelMovement {
  event_id: string;
  user: string;
  direction: 'income' | 'expense';
  amount: number;
  hold: string | null;
}

/** The rules of SPEC §1 as plainly as they can be said, to compare the ledger with. */
class Model {
  balances = new Map<string, number>();
  grants = new Map<string, ModelGrant[]>();
  holds: ModelHold[] = [];
  history: ModelMovement[] = [];
  charges: ModelCharge[] = [];
  orders: ModelOrder[] = [];
  private seq = 0;

  balance(u: string) {
    return this.balances.get(u) ?? 0;
  }
  held(u: string) {
    return this.holds
      .filter((h) => h.user === u && h.status === 'open' && !h.timedOut)
      .reduce((s, h) => s + h.amount, 0);
  }

  /** What the ledger does first whenever it locks an account: write off what is due. */
  expireDue(u: string) {
    for (const g of this.grants.get(u) ?? []) {
      if (g.due && g.remaining > 0) {
        this.balances.set(u, this.balance(u) - g.remaining);
        g.remaining = 0;
      }
    }
  }
  income(u: string, id: string, amount: number, days: number | null) {
    this.expireDue(u);
    const debt = Math.max(-this.balance(u), 0);
    const covered = Math.min(debt, amount);
    this.addGrant(u, id, amount - covered, days);
    this.balances.set(u, this.balance(u) + amount);
  }
  private addGrant(u: string, id: string, remaining: number, days: number | null) {
    const list = this.grants.get(u) ?? [];
    list.push({ id, days, seq: this.seq++, remaining, due: false, voided: null, refunded: false });
    this.grants.set(u, list);
  }
  /** Draws FIFO by expiry (or `first` before all); answers what came from which grant. */
  expense(u: string, amount: number, first?: string): ModelAllocation[] {
    this.expireDue(u);
    const fifo = [...(this.grants.get(u) ?? [])].sort(
      (a, b) =>
        Number(b.id === first) - Number(a.id === first) ||
        (a.due === b.due ? 0 : a.due ? -1 : 1) ||
        (a.days ?? Infinity) - (b.days ?? Infinity) ||
        a.seq - b.seq,
    );
    let left = amount;
    const allocations: ModelAllocation[] = [];
    for (const g of fifo) {
      const take = Math.min(g.remaining, left);
      if (take > 0) allocations.push({ grant: g, amount: take });
      g.remaining -= take;
      left -= take;
    }
    this.balances.set(u, this.balance(u) - amount);
    return allocations;
  }
  /**
   * A refund, latest drawn first: the overdraft part, then the grants in reverse. A part whose
   * grant is expired or voided comes back and goes again; the rest pays the debt first, then
   * goes back to its grant (the overdraft part, and a part whose grant's order was refunded, to a
   * new grant of the refund, 180 days).
   */
  refund(c: ModelCharge, id: string, amount: number) {
    const u = c.user;
    this.expireDue(u);
    const drawn = c.allocations.reduce((s, a) => s + a.amount, 0);
    const parts: { grant: ModelGrant | null; amount: number }[] = [
      { grant: null, amount: c.amount - drawn },
      ...[...c.allocations].reverse(),
    ];
    let skip = c.refunded;
    let left = amount;
    let debt = Math.max(-this.balance(u), 0);
    let unowned = 0;
    let gone = 0;
    for (const part of parts) {
      const skipped = Math.min(part.amount, skip);
      skip -= skipped;
      const take = Math.min(part.amount - skipped, left);
      left -= take;
      if (take === 0) continue;
      const grant = part.grant?.refunded ? null : part.grant;
      if (grant && (grant.due || grant.voided !== null)) {
        gone += take;
        continue;
      }
      const paid = Math.min(debt, take);
      debt -= paid;
      if (grant) grant.remaining += take - paid;
      else unowned += take - paid;
    }
    if (unowned > 0) this.addGrant(u, id, unowned, 180);
    c.refunded += amount;
    this.balances.set(u, this.balance(u) + amount - gone);
  }
  voidGrant(u: string, g: ModelGrant): number {
    this.expireDue(u);
    if (g.voided === null) {
      g.voided = g.remaining;
      this.balances.set(u, this.balance(u) - g.remaining);
      g.remaining = 0;
    }
    return g.voided;
  }
}

describe('ledger properties: random sequences keep every invariant', () => {
  let store: RunningApp;
  let db: DataSource;
  let steps = 0;
  let refundSteps = 0;

  beforeAll(async () => {
    store = await startCreditStore({ JOB_INTERVAL_SECONDS: '0' });
    db = await connect(process.env.CREDIT_STORE_DATABASE_URL);
  });
  afterAll(async () => {
    process.stdout.write(
      `ledger properties: ${steps} steps checked against the real database (${refundSteps} refunds, order refunds and voids applied)\n`,
    );
    await db?.destroy();
    await store?.close();
  });

  // ~1,100 steps on the real database: about 12 s alone, several times that on 2 shared cores.
  it('holds balance == model, reconciliation clean and holds within balance after every step', async () => {
    const ledger = store.app.get(LedgerService);
    const grants = store.app.get(GrantsService);
    const holds = store.app.get(HoldsService);
    const jobs = store.app.get(ExpiryJobsService);
    const reconciliation = store.app.get(ReconciliationService);
    const orders = store.app.get(OrdersService);
    const refunds = store.app.get(RefundsService);
    const voids = store.app.get(GrantVoidsService);
    const product = await store.app.get(ProductsService).create({
      sku: unique('prop-sku'),
      name: 'property pack',
      credit_amount: 25,
      price_cent: 100,
      currency: 'EUR',
    });

    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 50 }), async (ops) => {
        const users = [unique('prop'), unique('prop')];
        const model = new Model();

        const charge = async (m: ModelMovement) => {
          const [outcome] = await ledger.applyMovements([
            {
              event_id: m.event_id,
              user_id: m.user,
              source: 'chat',
              direction: 'expense',
              amount: BigInt(m.amount),
              hold_id: m.hold,
            },
          ]);
          return outcome.kind;
        };

        for (const op of ops) {
          steps++;
          switch (op.kind) {
            case 'grant': {
              const u = users[op.user];
              const id = unique('g');
              const expires_at =
                op.days === null ? null : new Date(Date.now() + op.days * 86_400_000).toISOString();
              await grants.grant(u, {
                event_id: id,
                amount: op.amount,
                source: 'gift',
                expires_at,
              });
              model.income(u, id, op.amount, op.days);
              model.history.push({
                event_id: id,
                user: u,
                direction: 'income',
                amount: op.amount,
                hold: null,
              });
              break;
            }
            case 'charge': {
              const u = users[op.user];
              const mine = model.holds.filter((h) => h.user === u);
              const hold =
                op.hold === null || mine.length === 0 ? null : mine[op.hold % mine.length];
              const m: ModelMovement = {
                event_id: unique('c'),
                user: u,
                direction: 'expense',
                amount: op.amount,
                hold: hold?.id ?? null,
              };
              const kind = await charge(m);
              const capturable = !hold || hold.status === 'open' || hold.status === 'expired';
              expect(kind).toBe(capturable ? 'applied' : 'refused');
              if (capturable) {
                const allocations = model.expense(u, op.amount);
                model.charges.push({
                  id: m.event_id,
                  user: u,
                  amount: op.amount,
                  allocations,
                  refunded: 0,
                });
                if (hold) hold.status = 'captured';
                model.history.push(m);
              } else {
                model.expireDue(u);
              }
              break;
            }
            case 'repeat': {
              if (model.history.length === 0) break;
              const m = model.history[op.pick % model.history.length];
              const amount = op.conflicting ? m.amount + 1 : m.amount;
              if (m.direction === 'income') {
                const retry = grants.grant(m.user, {
                  event_id: m.event_id,
                  amount,
                  source: 'gift',
                });
                if (op.conflicting)
                  await expect(retry).rejects.toMatchObject({ code: ErrorCode.EventIdConflict });
                else await retry;
              } else {
                expect(await charge({ ...m, amount })).toBe(
                  op.conflicting ? 'conflict' : 'duplicate',
                );
              }
              model.expireDue(m.user);
              break;
            }
            case 'authorize': {
              const u = users[op.user];
              model.expireDue(u);
              const fits = model.balance(u) - model.held(u) >= op.amount;
              try {
                const h = await holds.authorize({ user_id: u, amount: op.amount });
                expect(fits).toBe(true);
                model.holds.push({
                  id: h.hold_id,
                  user: u,
                  amount: op.amount,
                  status: 'open',
                  timedOut: false,
                });
              } catch (error) {
                expect(fits).toBe(false);
                expect((error as DomainError).code).toBe(ErrorCode.InsufficientCredits);
              }
              break;
            }
            case 'void': {
              if (model.holds.length === 0) break;
              const h = model.holds[op.pick % model.holds.length];
              const result = holds.void(h.id);
              if (h.status === 'captured') {
                await expect(result).rejects.toMatchObject({ code: ErrorCode.HoldNotOpen });
              } else {
                const voided = await result;
                if (h.status === 'open') h.status = h.timedOut ? 'expired' : 'voided';
                expect(voided.status).toBe(h.status);
              }
              break;
            }
            case 'timePasses': {
              await db.query(
                `UPDATE grants SET expires_at = now() - interval '1 second'
                  WHERE user_id = ANY($1) AND expires_at < now() + $2 * interval '1 day'`,
                [users, op.days],
              );
              for (const list of model.grants.values())
                for (const g of list) if (g.days !== null && g.days <= op.days) g.due = true;
              break;
            }
            case 'holdsTimeOut': {
              await db.query(
                `UPDATE holds SET expires_at = now() - interval '1 second' WHERE user_id = ANY($1) AND status = 'open'`,
                [users],
              );
              for (const h of model.holds) if (h.status === 'open') h.timedOut = true;
              break;
            }
            case 'expireGrants': {
              await jobs.expireGrants();
              for (const u of users) model.expireDue(u);
              break;
            }
            case 'expireHolds': {
              await jobs.expireHolds();
              for (const h of model.holds)
                if (h.status === 'open' && h.timedOut) h.status = 'expired';
              break;
            }
            case 'orderPaidTwice': {
              const u = users[op.user];
              const { order_id } = await orders.create({
                user_id: u,
                product_id: product.id,
                quantity: op.quantity,
              });
              const [first, second] = await Promise.all([
                orders.markPaid(order_id, 'a'),
                orders.markPaid(order_id, 'b'),
              ]);
              expect([first.status, second.status]).toEqual(['credited', 'credited']);
              // Purchases never expire by default (GRANT_TTL_DAYS_BY_SOURCE=purchase=never).
              model.income(u, order_id, 25 * op.quantity, null);
              model.orders.push({
                id: order_id,
                user: u,
                credits: 25 * op.quantity,
                refunded: false,
              });
              break;
            }
            case 'refund': {
              if (model.charges.length === 0) break;
              const c = model.charges[op.pick % model.charges.length];
              const left = c.amount - c.refunded;
              const amount = op.amount ?? left;
              const id = unique('refund');
              const result = refunds.refund(c.user, {
                event_id: id,
                refund_of: c.id,
                amount: op.amount ?? undefined,
              });
              if (amount < 1 || amount > left) {
                await expect(result).rejects.toMatchObject({ code: ErrorCode.RefundExceedsCharge });
                model.expireDue(c.user);
              } else {
                expect((await result).amount).toBe(amount);
                model.refund(c, id, amount);
                refundSteps++;
              }
              break;
            }
            case 'orderRefund': {
              if (model.orders.length === 0) break;
              const o = model.orders[op.pick % model.orders.length];
              expect((await orders.refund(o.id, null, null)).status).toBe('refunded');
              // Refunding a refunded order again changes nothing (not even due grants' write-off).
              if (!o.refunded) {
                model.expense(o.user, o.credits, o.id);
                model.grants.get(o.user)!.find((g) => g.id === o.id)!.refunded = true;
              }
              o.refunded = true;
              refundSteps++;
              break;
            }
            case 'voidGrant': {
              const all = users.flatMap((u) => (model.grants.get(u) ?? []).map((g) => ({ u, g })));
              const picked = all[op.pick % Math.max(all.length, 1)];
              if (!picked) break;
              const ledgerId = model.orders.some((o) => o.id === picked.g.id)
                ? `tally:order:${picked.g.id}`
                : picked.g.id;
              const expected = model.voidGrant(picked.u, picked.g);
              expect((await voids.void(ledgerId, {})).voided).toBe(expected);
              refundSteps++;
              break;
            }
          }

          const report = await reconciliation.reconcile(users);
          expect(report.mismatches).toEqual([]);
          const accounts = await rows<{ user_id: string; balance: string }>(
            db,
            `SELECT user_id, balance FROM accounts WHERE user_id = ANY($1)`,
            [users],
          );
          for (const a of accounts) expect(Number(a.balance)).toBe(model.balance(a.user_id));
          const statuses = await rows<{ hold_id: string; status: string }>(
            db,
            `SELECT hold_id, status FROM holds WHERE user_id = ANY($1)`,
            [users],
          );
          for (const s of statuses)
            expect(s.status).toBe(model.holds.find((h) => h.id === s.hold_id)!.status);
        }
      }),
      {
        numRuns: Number(process.env.LEDGER_PROPERTY_RUNS ?? 100),
        examples: [[REFUND_AFTER_ORDER_REFUND], [OVERDRAFT_REFUNDED_AFTER_PAID]],
        ...(process.env.LEDGER_PROPERTY_SEED
          ? {
              seed: Number(process.env.LEDGER_PROPERTY_SEED),
              path: process.env.LEDGER_PROPERTY_PATH,
            }
          : {}),
      },
    );
  }, 600_000);
});
