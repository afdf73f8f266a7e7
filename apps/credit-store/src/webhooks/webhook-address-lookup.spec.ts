import { resolveHost } from './webhook-address';

// A resolver that never answers.
jest.mock('node:dns/promises', () => ({ lookup: () => new Promise(() => undefined) }));

describe('resolving a webhook host', () => {
  it('gives up on a resolver that does not answer, as a host that does not resolve', async () => {
    jest.useFakeTimers();
    try {
      const verdict = resolveHost('hooks.example.com', new Set());
      await jest.advanceTimersByTimeAsync(2_000);
      await expect(verdict).resolves.toEqual({
        ok: false,
        reason: 'hooks.example.com does not resolve (ETIMEOUT)',
      });
    } finally {
      jest.useRealTimers();
    }
  });
});
