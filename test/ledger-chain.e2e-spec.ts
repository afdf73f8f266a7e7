import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { loadConfig } from '@tally/platform';
import { CreditStoreConfig } from '../apps/credit-store/src/config/credit-store.config';
import { creditStoreDataSourceOptions } from '../apps/credit-store/src/database/credit-store-data-source';
import { CREDIT_STORE_MIGRATIONS } from '../apps/credit-store/src/database/migrations';
import { AddLedgerHashChain1765000100000 } from '../apps/credit-store/src/database/migrations/1765000100000-add-ledger-hash-chain';
import { ChainVerificationService } from '../apps/credit-store/src/finance/chain-verification.service';
import { AuditChainRepository } from '../apps/credit-store/src/audit/audit-chain.repository';
import { EntryChainRepository } from '../apps/credit-store/src/ledger/entries/entry-chain.repository';
import { LedgerRepository } from '../apps/credit-store/src/ledger/entries/ledger.repository';
import { entryHash, GENESIS_HASH } from '../apps/credit-store/src/ledger/entries/entry-hash';
import { useCreditStore } from './support/apps';
import { chargeEvent, produceCharges } from './support/charge-events';
import { rows, scalar } from './support/db';
import { call } from './support/http';
import { giftGrant } from './support/ledger-calls';
import { TEST_POSTGRES_SERVER } from './support/test-env';
import { eventually, unique } from './support/wait';

interface Verification {
  ok: boolean;
  accounts_checked: number;
  entries_checked: number;
  audit_checked: number;
  first_break: { user_id: string; entry_id: string | null; event_id: string | null } | null;
  first_audit_break: { record_id: string } | null;
}

