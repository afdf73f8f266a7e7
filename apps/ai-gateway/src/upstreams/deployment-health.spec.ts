import { DeploymentHealth } from './deployment-health';
import type { Upstream } from './upstream-routes';

const d: Upstream = {
  id: 'd',
  provider: 'p',
  api: 'openai',
  baseUrl: 'http://x/v1',
  models: ['*'],
  priority: 0,
  weight: 1,
  timeoutMs: 1000,
  rpm: 5,
};

describe('deployment health', () => {
  let now = 1_000_000;
  const health = () => new DeploymentHealth({ cooldownFailures: 3, cooldownMs: 30_000 }, () => now);
  const fail = (h: DeploymentHealth) => {
    expect(h.claim(d, 0)).toBe(true);
    h.record(d, true, 10);
    h.release(d);
  };

  it('cools after 3 failures within a minute, then lets one call try again', () => {
    const h = health();
    fail(h);
    fail(h);
    now += 61_000; // the first two are forgotten
    fail(h);
    fail(h);
    expect(h.view([d])[0].state).toBe('ok');
    fail(h);
    expect(h.view([d])[0]).toMatchObject({
      state: 'cooling',
      cooling_until: expect.any(String) as unknown,
    });
    expect(h.claim(d, 0)).toBe(false);
    now += 30_000;
    expect(h.claim(d, 0)).toBe(true); // the one try after the cooldown
    expect(h.claim(d, 0)).toBe(false); // no other while it runs
    expect(h.view([d])[0]).toMatchObject({ state: 'probing', in_flight: 1 });
    h.record(d, true, 10);
    h.release(d);
    expect(h.view([d])[0].state).toBe('cooling'); // it failed: cooling again at once
    now += 30_000;
    expect(h.claim(d, 0)).toBe(true);
    h.record(d, false, 10);
    h.release(d);
    expect(h.view([d])[0]).toMatchObject({ state: 'ok', cooling_until: null });
    expect(h.claim(d, 0)).toBe(true);
  });

  it('passes over a deployment at its rpm this minute, unless forced', () => {
    now = 6_000_000;
    const h = health();
    for (let i = 0; i < 5; i++) expect(h.claim(d, 0)).toBe(true);
    expect(h.claim(d, 0)).toBe(false);
    expect(h.claim(d, 0, true)).toBe(true);
    now += 60_000;
    expect(h.claim(d, 0)).toBe(true);
  });

  it('shows calls, failures and latency quantiles over the last minute', () => {
    const h = health();
    for (const ms of [10, 20, 30, 40, 1000]) {
      h.claim(d, 0, true);
      h.record(d, ms === 1000, ms);
      h.release(d);
    }
    expect(h.view([d])[0].last_minute).toEqual({ calls: 5, failures: 1, p50_ms: 30, p99_ms: 1000 });
    now += 60_001;
    expect(h.view([d])[0].last_minute).toEqual({
      calls: 0,
      failures: 0,
      p50_ms: null,
      p99_ms: null,
    });
  });
});
