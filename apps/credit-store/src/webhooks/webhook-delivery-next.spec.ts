import { nextAfter } from './webhook-delivery-next';

describe('what follows a webhook attempt', () => {
  const answered = (status_code: number | null, error: string | null = null) => ({
    status_code,
    error,
    duration_ms: 3,
  });
  const schedule = [200, 5000];

  it('a 2xx is delivered', () => {
    expect(nextAfter(answered(200), 0, schedule)).toEqual({ status: 'delivered' });
    expect(nextAfter(answered(204), 2, schedule)).toEqual({ status: 'delivered' });
  });

  it('anything else waits for the next delay of the schedule, then fails', () => {
    expect(nextAfter(answered(500), 0, schedule)).toEqual({ status: 'pending', retryInMs: 200 });
    expect(nextAfter(answered(null, 'timed out'), 1, schedule)).toEqual({
      status: 'pending',
      retryInMs: 5000,
    });
    expect(nextAfter(answered(301), 2, schedule)).toEqual({ status: 'failed' });
  });

  it('410 Gone fails at once', () => {
    expect(nextAfter(answered(410), 0, schedule)).toEqual({ status: 'failed' });
  });
});
