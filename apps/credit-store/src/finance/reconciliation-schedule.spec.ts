import { CreditStoreConfig } from '../config/credit-store.config';
import { ReconciliationSchedule } from './reconciliation-schedule';
import type { ReconciliationService } from './reconciliation.service';

describe('ReconciliationSchedule', () => {
  let runs: number;
  const reconciliation = {
    reconcile: () => {
      runs++;
      return Promise.resolve({ ok: true, accounts_checked: 0, mismatches: [] });
    },
  } as unknown as ReconciliationService;

  function schedule(firstDelaySeconds: number, intervalSeconds = 3600) {
    const config = Object.assign(new CreditStoreConfig(), {
      RECONCILIATION_FIRST_DELAY_SECONDS: firstDelaySeconds,
      RECONCILIATION_INTERVAL_SECONDS: intervalSeconds,
    });
    return new ReconciliationSchedule(reconciliation, config);
  }

  beforeEach(() => {
    runs = 0;
    jest.useFakeTimers();
  });
  afterEach(() => jest.useRealTimers());

  it('waits RECONCILIATION_FIRST_DELAY_SECONDS after start, then runs every interval', async () => {
    const scheduled = schedule(300);
    scheduled.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(299_000);
    expect(runs).toBe(0);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(runs).toBe(1);
    await jest.advanceTimersByTimeAsync(3_599_000);
    expect(runs).toBe(1);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(runs).toBe(2);
    await scheduled.onApplicationShutdown();
  });

  it('runs at start with a first delay of 0', async () => {
    const scheduled = schedule(0);
    scheduled.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(0);
    expect(runs).toBe(1);
    await scheduled.onApplicationShutdown();
  });

  it('never runs when stopped before its first run', async () => {
    const scheduled = schedule(300);
    scheduled.onApplicationBootstrap();
    await scheduled.onApplicationShutdown();
    await jest.advanceTimersByTimeAsync(3_600_000);
    expect(runs).toBe(0);
  });

  it('never runs with an interval of 0 (on demand only)', async () => {
    const scheduled = schedule(0, 0);
    scheduled.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(3_600_000);
    expect(runs).toBe(0);
    await scheduled.onApplicationShutdown();
  });
});
