import { Module } from '@nestjs/common';
import { AccountRepository } from './account.repository';

/** Accounts: balances and totals, locked by the ledger transaction that moves them. */
@Module({ providers: [AccountRepository], exports: [AccountRepository] })
export class AccountStoreModule {}
