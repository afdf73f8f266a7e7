import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Movement, UsageRecord } from './ledger-entry';

export type UsageMovement = Movement & { usage: UsageRecord };

/** Writes a row per priced call (free ones included) in the ledger's transaction, once per event. */
@Injectable()
export class UsageRecordRepository {
  async insert(db: EntityManager, movements: UsageMovement[]): Promise<void> {
    if (movements.length === 0) return;
    const col = <T>(pick: (m: UsageMovement) => T) => movements.map(pick);
    await db.query(
      `INSERT INTO usage_records (event_id, user_id, source, mode, provider, model, rule_id,
                                  rule_version, amount, input_tokens, cached_tokens,
                                  cache_write_tokens, reasoning_tokens, output_tokens, seconds,
                                  occurred_at, api_key_id)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                            $7::text[], $8::int[], $9::bigint[], $10::bigint[], $11::bigint[],
                            $12::bigint[], $13::bigint[], $14::bigint[], $15::numeric[],
                            $16::timestamptz[], $17::text[])
       ON CONFLICT (event_id) DO NOTHING`,
      [
        col((m) => m.event_id),
        col((m) => m.user_id),
        col((m) => m.source),
        col((m) => m.usage.mode),
        col((m) => m.usage.provider),
        col((m) => m.usage.model),
        col((m) => m.usage.rule_id),
        col((m) => m.usage.rule_version),
        col((m) => m.amount.toString()),
        col((m) => m.usage.input_tokens),
        col((m) => m.usage.cached_tokens),
        col((m) => m.usage.cache_write_tokens),
        col((m) => m.usage.reasoning_tokens),
        col((m) => m.usage.output_tokens),
        col((m) => m.usage.seconds),
        col((m) => m.occurred_at ?? new Date().toISOString()),
        col((m) => apiKeyOf(m.metadata)),
      ],
    );
  }
}

/** The API key a charge was made through, as its metadata names it (the gateway's convention). */
function apiKeyOf(metadata: Record<string, unknown> | null | undefined): string | null {
  const key = metadata?.api_key_id;
  return typeof key === 'string' ? key : null;
}
