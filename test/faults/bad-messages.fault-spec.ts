// Scenario 6: what other services put on the topic is not always right. 10% of the charges are
// delivered twice, some are repeated with another amount under the same event_id, and a burst of
// malformed messages (not JSON, empty, wrong types, missing fields, another schema version) comes
// in the middle. The dead-letter topic must get exactly the malformed and the conflicting ones,
// once each, with their reasons; the ledger exactly the valid distinct charges.
import { DlqHeaders, ErrorCode, Topics } from '@tally/contracts';
import { FAULT_SHAPE, FAULTS, SCENARIO_TIMEOUT_MS } from './support/fault-config';
import { useFaultStack } from './support/fault-stack';
import { printFigures } from './support/figures';
import { grantSomeUsers } from './support/grants';
import { checkLedger } from './support/ledger-check';
import { malformedMessages } from './support/malformed';
import { produceOverTime, readWholeTopic } from './support/topic-io';
import { TOPIC_SOURCE, topicWorkload } from './support/topic-workload';

const stack = useFaultStack('bad_messages', { gateway: false });

test(
  'repeats, conflicting repeats and malformed messages: DLQ gets exactly the bad ones',
  async () => {
    const grants = await grantSomeUsers(stack, FAULT_SHAPE);
    const workload = topicWorkload(FAULTS.events, FAULT_SHAPE, {
      repeatShare: 0.1,
      conflictShare: 0.02,
    });
    const malformed = malformedMessages(
      Math.max(60, Math.round(FAULTS.events * 0.03)),
      FAULT_SHAPE,
    );
    // Most of them in one burst mid-workload, the rest scattered among the good ones.
    const messages: { key: string; value: string | null }[] = [...workload.messages];
    const burst = Math.floor(malformed.length * 0.7);
    messages.splice(Math.floor(messages.length / 2), 0, ...malformed.slice(0, burst));
    for (const bad of malformed.slice(burst)) {
      messages.splice(Math.floor(Math.random() * messages.length), 0, bad);
    }
    await produceOverTime(
      stack,
      Topics.chargeRequested,
      messages.map(({ key, value }) => ({ key, value })),
      FAULTS.seconds * 500,
    );
    await stack.waitConsumed();

    const report = await checkLedger(stack, TOPIC_SOURCE, workload.charges, grants);
    const letters = await readWholeTopic(stack, Topics.chargeRequestedDlq);
    // What was expected and what came, each as "code value" lines, compared as multisets.
    const expected = [
      ...malformed.map((m) => `${m.code} ${m.value ?? '<null>'}`),
      ...workload.conflicts.map((c) => `${ErrorCode.EventIdConflict} ${c.value}`),
    ].sort();
    const received = letters
      .map((l) => `${l.headers[DlqHeaders.code]} ${l.value?.toString() ?? '<null>'}`)
      .sort();
    const withoutReason = letters.filter(
      (l) =>
        !l.headers[DlqHeaders.reason] ||
        l.headers[DlqHeaders.sourceTopic] !== Topics.chargeRequested ||
        l.headers[DlqHeaders.sourceOffset] === undefined,
    );
    const { rows } = await stack.storeDb.query<{ n: string }>(
      `SELECT count(*) AS n FROM ledger_conflicts`,
    );
    const byCode = new Map<string, number>();
    for (const l of letters) {
      byCode.set(l.headers[DlqHeaders.code], (byCode.get(l.headers[DlqHeaders.code]) ?? 0) + 1);
    }

    printFigures('6. repeats, conflicting repeats, malformed messages', {
      'messages sent': messages.length,
      'distinct valid charges': workload.charges.size,
      'exact repeats sent': workload.repeats,
      'conflicting repeats sent': workload.conflicts.length,
      'malformed sent (burst + scattered)': `${malformed.length} (${burst} + ${malformed.length - burst})`,
      applied: report.applied,
      'repeats absorbed':
        messages.length - malformed.length - workload.conflicts.length - report.applied,
      'DLQ messages': letters.length,
      'DLQ by code': [...byCode].map(([code, n]) => `${code} ${n}`).join(', '),
      'DLQ without reason or origin': withoutReason.length,
      'ledger_conflicts rows': rows[0].n,
      'accounts reconciled': report.accountsChecked,
      mismatches: report.mismatches,
    });

    expect(report).toMatchObject({ missing: 0, unexpected: 0, wrong: 0, balances: 0 });
    expect(report.reconciliation).toBe(0);
    expect(report.applied).toBe(workload.charges.size);
    expect(received).toEqual(expected);
    expect(withoutReason).toEqual([]);
    expect(Number(rows[0].n)).toBe(workload.conflicts.length);
  },
  SCENARIO_TIMEOUT_MS,
);
