import { reservedIds, type ReservationRow } from './id-reservation';

const row = (over: Partial<ReservationRow>): ReservationRow => ({
  first_id: '9007199254740990',
  id_count: 3,
  scattered_ids: null,
  created_at: '2026-12-06T07:00:00.123456Z',
  actor: { id: 'p1', name: 'Pat' },
  ...over,
});

describe('reservedIds', () => {
  it('spells out a run from its first id, exactly past 2^53', () => {
    expect(reservedIds(row({}))).toEqual({
      ids: ['9007199254740990', '9007199254740991', '9007199254740992'],
      created_at: '2026-12-06T07:00:00.123456Z',
      actor: { id: 'p1', name: 'Pat' },
    });
  });

  it('takes the list as it is when the ids are not one run', () => {
    expect(reservedIds(row({ first_id: '4', scattered_ids: ['4', '6', '7'] })).ids).toEqual([
      '4',
      '6',
      '7',
    ]);
  });

  it('answers no ids for an empty reservation', () => {
    expect(reservedIds(row({ first_id: null, id_count: 0 })).ids).toEqual([]);
  });
});
