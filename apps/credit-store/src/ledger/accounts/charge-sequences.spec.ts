import { emptyAccount } from './account-balance';
import { accountsToSave } from './charge-sequences';

const locked = (userId: string, chargeSequence: bigint, version = 4n) => ({
  ...emptyAccount(userId),
  balance: 50n,
  version,
  charge_sequence: chargeSequence,
});

describe('accountsToSave', () => {
  it('saves a changed account with the highest sequence of its charges', () => {
    const changed = [{ ...locked('a', 3n), balance: 40n, version: 5n }];
    const [saved] = accountsToSave(changed, new Map([['a', locked('a', 3n)]]), [
      { user_id: 'a', charge_sequence: 5 },
      { user_id: 'a', charge_sequence: 4 },
    ]);
    expect(saved).toMatchObject({ user_id: 'a', balance: 40n, version: 5n, charge_sequence: 5n });
    expect(saved.moved).toBe(true);
  });

  it('never lowers a sequence (an old charge delivered late)', () => {
    const changed = [{ ...locked('a', 9n), balance: 40n, version: 5n }];
    const [saved] = accountsToSave(changed, new Map([['a', locked('a', 9n)]]), [
      { user_id: 'a', charge_sequence: 2 },
    ]);
    expect(saved.charge_sequence).toBe(9n);
  });

  it('saves an unchanged account whose sequence moves (a repeat), as a new version, money untouched', () => {
    const saved = accountsToSave([], new Map([['a', locked('a', 3n)]]), [
      { user_id: 'a', charge_sequence: 4 },
    ]);
    expect(saved).toEqual([
      expect.objectContaining({ balance: 50n, version: 5n, charge_sequence: 4n, moved: false }),
    ]);
  });

  it('leaves out unchanged accounts whose sequence does not move, and charges without one', () => {
    const accounts = new Map([
      ['a', locked('a', 7n)],
      ['b', locked('b', 0n)],
    ]);
    expect(
      accountsToSave([], accounts, [{ user_id: 'a', charge_sequence: 7 }, { user_id: 'b' }]),
    ).toEqual([]);
  });
});