describe('the ledger hash chain: GET /finance/verify', () => {
  const app = useCreditStore();

  const verify = async (user?: string) => {
    const answer = await call<Verification>(
      'GET',
      `${app.store.url}/finance/verify${user ? `?user_id=${user}` : ''}`,
    );
    expect(answer.status).toBe(200);
    return answer.body;
  };
  const entriesOf = (user: string) =>
    scalar(app.db, `SELECT count(*) FROM ledger_entries WHERE user_id = $1`, [user]);
  const applied = (eventIds: string[]) =>
    eventually(async () =>
      expect(
        await scalar(app.db, `SELECT count(*) FROM ledger_entries WHERE event_id = ANY($1)`, [
          eventIds,
        ]),
      ).toBe(eventIds.length),
    );
  const charge = async (user: string, amount: number, overrides: Record<string, unknown> = {}) => {
    const event = chargeEvent(user, amount, unique('evt'), overrides);
    await produceCharges(event);
    await applied([event.event_id]);
    return event.event_id;
  };

  /** As the database superuser: the trigger off, one statement, the trigger on again. */
  const asSuperuser = (sql: string, params: unknown[]) =>
    app.db.transaction(async (tx) => {
      await tx.query(`ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_append_only`);
      await tx.query(sql, params);
      await tx.query(`ALTER TABLE ledger_entries ENABLE TRIGGER ledger_entries_append_only`);
    });

  it('refuses to edit an entry while the trigger is on', async () => {
    const user = unique('user');
    await giftGrant(app.store.url, user, 10);
    await expect(
      app.db.query(`UPDATE ledger_entries SET amount = 11 WHERE user_id = $1`, [user]),
    ).rejects.toThrow(/append-only/);
  });

  it('catches an amount edited with the trigger off, at that entry; put back, it is ok again', async () => {
    const user = unique('user');
    await giftGrant(app.store.url, user, 100);
    const charges = [await charge(user, 10), await charge(user, 20), await charge(user, 30)];
    expect(await verify(user)).toEqual({
      ok: true,
      accounts_checked: 1,
      entries_checked: 4,
      audit_checked: 0,
      first_break: null,
      first_audit_break: null,
    });

    const [edited] = await rows<{ id: string; amount: string; balance_after: string }>(
      app.db,
      `SELECT id::text, amount::text, balance_after::text FROM ledger_entries WHERE event_id = $1`,
      [charges[1]],
    );
    // amount and balance_after together: the arithmetic CHECK still holds, only the chain can tell.
    await asSuperuser(
      `UPDATE ledger_entries SET amount = amount + 15, balance_after = balance_after + 15
        WHERE id = $1`,
      [edited.id],
    );
    const tampered = { user_id: user, entry_id: edited.id, event_id: charges[1] };
    expect(await verify(user)).toMatchObject({ ok: false, first_break: tampered });
    expect((await verify()).first_break).toEqual(tampered);
    const reconciliation = await call<{
      ok: boolean;
      chain: Verification;
      mismatches: { check: string; ref: string }[];
    }>('GET', `${app.store.url}/finance/reconciliation`);
    expect(reconciliation.body.ok).toBe(false);
    expect(reconciliation.body.chain.first_break).toEqual(tampered);
    expect(reconciliation.body.mismatches).toContainEqual(
      expect.objectContaining({ check: 'hash_chain', ref: charges[1] }),
    );

    await asSuperuser(`UPDATE ledger_entries SET amount = $2, balance_after = $3 WHERE id = $1`, [
      edited.id,
      edited.amount,
      edited.balance_after,
    ]);
    expect(await verify(user)).toMatchObject({ ok: true, entries_checked: 4 });
    expect(await verify()).toMatchObject({ ok: true, first_break: null });
  });

  it('chains audit records in one chain (concurrent writers too), and catches one edited with the trigger off', async () => {
    const user = unique('user');
    await Promise.all(Array.from({ length: 20 }, () => giftGrant(app.store.url, user, 5)));
    const before = await verify();
    expect(before).toMatchObject({ ok: true, first_break: null, first_audit_break: null });
    expect(before.audit_checked).toBeGreaterThanOrEqual(20);

    const [record] = await rows<{ id: string; action: string; after: string }>(
      app.db,
      `SELECT id, action, after::text FROM audit_records WHERE target_id = $1
        ORDER BY chain_seq LIMIT 1 OFFSET 5`,
      [user],
    );
    const asSuperuserOnAudit = (sql: string, params: unknown[]) =>
      app.db.transaction(async (tx) => {
        await tx.query(`ALTER TABLE audit_records DISABLE TRIGGER audit_records_append_only`);
        await tx.query(sql, params);
        await tx.query(`ALTER TABLE audit_records ENABLE TRIGGER audit_records_append_only`);
      });
    await asSuperuserOnAudit(
      `UPDATE audit_records SET action = 'grant.void', after = '{"amount": 1}' WHERE id = $1`,
      [record.id],
    );
    const broken = await verify();
    expect(broken).toMatchObject({
      ok: false,
      first_break: null,
      first_audit_break: { record_id: record.id },
    });
    const reconciliation = await call<{
      ok: boolean;
      mismatches: { check: string; ref: string }[];
    }>('GET', `${app.store.url}/finance/reconciliation`);
    expect(reconciliation.body.ok).toBe(false);
    expect(reconciliation.body.mismatches).toContainEqual(
      expect.objectContaining({ check: 'audit_chain', ref: record.id }),
    );

    await asSuperuserOnAudit(
      `UPDATE audit_records SET action = $2, after = $3::jsonb WHERE id = $1`,
      [record.id, record.action, record.after],
    );
    expect(await verify()).toMatchObject({ ok: true, first_audit_break: null });
  });

  it('catches a deleted newest entry (the account row keeps the head)', async () => {
    const user = unique('user');
    await giftGrant(app.store.url, user, 100);
    const last = await charge(user, 10);
    const kept = `kept_${process.pid}_${Date.now()}`;
    await app.db.query(`CREATE TABLE ${kept} AS SELECT * FROM ledger_entries WHERE event_id = $1`, [
      last,
    ]);
    await asSuperuser(`DELETE FROM ledger_entries WHERE event_id = $1`, [last]);
    const broken = await verify(user);
    expect(broken.ok).toBe(false);
    expect(broken.first_break).toMatchObject({ user_id: user });
    // Put back as it was, and the chain is whole again.
    await app.db.query(`INSERT INTO ledger_entries SELECT * FROM ${kept}`);
    await app.db.query(`DROP TABLE ${kept}`);
    expect(await verify(user)).toMatchObject({ ok: true, entries_checked: 2 });
  });

  it('keeps every chain valid under concurrent charges on one account and on many', async () => {
    const hot = unique('hot');
    const many = Array.from({ length: 40 }, () => unique('many'));
    await giftGrant(app.store.url, hot, 1000);
    const events = [
      ...Array.from({ length: 300 }, () => chargeEvent(hot, 1)),
      ...many.flatMap((user) => Array.from({ length: 8 }, () => chargeEvent(user, 2))),
    ];
    // Charges through the consumer's batches while grants come in over HTTP on the same accounts.
    await Promise.all([
      produceCharges(...events.slice(0, 320)),
      produceCharges(...events.slice(320)),
      ...Array.from({ length: 10 }, () => giftGrant(app.store.url, hot, 5)),
      ...many.slice(0, 10).map((user) => giftGrant(app.store.url, user, 5)),
    ]);
    await applied(events.map((e) => e.event_id));

    expect(await verify(hot)).toMatchObject({ ok: true, entries_checked: 311 });
    expect(await entriesOf(hot)).toBe(311);
    const all = await verify();
    expect(all).toMatchObject({ ok: true, first_break: null });
    expect(all.accounts_checked).toBe(await scalar(app.db, `SELECT count(*) FROM accounts`));
    expect(all.entries_checked).toBe(await scalar(app.db, `SELECT count(*) FROM ledger_entries`));
  });

  it('chains what every other writer writes: holds, refunds, expiry, voids, orders', async () => {
    const user = unique('user');
    const expiring = await giftGrant(app.store.url, user, 50, '2099-01-01T00:00:00Z');
    const voided = await giftGrant(app.store.url, user, 40);
    // A hold, captured by a charge; another voided; one expired by its job.
    const hold = await call<{ hold_id: string }>('POST', `${app.store.url}/holds`, {
      as: 'internal',
      body: { user_id: user, amount: 20, ttl_seconds: 600 },
    });
    expect(hold.status).toBe(201);
    const captured = await charge(user, 15, { hold_id: hold.body.hold_id });
    const other = await call<{ hold_id: string }>('POST', `${app.store.url}/holds`, {
      as: 'internal',
      body: { user_id: user, amount: 5, ttl_seconds: 600 },
    });
    await call('POST', `${app.store.url}/holds/${other.body.hold_id}/void`, { as: 'internal' });
    // A refund of part of the charge, then the rest.
    for (const amount of [5, undefined]) {
      const refund = await call('POST', `${app.store.url}/accounts/${user}/refunds`, {
        body: { event_id: unique('r'), refund_of: captured, amount },
      });
      expect(refund.status).toBe(201);
    }
    // The expiry job writes a grant off; a void writes off what remains of another.
    await app.db.query(
      `UPDATE grants SET expires_at = now() - interval '1 second' WHERE event_id = $1`,
      [expiring],
    );
    expect(
      (await call<{ expired: number }>('POST', `${app.store.url}/admin/jobs/expire-grants`)).body
        .expired,
    ).toBeGreaterThanOrEqual(1);
    expect(
      (await call('POST', `${app.store.url}/grants/${voided}/void`, { body: {} })).status,
    ).toBe(200);
    // An order paid, then refunded (its own entries).
    const product = await call<{ id: number }>('POST', `${app.store.url}/admin/products`, {
      body: {
        sku: unique('sku'),
        name: 'Pack',
        credit_amount: 30,
        price_cent: 100,
        currency: 'USD',
      },
    });
    const order = await call<{ order_id: string }>('POST', `${app.store.url}/orders`, {
      body: { user_id: user, product_id: product.body.id, quantity: 1 },
    });
    await call('POST', `${app.store.url}/orders/${order.body.order_id}/paid`, { body: {} });
    expect(
      (await call('POST', `${app.store.url}/orders/${order.body.order_id}/refund`, { body: {} }))
        .status,
    ).toBe(200);

    const sources = await rows<{ source: string }>(
      app.db,
      `SELECT DISTINCT source FROM ledger_entries WHERE user_id = $1`,
      [user],
    );
    expect(sources.map((s) => s.source).sort()).toEqual(
      ['expire', 'gift', 'order_refund', 'purchase', 'refund', 'video', 'void'].sort(),
    );
    expect(await verify(user)).toMatchObject({
      ok: true,
      accounts_checked: 1,
      entries_checked: await entriesOf(user),
    });
  });

  it('reserves entry ids as the sequence gives them: one run, or the list when they are not one', async () => {
    const ledger = new LedgerRepository();
    const run = await app.db.transaction((tx) => ledger.reserveIds(tx, 3));
    const first = BigInt(run.ids[0]);
    expect(run.ids).toEqual([first, first + 1n, first + 2n].map(String));
    // A sequence stepping by 3 stands for other sessions taking ids between ours.
    await app.db.query(`ALTER SEQUENCE ledger_entries_id_seq INCREMENT BY 3`);
    try {
      const spread = await app.db.transaction((tx) => ledger.reserveIds(tx, 3));
      const next = first + 2n + 3n;
      expect(spread.ids).toEqual([next, next + 3n, next + 6n].map(String));
    } finally {
      await app.db.query(`ALTER SEQUENCE ledger_entries_id_seq INCREMENT BY 1`);
    }
  });

  it('rejects a malformed user_id with a 400 naming it', async () => {
    const answer = await call<{ message: string[] }>(
      'GET',
      `${app.store.url}/finance/verify?user_id=${encodeURIComponent('no spaces')}`,
    );
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).toContain('user_id');
  });
});

