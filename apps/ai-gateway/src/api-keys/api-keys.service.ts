import { Injectable } from '@nestjs/common';
import { ErrorCode, jsonAmount } from '@tally/contracts';
import { DomainError, uuidv7 } from '@tally/platform';
import { DataSource } from 'typeorm';
import { apiKeyHash, looksLikeApiKey, newApiKeySecret } from './api-key-secret';
import { ApiKeyCache } from './api-key-cache';
import { ApiKey, ApiKeyRepository, LimitsPatch } from './api-key.repository';
import type { ApiKeyLimitsDto } from './dto/api-key-limits.dto';
import type { CreateApiKeyDto } from './dto/create-api-key.dto';
import { KeyClock } from './key-clock';

const LIMIT_FIELDS = ['budget', 'rpm', 'tpm', 'max_parallel', 'models', 'expires_at'] as const;

@Injectable()
export class ApiKeysService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly keys: ApiKeyRepository,
    private readonly cache: ApiKeyCache,
    private readonly clock: KeyClock,
  ) {}

  /** The key with its secret, which is answered this once and never again. */
  async create(body: CreateApiKeyDto): Promise<ApiKey & { key: string }> {
    const secret = newApiKeySecret();
    // Each change in a transaction, so that its audit record commits with it.
    const stored = await this.dataSource.transaction((db) =>
      this.keys.insert(
        db,
        {
          id: uuidv7(),
          user_id: body.user_id,
          name: body.name,
          prefix: secret.prefix,
          hash: secret.hash,
        },
        limitsPatch(body),
      ),
    );
    return { ...stored, key: secret.key };
  }

  list(userId?: string): Promise<ApiKey[]> {
    return this.keys.list(this.dataSource.manager, userId);
  }

  /** The key, its limits, and where it stands against them now. */
  async view(id: string) {
    const db = this.dataSource.manager;
    const key = await this.keys.findById(db, id);
    if (!key) throw notFound(id);
    const figures = (await this.keys.figures(db, id, this.clock.now()))!;
    return {
      ...key,
      usage: {
        period_start: key.budget ? figures.period_start : null,
        spent: jsonAmount(figures.spent),
        reserved: jsonAmount(figures.reserved),
        remaining: key.budget
          ? jsonAmount(maxZero(BigInt(key.budget.credits) - figures.spent - figures.reserved))
          : null,
        in_flight: figures.in_flight,
        minute: {
          start: figures.minute,
          requests: figures.requests,
          tokens: jsonAmount(figures.tokens),
        },
      },
    };
  }

  /** Changes the limits given; every replica forgets its copy of the key. */
  async update(id: string, body: ApiKeyLimitsDto): Promise<ApiKey> {
    const updated = await this.dataSource.transaction((db) =>
      this.keys.updateLimits(db, id, limitsPatch(body)),
    );
    if (!updated) throw notFound(id);
    this.cache.forget(id);
    return updated;
  }

  async revoke(id: string): Promise<ApiKey> {
    const revoked = await this.dataSource.transaction((db) => this.keys.revoke(db, id));
    if (!revoked) throw notFound(id);
    this.cache.forget(id);
    return revoked;
  }

  /** The live key a client presented, or undefined (unknown, revoked or malformed). */
  async authenticate(presented: string): Promise<ApiKey | undefined> {
    if (!looksLikeApiKey(presented)) return undefined;
    const hash = apiKeyHash(presented);
    return this.cache.get(hash, () => this.keys.findLive(this.dataSource.manager, hash));
  }

  /** The key named by a service's charge, if it is one of the user's keys. */
  async ofUser(id: string, userId: string): Promise<ApiKey | undefined> {
    const key = await this.keys.findById(this.dataSource.manager, id);
    return key?.user_id === userId ? key : undefined;
  }

  /** Corrects a call's token estimate in its minute's counter to what it used. */
  async correctTokens(id: string, minute: Date, delta: number): Promise<void> {
    if (delta !== 0) await this.keys.correctTokens(this.dataSource.manager, id, minute, delta);
  }
}

/** The limits the body gives (null: removed), as the repository takes them. */
function limitsPatch(body: ApiKeyLimitsDto): LimitsPatch {
  const patch: Record<string, unknown> = {};
  for (const field of LIMIT_FIELDS) {
    const value = body[field];
    if (value === undefined) continue;
    // Dates without an offset are UTC midnight (see IsInstant), whatever PostgreSQL's time zone.
    patch[field] =
      field === 'expires_at' && typeof value === 'string' ? new Date(value).toISOString() : value;
  }
  return patch;
}

function maxZero(value: bigint): bigint {
  return value > 0n ? value : 0n;
}

function notFound(id: string): DomainError {
  return new DomainError(ErrorCode.NotFound, `API key ${id} does not exist`);
}
