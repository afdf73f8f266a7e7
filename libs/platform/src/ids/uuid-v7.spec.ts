import { uuidv7 } from './uuid-v7';

describe('uuidv7', () => {
  it('gives RFC 9562 version-7 ids, all different across many draws of the random pool', () => {
    const ids = Array.from({ length: 2000 }, () => uuidv7(1_700_000_000_000));
    for (const id of ids) {
      expect(id).toMatch(/^018bcfe5-6800-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('puts the time first, so ids sort by creation time', () => {
    expect(uuidv7(1_000).localeCompare(uuidv7(2_000))).toBeLessThan(0);
  });
});
