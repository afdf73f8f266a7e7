import { keyBucket, OUTBOX_KEY_BUCKETS } from './key-bucket';

describe('keyBucket', () => {
  it('gives a key the same bucket every time', () => {
    expect(keyBucket('user-42')).toBe(keyBucket('user-42'));
  });

  it('matches the FNV-1a reference value, so buckets never move between versions', () => {
    // FNV-1a 32-bit of "a" is 0xe40c292c.
    expect(keyBucket('a')).toBe(0xe40c292c % OUTBOX_KEY_BUCKETS);
  });

  it('spreads many keys over every bucket', () => {
    const counts = new Array<number>(OUTBOX_KEY_BUCKETS).fill(0);
    for (let i = 0; i < 16_000; i++) counts[keyBucket(`user-${i}`)]++;
    expect(Math.min(...counts)).toBeGreaterThan(800);
    expect(Math.max(...counts)).toBeLessThan(1200);
  });
});
