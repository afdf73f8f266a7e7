import { Injectable } from '@nestjs/common';
import { ErrorCode } from '@tally/contracts';
import { AuditTrail, DomainError, uuidv7 } from '@tally/platform';
import { DataSource, EntityManager } from 'typeorm';
import type { CreatePrincipalDto, RotatePrincipalDto } from './dto/principal.dto';
import { newPrincipalToken } from './principal-token';
import { PrincipalRepository } from './principal.repository';
import { principalView, PrincipalView } from './principal.view';

const DEFAULT_OLD_TOKEN_SECONDS = 86_400;

@Injectable()
export class PrincipalsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly principals: PrincipalRepository,
    private readonly trail: AuditTrail,
  ) {}

  /** The principal with its token, which is answered this once and never again. */
  async create(body: CreatePrincipalDto): Promise<PrincipalView & { token: string }> {
    const limit = body.daily_limit ?? null;
    if (body.role === 'support' && limit === null) {
      throw invalid('daily_limit', 'a support principal needs a daily_limit');
    }
    if (body.role !== 'support' && limit !== null) {
      throw invalid('daily_limit', 'only a support principal has a daily_limit');
    }
    const { token, digest } = newPrincipalToken();
    return this.inTransaction(async (db) => {
      const row = await this.principals.insert(db, {
        id: uuidv7(),
        name: body.name,
        role: body.role,
        daily_limit: limit,
        digest,
      });
      if (!row) {
        throw new DomainError(ErrorCode.AlreadyExists, `a principal named ${body.name} exists`);
      }
      const view = principalView(row);
      this.trail.note({ targetId: view.id, after: view });
      return { ...view, token };
    });
  }

  async list(): Promise<PrincipalView[]> {
    return (await this.principals.list(this.dataSource.manager)).map(principalView);
  }

  async get(id: string): Promise<PrincipalView> {
    const row = await this.principals.find(this.dataSource.manager, id);
    if (!row) throw notFound(id);
    return principalView(row);
  }

  /** Idempotent: revoking again answers the principal as first revoked. */
  revoke(id: string): Promise<PrincipalView> {
    return this.inTransaction(async (db) => {
      const before = await this.principals.find(db, id, true);
      if (!before) throw notFound(id);
      const after = principalView((await this.principals.revoke(db, id))!);
      this.trail.note({ before: principalView(before), after });
      return after;
    });
  }

  rotate(
    id: string,
    body: RotatePrincipalDto,
  ): Promise<PrincipalView & { token: string; old_token_expires_at: string }> {
    const seconds = body.old_token_valid_seconds ?? DEFAULT_OLD_TOKEN_SECONDS;
    const { token, digest } = newPrincipalToken();
    return this.inTransaction(async (db) => {
      const before = await this.principals.find(db, id, true);
      if (!before) throw notFound(id);
      if (before.revoked_at) {
        throw new DomainError(ErrorCode.NotFound, `principal ${id} is revoked`);
      }
      const row = (await this.principals.rotate(db, id, digest, seconds))!;
      const view = principalView(row);
      this.trail.note({ before: principalView(before), after: view });
      return {
        ...view,
        token,
        old_token_expires_at: row.previous_token_expires_at!.toISOString(),
      };
    });
  }

  private inTransaction<T>(run: (db: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction('READ COMMITTED', run);
  }
}

function invalid(field: string, reason: string): DomainError {
  return new DomainError(ErrorCode.ValidationFailed, `${field}: ${reason}`, [
    `${field}: ${reason}`,
  ]);
}

function notFound(id: string): DomainError {
  return new DomainError(ErrorCode.NotFound, `no principal ${id}`);
}
