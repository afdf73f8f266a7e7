import { Injectable } from '@nestjs/common';
import { ErrorCode } from '@tally/contracts';
import { DomainError, uuidv7 } from '@tally/platform';
import { DataSource } from 'typeorm';
import { apiKeyHash, looksLikeApiKey, newApiKeySecret } from './api-key-secret';
import { ApiKey, ApiKeyRepository } from './api-key.repository';
import type { CreateApiKeyDto } from './dto/create-api-key.dto';

@Injectable()
export class ApiKeysService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly keys: ApiKeyRepository,
  ) {}

  /** The key with its secret, which is answered this once and never again. */
  async create(body: CreateApiKeyDto): Promise<ApiKey & { key: string }> {
    const secret = newApiKeySecret();
    const stored = await this.keys.insert(this.dataSource.manager, {
      id: uuidv7(),
      user_id: body.user_id,
      name: body.name,
      prefix: secret.prefix,
      hash: secret.hash,
    });
    return { ...stored, key: secret.key };
  }

  list(userId?: string): Promise<ApiKey[]> {
    return this.keys.list(this.dataSource.manager, userId);
  }

  async revoke(id: string): Promise<ApiKey> {
    const revoked = await this.keys.revoke(this.dataSource.manager, id);
    if (!revoked) throw new DomainError(ErrorCode.NotFound, `API key ${id} does not exist`);
    return revoked;
  }

  /** The live key a client presented, or undefined (unknown, revoked or malformed). */
  async authenticate(presented: string): Promise<ApiKey | undefined> {
    if (!looksLikeApiKey(presented)) return undefined;
    return this.keys.findLive(this.dataSource.manager, apiKeyHash(presented));
  }
}
