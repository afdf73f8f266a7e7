import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What an operator needs to act on a dead letter: the original headers (a refund is told from a
 * charge by its event_type header, so a redrive must send them again), the original event_id (to
 * filter by and to see whether a redrive was applied), and the redrives made. `redrive_of` is set
 * on a letter that was itself a redrive (the tally-redrive-of header) dead-lettered again.
 * Letters kept before this migration have no headers; their event_id is read from the value.
 */
export class AddDeadLetterRedrive1764720100001 implements MigrationInterface {
  name = 'AddDeadLetterRedrive1764720100001';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE dead_letters
        ADD COLUMN message_headers jsonb,
        ADD COLUMN event_id text,
        ADD COLUMN redrive_of bigint,
        ADD COLUMN redriven_at timestamptz,
        ADD COLUMN redrive_count integer NOT NULL DEFAULT 0`);
    await db.query(`
      UPDATE dead_letters
         SET event_id = substring(encode(message_value, 'escape')
                                  FROM '"event_id"\\s*:\\s*"([^"\\\\]{1,200})"')
       WHERE message_value IS NOT NULL`);
    await db.query(`CREATE INDEX dead_letters_event_id_idx ON dead_letters (event_id)`);
    await db.query(
      `CREATE INDEX dead_letters_redrive_of_idx ON dead_letters (redrive_of)
        WHERE redrive_of IS NOT NULL`,
    );
    await db.query(`CREATE INDEX dead_letters_code_idx ON dead_letters (code, id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX dead_letters_code_idx`);
    await db.query(`DROP INDEX dead_letters_redrive_of_idx`);
    await db.query(`DROP INDEX dead_letters_event_id_idx`);
    await db.query(`
      ALTER TABLE dead_letters DROP COLUMN redrive_count, DROP COLUMN redriven_at,
        DROP COLUMN redrive_of, DROP COLUMN event_id, DROP COLUMN message_headers`);
  }
}
