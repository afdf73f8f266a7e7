import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export interface StoredResponse {
  response_id: string;
  api_key_id: string;
  model: string;
  context_tokens: number;
}

@Injectable()
export class StoredResponseRepository {
  /** Notes a response created through the key (a repeat of the same id changes nothing). */
  async insert(db: EntityManager, response: StoredResponse): Promise<void> {
    await db.query(
      `INSERT INTO stored_responses (response_id, api_key_id, model, context_tokens)
       VALUES ($1, $2, $3, $4) ON CONFLICT (response_id) DO NOTHING`,
      [response.response_id, response.api_key_id, response.model, response.context_tokens],
    );
  }

  /** The response if it was created through this key; another key's is not found. */
  async findOwned(
    db: EntityManager,
    responseId: string,
    apiKeyId: string,
  ): Promise<StoredResponse | undefined> {
    const rows: StoredResponse[] = await db.query(
      `SELECT response_id, api_key_id, model, context_tokens::float8 AS context_tokens
         FROM stored_responses WHERE response_id = $1 AND api_key_id = $2`,
      [responseId, apiKeyId],
    );
    return rows[0];
  }
}
