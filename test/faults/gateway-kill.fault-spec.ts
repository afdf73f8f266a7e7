// Scenario 2: the gateway (HTTP API and outbox relay in one process) is killed with SIGKILL
// several times while internal services charge through it, and started again each time. A 202
// means durably recorded, so every charge answered 202 must reach the ledger; a charge whose
// request died with the process may or may not have been recorded, but never twice, and sending
// it again must answer 202 and end with it in the ledger exactly once.
import { FAULT_SHAPE, FAULTS, SCENARIO_TIMEOUT_MS } from './support/fault-config';
import { ChargeClient } from './support/charge-client';
import { useFaultStack } from './support/fault-stack';
import { printFigures } from './support/figures';
import { grantSomeUsers } from './support/grants';
import { expectExact, httpFigures, recordedCharges, settleAndCheck } from './support/http-outcome';
import { killRepeatedly } from './support/kill-loop';

const stack = useFaultStack('gateway_kill', { gateway: true });

test(
  'kill -9 of the gateway mid-workload: every 202 reaches the ledger, nothing twice',
  async () => {
    const grants = await grantSomeUsers(stack, FAULT_SHAPE);
    const client = new ChargeClient(stack.gatewayUrl, FAULT_SHAPE);
    const charging = client.run(FAULTS.events, FAULTS.seconds * 1000);
    const recordedAtKill = await killRepeatedly(stack, 'ai-gateway', {
      count: FAULTS.faults,
      total: FAULTS.events * 0.85,
      progress: () => recordedCharges(stack),
    });
    await charging;
    const outcome = await settleAndCheck(stack, client, grants);

    printFigures('2. kill -9 of the gateway (and its relay)', {
      'kills (charges recorded at each)': `${FAULTS.faults} (${recordedAtKill.join(', ')})`,
      ...httpFigures(client, outcome),
    });
    expect(recordedAtKill).toHaveLength(FAULTS.faults);
    // Requests were in flight when the process died (else the kills proved nothing about them).
    expect(outcome.unanswered).toBeGreaterThan(0);
    expectExact(client, outcome);
  },
  SCENARIO_TIMEOUT_MS,
);
