// Scenario 5: scale-out. Two gateways (two relays on one outbox) and two credit-stores in one
// consumer group share the workload, requests taken by the gateways in turn. Mid-workload one
// credit-store and one gateway are stopped (the store's partitions move to the other: a
// rebalance; the gateway's requests fail and are sent again) and started again (the partitions
// move back). Every 202 must reach the ledger exactly once.
import { sleep } from '../../bench/support/bench-stack';
import { ChargeClient } from './support/charge-client';
import { FAULT_SHAPE, FAULTS, SCENARIO_TIMEOUT_MS } from './support/fault-config';
import { useFaultStack } from './support/fault-stack';
import { printFigures } from './support/figures';
import { grantSomeUsers } from './support/grants';
import { expectExact, httpFigures, settleAndCheck, waitRecorded } from './support/http-outcome';

const stack = useFaultStack('scale_out', { gateway: true });
beforeAll(async () => {
  await stack.startApp('credit-store', 1);
  await stack.startApp('ai-gateway', 1);
}, 180_000);

/** Until the ledger group has `count` members (a rebalance has settled). */
async function waitMembers(count: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await stack.consumerMembers()) !== count) {
    if (Date.now() > deadline) throw new Error(`the consumer group never had ${count} members`);
    await sleep(200);
  }
}

test(
  'two gateways and two credit-stores, one of each stopped and started again: every 202 once',
  async () => {
    await waitMembers(2);
    const grants = await grantSomeUsers(stack, FAULT_SHAPE);
    const gateways = [stack.urlOf('ai-gateway', 0), stack.urlOf('ai-gateway', 1)];
    const client = new ChargeClient(gateways, FAULT_SHAPE);
    // Twice the other scenarios' time, in two parts: 70 % of the charges while one store and one
    // gateway are stopped and started again, the rest only once both are back, so that work
    // flows after the partitions moved back however long the restart took (on a busy machine it
    // once outlasted the whole first part).
    const firstPart = Math.round(FAULTS.events * 0.7);
    const charging = client.run(firstPart, FAULTS.seconds * 1400);

    const outAt = await waitRecorded(stack, FAULTS.events * 0.15);
    await Promise.all([stack.stopApp('credit-store', 1), stack.stopApp('ai-gateway', 1)]);
    await waitMembers(1);
    await Promise.all([stack.startApp('credit-store', 1), stack.startApp('ai-gateway', 1)]);
    const backAt = await waitRecorded(stack, 0);
    await waitMembers(2);
    await charging;
    await client.run(FAULTS.events - firstPart, FAULTS.seconds * 600);
    const outcome = await settleAndCheck(stack, client, grants);

    printFigures('5. scale-out: 2 gateways, 2 credit-stores, rebalances', {
      'charges recorded when the second store and gateway stopped / were back': `${outAt} / ${backAt}`,
      '202s by gateway': gateways.map((g) => client.acceptedBy.get(g) ?? 0).join(' + '),
      ...httpFigures(client, outcome),
    });
    // Both gateways took their share (else this proved nothing about two relays), and the
    // instances were back while the workload still ran (else nothing moved back under load).
    for (const gateway of gateways) expect(client.acceptedBy.get(gateway) ?? 0).toBeGreaterThan(0);
    expect(backAt).toBeLessThan(outcome.acceptedFirstTime);
    expectExact(client, outcome);
  },
  SCENARIO_TIMEOUT_MS,
);
