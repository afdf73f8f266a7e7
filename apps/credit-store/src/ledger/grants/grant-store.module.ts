import { Module } from '@nestjs/common';
import { GrantPolicy } from './grant-policy';
import { GrantRepository } from './grant.repository';

/** Grants: every income's credits with their expiry, drawn FIFO by the ledger transaction. */
@Module({ providers: [GrantRepository, GrantPolicy], exports: [GrantRepository, GrantPolicy] })
export class GrantStoreModule {}
