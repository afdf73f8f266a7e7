import { Injectable } from '@nestjs/common';
import { ErrorCode, jsonAmount } from '@tally/contracts';
import { AuditTrail, DomainError, uuidv7 } from '@tally/platform';
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
    private readonly trail: AuditTrail,
  ) {}

  /**
   * The key with its secret, which is answered this once and never again. Each change of a key
   * is one transaction, which commits its audit record with it (never the secret).
   */
  async create(body: CreateApiKeyDto): Promise<ApiKey & { key: string }> {
    const secret = newApiKeySecret();
    const stored = await this.dataSource.transaction(async (db) => {
      const key = await this.keys.insert(
        db,
        {
          id: uuidv7(),
          user_id: body.user_id,
          name: body.name,
          prefix: secret.prefix,
          hash: secret.hash,
        },
        limitsPatch(body),
      );
      this.trail.note({ after: key });
      return key;
    });
    return { ...stored, key: secret.key };
  }

  list(userId?: string): Promise<ApiKey[]> {
    return this.keys.list(this.dataSource.manager, userId);
  }

  /** The key, its limits, and where it stands against them now. */
  async view(id: string) {
    const key = await this.keys.findById(this.dataSource.manager, id);
    if (!key) throw notFound(id);
    return { ...key, usage: await this.standing(key) };
  }

  /**
   * Where the key stands against its limits now: spent in the budget's period, reserved by calls
   * in flight, what is left of the budget, this minute's counts.
   */
  async standing(key: ApiKey) {
    const figures = (await this.keys.figures(this.dataSource.manager, key.id, this.clock.now()))!;
    return {
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
    };
  }

  /** Changes the limits given; every replica forgets its copy of the key. */
  async update(id: string, body: ApiKeyLimitsDto): Promise<ApiKey> {
    const updated = await this.dataSource.transaction(async (db) => {
      const before = await this.keys.findById(db, id, { lock: true });
      if (!before) throw notFound(id);
      const after = (await this.keys.updateLimits(db, id, limitsPatch(body)))!;
      this.trail.note({ before, after });
      return after;
    });
    this.cache.forget(id);
    return updated;
  }

  async revoke(id: string): Promise<ApiKey> {
    const revoked = await this.dataSource.transaction(async (db) => {
      const before = await this.keys.findById(db, id, { lock: true });
      if (!before) throw notFound(id);
      const after = (await this.keys.revoke(db, id))!;
      this.trail.note({ before, after });
      return after;
    });
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
