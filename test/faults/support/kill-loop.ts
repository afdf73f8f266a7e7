import type { AppName } from '../../../bench/support/bench-stack';
import { sleep } from '../../../bench/support/bench-stack';
import type { FaultStack } from './fault-stack';

/**
 * Kills `app` with SIGKILL `count` times and starts it again each time, the k-th kill once
 * `progress()` (charges recorded or applied so far) has reached k/(count+1) of `total`. Spacing by
 * progress rather than by the clock means every kill hits a process that is doing work, and the
 * kills stay spread over the workload however long each restart takes. Calls `onKill(k)` right
 * after the k-th kill, before the restart. Answers `progress()` at each kill.
 */
export async function killRepeatedly(
  stack: FaultStack,
  app: AppName,
  {
    count,
    total,
    progress,
    onKill,
  }: {
    count: number;
    total: number;
    progress: () => Promise<number>;
    onKill?: (kill: number) => void;
  },
): Promise<number[]> {
  const atKill: number[] = [];
  for (let kill = 1; kill <= count; kill++) {
    const target = Math.max((kill * total) / (count + 1), (atKill.at(-1) ?? 0) + 1);
    const deadline = Date.now() + 60_000;
    let now = await progress();
    while (now < target) {
      if (Date.now() > deadline) throw new Error(`${app} stalled at ${now} of ${total}`);
      await sleep(25);
      now = await progress();
    }
    atKill.push(now);
    await stack.killApp(app);
    onKill?.(kill);
    await stack.startApp(app);
  }
  return atKill;
}
