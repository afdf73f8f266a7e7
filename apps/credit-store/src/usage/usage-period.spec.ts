import { periodStart, USAGE_PERIODS } from './usage-period';

describe('usage periods', () => {
  const now = new Date('2026-03-31T12:00:00.000Z');

  it('reach back a rolling 24 hours, 7 days or 30 days', () => {
    expect(periodStart('24h', now)?.toISOString()).toBe('2026-03-30T12:00:00.000Z');
    expect(periodStart('7d', now)?.toISOString()).toBe('2026-03-24T12:00:00.000Z');
    expect(periodStart('30d', now)?.toISOString()).toBe('2026-03-01T12:00:00.000Z');
  });

  it('has no start for all', () => {
    expect(periodStart('all', now)).toBeNull();
  });

  it('lists the periods the query accepts', () => {
    expect(USAGE_PERIODS).toEqual(['24h', '7d', '30d', 'all']);
  });
});
