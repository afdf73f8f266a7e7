import { BalanceUpdatedEvent, validatePlain } from '@tally/contracts';
import { capExpiring } from './balance-outbox.repository';
import { balanceUpdatedEvent, snapshotEventId } from './balance-snapshot.relay';

describe('the balance snapshot event', () => {
  const snapshot = (user_id: string, balance: bigint, version = 12_345n) => ({
    user_id,
    balance,
    held: 0n,
    version,
    charge_sequence: 0n,
    updated_at: new Date(),
    expiring: [],
  });

  it('is valid for a user id of the longest allowed length', () => {
    const event = balanceUpdatedEvent(snapshot('u'.repeat(128), 10n), new Date());
    expect(validatePlain(BalanceUpdatedEvent, JSON.parse(JSON.stringify(event)))).toMatchObject({
      ok: true,
    });
  });

  it('is valid, and exact, for a balance beyond 2^53', () => {
    const event = balanceUpdatedEvent(snapshot('user', -(2n ** 53n) - 3n), new Date());
    const parsed = validatePlain(BalanceUpdatedEvent, JSON.parse(JSON.stringify(event)));
    expect(parsed).toMatchObject({
      ok: true,
      value: { payload: { balance: '-9007199254740995' } },
    });
  });

  it('has one fixed-length id per user and version', () => {
    const id = snapshotEventId('u'.repeat(128), 7n);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(snapshotEventId('u'.repeat(128), 7n)).toBe(id);
    expect(snapshotEventId('u'.repeat(128), 8n)).not.toBe(id);
    expect(snapshotEventId('u'.repeat(127), 7n)).not.toBe(id);
  });

  it('counts the grants beyond its last expiry time at that time: early, never late', () => {
    const at = (day: number) => new Date(Date.UTC(2027, 0, day));
    const expiring = Array.from({ length: 20 }, (_, i) => ({ at: at(i + 1), amount: 10n }));
    const capped = capExpiring(expiring, 16);
    expect(capped).toHaveLength(16);
    expect(capped.slice(0, 15)).toEqual(expiring.slice(0, 15));
    expect(capped[15]).toEqual({ at: at(16), amount: 50n });
    expect(capExpiring(expiring.slice(0, 16), 16)).toEqual(expiring.slice(0, 16));
  });
});
