import { runStatement } from '@tally/platform';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Movement, UsageRecord } from './ledger-entry';

export type UsageMovement = Movement & { usage: UsageRecord };

/**
 * Writes a row per priced call (free ones included) in the ledger's transaction, once per event.
 * Once: the first of an event's rows in the batch, and a row already there is skipped by NOT EXISTS rather than ON CONFLICT, whose speculative
 * insertion writes a second WAL record for every row; a concurrent insert of the same event still
 * meets the primary key, and the ledger's transaction retry then skips it.
 */
@Injectable()
export class UsageRecordRepository {
  async insert(db: EntityManager, movements: UsageMovement[]): Promise<void> {
    if (movements.length === 0) return;
    await runStatement(db, {
      name: 'usage_insert',
      text: `INSERT INTO usage_records (event_id, user_id, source, mode, provider, model, rule_id,
                                  rule_version, amount, input_tokens, cached_tokens,
                                  cache_write_tokens, reasoning_tokens, output_tokens, seconds,
                                  occurred_at, api_key_id)
       SELECT DISTINCT ON (event_id) event_id, user_id, source, mode, provider, model, rule_id,
              rule_version, amount, input_tokens, cached_tokens, cache_write_tokens,
              reasoning_tokens, output_tokens, seconds, occurred_at, api_key_id
         FROM ROWS FROM (json_to_recordset($1::json) AS (
                event_id text, user_id text, source text, mode text, provider text, model text,
                rule_id text, rule_version int, amount bigint, input_tokens bigint,
                cached_tokens bigint, cache_write_tokens bigint, reasoning_tokens bigint,
                output_tokens bigint, seconds numeric, occurred_at timestamptz, api_key_id text))
              WITH ORDINALITY AS u (event_id, user_id, source, mode, provider, model, rule_id,
                                    rule_version, amount, input_tokens, cached_tokens,
                                    cache_write_tokens, reasoning_tokens, output_tokens, seconds,
                                    occurred_at, api_key_id, seq)
        WHERE NOT EXISTS (SELECT 1 FROM usage_records r WHERE r.event_id = u.event_id)
        ORDER BY event_id, seq`,
      values: [JSON.stringify(movements.map(usageJson))],
    });
  }
}

/** A row of the insert's document; numbers as JSON strings read back exactly. */
function usageJson(m: UsageMovement) {
  const { usage } = m;
  return {
    event_id: m.event_id,
    user_id: m.user_id,
    source: m.source,
    mode: usage.mode,
    provider: usage.provider,
    model: usage.model,
    rule_id: usage.rule_id,
    rule_version: usage.rule_version,
    amount: m.amount.toString(),
    input_tokens: String(usage.input_tokens),
    cached_tokens: String(usage.cached_tokens),
    cache_write_tokens: String(usage.cache_write_tokens),
    reasoning_tokens: String(usage.reasoning_tokens),
    output_tokens: String(usage.output_tokens),
    seconds: String(usage.seconds),
    occurred_at: m.occurred_at ?? new Date().toISOString(),
    api_key_id: apiKeyOf(m.metadata),
  };
}

/** The API key a charge was made through, as its metadata names it (the gateway's convention). */
function apiKeyOf(metadata: Record<string, unknown> | null | undefined): string | null {
  const key = metadata?.api_key_id;
  return typeof key === 'string' ? key : null;
}
