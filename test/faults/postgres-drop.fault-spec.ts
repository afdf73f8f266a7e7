// Scenario 4: every connection the apps hold to PostgreSQL is terminated (pg_terminate_backend),
// several times, while internal services charge through the gateway: transactions die mid-way
// (a group commit, a relay cycle, a ledger batch). The apps must reconnect and carry on in the
// same processes; a charge answered 202 must reach the ledger, a failed one must be safe to send
// again, and nothing may be applied twice.
import { FAULT_SHAPE, FAULTS, SCENARIO_TIMEOUT_MS } from './support/fault-config';
import { ChargeClient } from './support/charge-client';
import { useFaultStack } from './support/fault-stack';
import { printFigures } from './support/figures';
import { grantSomeUsers } from './support/grants';
import { expectExact, httpFigures, settleAndCheck, waitRecorded } from './support/http-outcome';

const stack = useFaultStack('postgres_drop', { gateway: true });

test(
  'PostgreSQL connections dropped mid-workload: the apps reconnect, nothing lost or doubled',
  async () => {
    const grants = await grantSomeUsers(stack, FAULT_SHAPE);
    const client = new ChargeClient(stack.gatewayUrl, FAULT_SHAPE);
    const charging = client.run(FAULTS.events, FAULTS.seconds * 1000);
    const drops: { recorded: number; gateway: number; store: number }[] = [];
    for (let drop = 1; drop <= FAULTS.connectionDrops; drop++) {
      const recorded = await waitRecorded(
        stack,
        (drop * FAULTS.events * 0.85) / (FAULTS.connectionDrops + 1),
      );
      // An app between two bursts of work (a consumer restarting after the last drop) may hold
      // no connection at that instant; the drop waits until both have one to lose.
      await stack.waitConnected([stack.gatewayDatabase, stack.storeDatabase]);
      const [gateway, store] = await Promise.all([
        stack.dropConnections(stack.gatewayDatabase),
        stack.dropConnections(stack.storeDatabase),
      ]);
      drops.push({ recorded, gateway, store });
    }
    await charging;
    const outcome = await settleAndCheck(stack, client, grants);

    printFigures('4. PostgreSQL connections dropped', {
      'drops (recorded at drop / gateway + store connections)': drops
        .map((d) => `${d.recorded} / ${d.gateway} + ${d.store}`)
        .join(', '),
      ...httpFigures(client, outcome),
    });
    // Each drop cut live connections of both apps, and neither process died of it.
    expect(drops.every((d) => d.gateway > 0 && d.store > 0)).toBe(true);
    expect(stack.isRunning('ai-gateway')).toBe(true);
    expect(stack.isRunning('credit-store')).toBe(true);
    expectExact(client, outcome);
  },
  SCENARIO_TIMEOUT_MS,
);
