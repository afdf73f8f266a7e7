import { HOT_USER, WorkloadShape, userName } from '../../../bench/support/workload';
import { json } from '../../../bench/support/bench-stack';
import type { CheckedStack } from './checked-stack';
import { FAULT_TOKENS } from './fault-stack';

/**
 * Credits for the hot user and the first 50 users before the charges, so that charges draw on
 * grants (FIFO, allocations) as well as going into overdraft. Answers the amount granted per user.
 */
export async function grantSomeUsers(
  stack: CheckedStack,
  shape: WorkloadShape,
): Promise<Map<string, number>> {
  const grants = new Map<string, number>([[HOT_USER, 1_000_000]]);
  for (let i = 0; i < Math.min(50, shape.users); i++) grants.set(userName(i), 500);
  const pending = [...grants];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let next = pending.pop(); next; next = pending.pop()) {
        const [user, amount] = next;
        const { status } = await json(
          'POST',
          `${stack.storeUrl}/accounts/${user}/grants`,
          FAULT_TOKENS.admin,
          { event_id: `faults-grant-${user}`, amount, source: 'purchase' },
        );
        if (status !== 201) throw new Error(`grant for ${user} answered ${status}`);
      }
    }),
  );
  return grants;
}
