import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateDeadLetters1764460800000 implements MigrationInterface {
  name = 'CreateDeadLetters1764460800000';

  async up(db: QueryRunner): Promise<void> {
    // One row per message dead-lettered, keyed by where it came from: the consumer publishes a
    // letter again when it dies before committing the offset, and that letter is this same row.
    await db.query(`
      CREATE TABLE dead_letters (
        id               bigserial PRIMARY KEY,
        source_topic     text NOT NULL,
        source_partition integer NOT NULL,
        source_offset    bigint NOT NULL,
        code             text NOT NULL,
        reason           text NOT NULL,
        message_key      bytea,
        message_value    bytea,
        failed_at        timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT dead_letters_origin UNIQUE (source_topic, source_partition, source_offset)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE dead_letters`);
  }
}
