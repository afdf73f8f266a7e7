import { uuidv7 } from '@tally/platform';
import { sleep } from '../../../bench/support/bench-stack';
import { FAULT_TOKENS } from '../../faults/support/fault-stack';
import type { PartitionStack } from './partition-stack';

/** The probe's charges are apart from the workload's: their own source and user. */
export const PROBE_SOURCE = 'partitions-probe';
const PROBE_USER = 'partitions-probe-user';
/** Longer than any bound a test sets: a probe that gets no answer by then hangs. */
const PROBE_WAIT_MS = 60_000;

export interface ProbeAnswer {
  eventId: string;
  status: number;
  code?: string;
  ms: number;
}

async function postCharge(url: string, eventId: string): Promise<ProbeAnswer> {
  const started = Date.now();
  try {
    const response = await fetch(`${url}/internal/charges`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${FAULT_TOKENS.internal}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        event_id: eventId,
        user_id: PROBE_USER,
        amount: 1,
        source: PROBE_SOURCE,
      }),
      signal: AbortSignal.timeout(PROBE_WAIT_MS),
    });
    const body = (await response.json().catch(() => ({}))) as { code?: string };
    return { eventId, status: response.status, code: body.code, ms: Date.now() - started };
  } catch {
    return { eventId, status: 0, ms: Date.now() - started };
  }
}

/** `count` new charges sent at once to the gateway, each answered (or not) on its own. */
export function probeCharges(stack: PartitionStack, count: number): Promise<ProbeAnswer[]> {
  return Promise.all(Array.from({ length: count }, () => postCharge(stack.gatewayUrl, uuidv7())));
}

/**
 * The probes sent again after the heal, as their service would, until each answers 202; then, once
 * everything is consumed, how many times the ledger holds each (each must be once).
 */
export async function settleProbes(
  stack: PartitionStack,
  probes: ProbeAnswer[],
): Promise<Map<string, number>> {
  await resendUntilAccepted(
    stack,
    probes.map((p) => p.eventId),
  );
  await stack.waitOutboxDrained();
  await stack.waitConsumed();
  return probesApplied(stack);
}

/** The probes sent again, as their service would, until each answers 202 (bounded). */
async function resendUntilAccepted(stack: PartitionStack, eventIds: string[]): Promise<void> {
  for (const eventId of eventIds) {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const answer = await postCharge(stack.gatewayUrl, eventId);
      if (answer.status === 202) break;
      if (Date.now() > deadline) throw new Error(`probe ${eventId} still answers ${answer.status}`);
      await sleep(500);
    }
  }
}

/** How many times the ledger holds each probe. */
async function probesApplied(stack: PartitionStack): Promise<Map<string, number>> {
  const { rows } = await stack.storeDb.query<{ event_id: string; n: string }>(
    `SELECT event_id, count(*) AS n FROM ledger_entries WHERE source = $1 GROUP BY event_id`,
    [PROBE_SOURCE],
  );
  return new Map(rows.map((row) => [row.event_id, Number(row.n)]));
}

/**
 * The probe user's balance as its applied probes make it, for the workload's balance check (which
 * knows only the workload's own charges): a probe accepted at once, as while the brokers' disks are
 * full, is in the ledger before the check. Each probe's once-only is checked by probesApplied.
 */
export async function probeBalance(stack: PartitionStack): Promise<Map<string, number>> {
  const { rows } = await stack.storeDb.query<{ balance: string }>(
    `SELECT coalesce(sum(amount), 0) AS balance FROM ledger_entries WHERE source = $1`,
    [PROBE_SOURCE],
  );
  return new Map([[PROBE_USER, Number(rows[0].balance)]]);
}
