// Scenario 1: the credit-store (the ledger's consumer) is killed with SIGKILL several times while
// charges stream onto the topic, and started again each time. Whatever batch it was applying,
// whatever offsets it had not committed, the ledger must end with every distinct charge once.
import { DlqHeaders, ErrorCode, Topics } from '@tally/contracts';
import { sleep } from '../../bench/support/bench-stack';
import { FAULT_SHAPE, FAULTS, SCENARIO_TIMEOUT_MS } from './support/fault-config';
import { useFaultStack } from './support/fault-stack';
import { printFigures } from './support/figures';
import { grantSomeUsers } from './support/grants';
import { killRepeatedly } from './support/kill-loop';
import { checkLedger } from './support/ledger-check';
import { produceOverTime, readWholeTopic } from './support/topic-io';
import { TOPIC_SOURCE, topicWorkload } from './support/topic-workload';

const stack = useFaultStack('consumer_kill', { gateway: false });

test(
  'kill -9 of the credit-store mid-workload: every distinct charge applied exactly once',
  async () => {
    const grants = await grantSomeUsers(stack, FAULT_SHAPE);
    const workload = topicWorkload(FAULTS.events, FAULT_SHAPE);
    // The k-th kill comes once k of (faults + 1) equal steps are applied. A restart can outlast the
    // producer's whole schedule, and a consumer back from it applies the backlog at once: so the
    // producer stays at most a step and a half ahead of the kills. Every kill then finds charges
    // still arriving, and the last leaves some to apply after it.
    const step = workload.messages.length / (FAULTS.faults + 1);
    let kills = 0;
    const producing = produceOverTime(
      stack,
      Topics.chargeRequested,
      workload.messages,
      FAULTS.seconds * 1000,
      async (sent) => {
        while (kills < FAULTS.faults && sent >= (kills + 1.5) * step) await sleep(25);
      },
    );

    const appliedAtKill = await killRepeatedly(stack, 'credit-store', {
      count: FAULTS.faults,
      total: workload.charges.size,
      progress: appliedCount,
      onKill: (kill) => (kills = kill),
    });
    await producing;
    await stack.waitConsumed();

    const report = await checkLedger(stack, TOPIC_SOURCE, workload.charges, grants);
    const letters = await readWholeTopic(stack, Topics.chargeRequestedDlq);
    // A kill between publishing a dead letter and committing the offset publishes it again on
    // redelivery (at least once); what must hold is that every conflicting message is there.
    const origins = new Set(
      letters.map(
        (l) => `${l.headers[DlqHeaders.sourcePartition]}:${l.headers[DlqHeaders.sourceOffset]}`,
      ),
    );
    const conflictValues = new Set(workload.conflicts.map((c) => c.value));
    const { rows } = await stack.storeDb.query<{ n: string }>(
      `SELECT count(*) AS n FROM ledger_conflicts`,
    );

    printFigures('1. kill -9 of the credit-store (consumer)', {
      'messages sent': workload.messages.length,
      'distinct charges': workload.charges.size,
      'exact repeats sent': workload.repeats,
      'conflicting repeats sent': workload.conflicts.length,
      'kills (applied at each)': `${FAULTS.faults} (${appliedAtKill.join(', ')})`,
      applied: report.applied,
      'repeats absorbed': workload.messages.length - workload.conflicts.length - report.applied,
      'DLQ messages (distinct origins)': `${letters.length} (${origins.size})`,
      'ledger_conflicts rows': rows[0].n,
      'accounts reconciled': report.accountsChecked,
      mismatches: report.mismatches,
    });

    // Every kill hit a consumer that was applying, while charges were still arriving.
    expect(appliedAtKill).toHaveLength(FAULTS.faults);
    expect(appliedAtKill.at(-1)).toBeLessThan(workload.charges.size);
    expect(report).toMatchObject({ missing: 0, unexpected: 0, wrong: 0, balances: 0 });
    expect(report.reconciliation).toBe(0);
    expect(report.applied).toBe(workload.charges.size);
    expect(origins.size).toBe(workload.conflicts.length);
    expect(letters.every((l) => conflictValues.has(l.value!.toString()))).toBe(true);
    expect(
      letters.every((l) => l.headers[DlqHeaders.code] === String(ErrorCode.EventIdConflict)),
    ).toBe(true);
    expect(Number(rows[0].n)).toBe(workload.conflicts.length);
  },
  SCENARIO_TIMEOUT_MS,
);

async function appliedCount(): Promise<number> {
  const { rows } = await stack.storeDb.query<{ n: string }>(
    `SELECT count(*) AS n FROM ledger_entries WHERE source = $1`,
    [TOPIC_SOURCE],
  );
  return Number(rows[0].n);
}
