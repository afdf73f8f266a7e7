import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { sleep } from '../../../bench/support/bench-stack';

export const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';

export const canFakeTime = existsSync(LIBFAKETIME);

/**
 * One process's wall clock, offset by libfaketime from a file the process reads again every
 * second, so a step reaches a running app. Only the wall clock moves (an NTP step does the same):
 * the monotonic clock, hence Node's timers and performance.now(), keeps its pace.
 */
export class SteppedClock {
  constructor(
    private readonly file: string,
    private offsetSeconds = 0,
  ) {
    this.write();
  }

  get offset(): number {
    return this.offsetSeconds;
  }

  /** The settings that put an app on this clock. */
  get env(): NodeJS.ProcessEnv {
    return {
      LD_PRELOAD: LIBFAKETIME,
      FAKETIME_TIMESTAMP_FILE: this.file,
      FAKETIME_CACHE_DURATION: '1',
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
    };
  }

  step(seconds: number): void {
    this.set(this.offsetSeconds + seconds);
  }

  set(offsetSeconds: number): void {
    this.offsetSeconds = offsetSeconds;
    this.write();
  }

  private write(): void {
    const sign = this.offsetSeconds < 0 ? '-' : '+';
    // Whole, at once: the app must never read half a file.
    writeFileSync(`${this.file}.new`, `${sign}${Math.abs(this.offsetSeconds)}\n`);
    renameSync(`${this.file}.new`, this.file);
  }
}

/** How far (s, to the second) the clock an app answers with (its HTTP Date header) is from ours. */
export async function clockOffsetOf(url: string): Promise<number> {
  const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5_000) });
  await response.arrayBuffer();
  const date = Date.parse(response.headers.get('date') ?? '');
  if (Number.isNaN(date)) throw new Error(`${url} answered without a Date header`);
  return Math.round((date - Date.now()) / 1000);
}

/**
 * Until the app at `url` answers with a clock `expected` seconds off ours (±2 s: the header
 * counts whole seconds, the file is read once a second). A step that did not happen fails here.
 */
export async function waitClockOffset(
  url: string,
  expected: number,
  timeoutMs = 15_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let seen = NaN;
  while (Date.now() < deadline) {
    seen = await clockOffsetOf(url).catch(() => NaN);
    if (Math.abs(seen - expected) <= 2) return seen;
    await sleep(250);
  }
  throw new Error(`${url} kept a clock ${seen} s off ours, not ${expected} s`);
}

/** Seconds from now until the next UTC midnight. */
export function secondsToUtcMidnight(now = Date.now()): number {
  const day = 86_400_000;
  return Math.ceil((Math.floor(now / day + 1) * day - now) / 1000);
}
