import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateStoredResponses1764547200000 implements MigrationInterface {
  name = 'CreateStoredResponses1764547200000';

  async up(db: QueryRunner): Promise<void> {
    // Every upstream account's stored responses are readable by anyone holding their ids; the
    // gateway lets a key read (or continue) only the responses created through it.
    // context_tokens (input + output) is what a follow-up call reads again, for its estimate.
    await db.query(`
      CREATE TABLE stored_responses (
        response_id    text PRIMARY KEY,
        api_key_id     uuid NOT NULL REFERENCES api_keys (id),
        model          text NOT NULL,
        context_tokens bigint NOT NULL CHECK (context_tokens >= 0),
        created_at     timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE stored_responses`);
  }
}
