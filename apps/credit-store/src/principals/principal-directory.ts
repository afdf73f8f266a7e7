import { Injectable } from '@nestjs/common';
import type { Principal, PrincipalDirectory as Directory } from '@tally/platform';
import { DataSource } from 'typeorm';
import { PrincipalRepository } from './principal.repository';

/**
 * The credit-store's principals, read from their table on each request: a revoked or rotated-out
 * token is refused at once (people's requests are few; services mostly use the bootstrap token).
 */
@Injectable()
export class PrincipalDirectory implements Directory {
  constructor(
    private readonly dataSource: DataSource,
    private readonly principals: PrincipalRepository,
  ) {}

  findByDigest(digest: Buffer): Promise<Principal | undefined> {
    return this.principals.findByDigest(this.dataSource.manager, digest);
  }
}