describe('entries written before the chain existed', () => {
  const database = `tally_test_chain_${process.pid}_${Date.now().toString(36)}`;
  const admin = new Client({ connectionString: `${TEST_POSTGRES_SERVER}/postgres` });
  let db: DataSource;

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
  });
  afterAll(async () => {
    await db?.destroy();
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin.end();
  });

  it('are hashed by the migration, each account from its first entry in id order', async () => {
    const before = CREDIT_STORE_MIGRATIONS.indexOf(AddLedgerHashChain1765000100000);
    const options = {
      ...creditStoreDataSourceOptions(loadConfig(CreditStoreConfig)),
      url: `${TEST_POSTGRES_SERVER}/${database}`,
    };
    db = await new DataSource({
      ...options,
      migrations: CREDIT_STORE_MIGRATIONS.slice(0, before),
    }).initialize();
    await db.runMigrations({ transaction: 'each' });
    // Two accounts' histories as the ledger wrote them then (interleaved ids, allocations).
    await db.query(`INSERT INTO accounts (user_id, balance) VALUES ('a', 7), ('b', 10)`);
    // Ids 9 and 10 of account a: in id order, not in the order of their text.
    await db.query(
      `INSERT INTO ledger_entries (id, event_id, user_id, source, direction, amount,
                                   balance_before, balance_after, status, allocations)
       VALUES (9, 'a1', 'a', 'gift', 'income', 10, 0, 10, 'applied', NULL),
              (2, 'b1', 'b', 'gift', 'income', 10, 0, 10, 'applied', NULL),
              (10, 'a2', 'a', 'chat', 'expense', -3, 10, 7, 'applied',
               '[{"grant": "a1", "amount": "3"}]')`,
    );
    // And two audit records of then, chained by the audit chain's migration in (at, id) order.
    await db.query(
      `INSERT INTO audit_records (id, at, app, actor_id, actor_name, actor_role, action,
                                  target_type, target_id, outcome, status, before, after)
       VALUES ('r2', '2026-01-02', 'credit-store', 'p', 'p', 'admin', 'grant.create', 'account',
               'a', 'ok', 201, NULL, '{"amount": 10}'),
              ('r1', '2026-01-01', 'ai-gateway', 'p', 'p', 'admin', 'api_key.create', 'account',
               'b', 'ok', 201, NULL, NULL)`,
    );
    await db.destroy();

    db = await new DataSource({ ...options, migrations: CREDIT_STORE_MIGRATIONS }).initialize();
    await db.runMigrations({ transaction: 'each' });
    const verification = await new ChainVerificationService(
      db,
      new EntryChainRepository(),
      new AuditChainRepository(),
    ).verify();
    expect(verification).toEqual({
      ok: true,
      accounts_checked: 2,
      entries_checked: 3,
      audit_checked: 2,
      first_break: null,
      first_audit_break: null,
    });
    expect(
      await rows(db, `SELECT id, chain_seq::int AS seq FROM audit_records ORDER BY chain_seq`),
    ).toEqual([
      { id: 'r1', seq: 1 },
      { id: 'r2', seq: 2 },
    ]);
    // The first entry of an account chains from the genesis hash, with its stored instant.
    const [a1] = await rows<{ id: string; created_at: string; entry_hash: string }>(
      db,
      `SELECT id::text, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
              AS created_at, encode(entry_hash, 'hex') AS entry_hash
         FROM ledger_entries WHERE event_id = 'a1'`,
    );
    expect(a1.entry_hash).toBe(
      entryHash(GENESIS_HASH, {
        id: a1.id,
        event_id: 'a1',
        user_id: 'a',
        amount: 10n,
        direction: 'income',
        source: 'gift',
        balance_before: 0n,
        balance_after: 10n,
        created_at: a1.created_at,
        allocations: null,
      }),
    );
  });
});
