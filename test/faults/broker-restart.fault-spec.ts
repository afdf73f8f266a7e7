// Scenario 3: the Kafka broker is stopped (cleanly, keeping its data) and started again while
// internal services charge through the gateway, more than once. The gateway records charges
// without Kafka (the outbox), so it must go on answering 202 while the broker is down; its relay
// and the credit-store's consumer must reconnect by themselves and deliver everything, once.
import { FAULT_SHAPE, FAULTS, SCENARIO_TIMEOUT_MS } from './support/fault-config';
import { ChargeClient } from './support/charge-client';
import { useFaultStack } from './support/fault-stack';
import { printFigures } from './support/figures';
import { grantSomeUsers } from './support/grants';
import { expectExact, httpFigures, settleAndCheck, waitRecorded } from './support/http-outcome';
import { sleep } from '../../bench/support/bench-stack';

const stack = useFaultStack('broker_restart', { gateway: true });

test(
  'the broker stopped and restarted mid-workload: every 202 reaches the ledger once',
  async () => {
    const grants = await grantSomeUsers(stack, FAULT_SHAPE);
    const client = new ChargeClient(stack.gatewayUrl, FAULT_SHAPE);
    // Stopping and starting the broker take seconds of their own: the workload is stretched by
    // them, so that every outage falls inside it.
    const outageMs = (FAULTS.brokerDownSeconds + 10) * 1000;
    const charging = client.run(
      FAULTS.events,
      FAULTS.seconds * 1000 + FAULTS.brokerOutages * outageMs,
    );
    const outages: { recordedAtStop: number; acceptedWhileDown: number; seconds: number }[] = [];
    for (let outage = 1; outage <= FAULTS.brokerOutages; outage++) {
      const recordedAtStop = await waitRecorded(
        stack,
        (outage * FAULTS.events * 0.85) / (FAULTS.brokerOutages + 1),
      );
      const started = Date.now();
      await stack.stopBroker();
      const acceptedBefore = client.accepted.size;
      await sleep(FAULTS.brokerDownSeconds * 1000);
      const acceptedWhileDown = client.accepted.size - acceptedBefore;
      await stack.startBroker();
      outages.push({ recordedAtStop, acceptedWhileDown, seconds: (Date.now() - started) / 1000 });
    }
    await charging;
    const outcome = await settleAndCheck(stack, client, grants);

    printFigures('3. the Kafka broker stopped and restarted', {
      'outages (recorded at stop / 202s while down / s)': outages
        .map((o) => `${o.recordedAtStop} / ${o.acceptedWhileDown} / ${o.seconds.toFixed(1)}`)
        .join(', '),
      ...httpFigures(client, outcome),
    });
    // The gateway went on accepting charges while the broker was down: the outbox held them.
    expect(outages.every((o) => o.acceptedWhileDown > 0)).toBe(true);
    expectExact(client, outcome);
  },
  SCENARIO_TIMEOUT_MS,
);
