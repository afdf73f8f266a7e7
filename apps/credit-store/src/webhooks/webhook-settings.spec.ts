import { parseRetrySchedule } from './webhook-settings';

describe('WEBHOOK_RETRY_SCHEDULE', () => {
  it('reads seconds, fractions too, as milliseconds', () => {
    expect(parseRetrySchedule('5,300,1800,7200,18000,36000,36000')).toEqual([
      5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
    ]);
    expect(parseRetrySchedule(' 0.2 , 0.25')).toEqual([200, 250]);
    expect(parseRetrySchedule('')).toEqual([]);
  });
});
