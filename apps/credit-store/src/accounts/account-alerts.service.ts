import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AuditTrail } from '@tally/platform';
import { DataSource } from 'typeorm';
import { CreditStoreConfig } from '../config/credit-store.config';
import { AccountRepository } from '../ledger/accounts/account.repository';
import type { AccountAlertsDto } from './dto/account-alerts.dto';

/** An account's alert settings as clients see them. */
export interface AccountAlertsView {
  user_id: string;
  /** The account's own threshold (null: none), or the default when it set none. */
  low_balance: number | null;
  /** Whether low_balance is LOW_BALANCE_THRESHOLD's, not the account's own. */
  default: boolean;
}

@Injectable()
export class AccountAlertsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly accounts: AccountRepository,
    private readonly trail: AuditTrail,
    private readonly config: CreditStoreConfig,
  ) {}

  /** Under the account's lock, so a ledger transaction sees the threshold before or after, whole. */
  async set(userId: string, body: AccountAlertsDto): Promise<AccountAlertsView> {
    const threshold = body.low_balance === null ? null : BigInt(body.low_balance);
    return this.dataSource.transaction(async (db) => {
      const { before } = await this.accounts.setLowBalance(db, userId, threshold);
      const view: AccountAlertsView = {
        user_id: userId,
        low_balance: body.low_balance,
        default: false,
      };
      this.trail.note({ before: this.view(userId, before), after: view });
      return view;
    });
  }

  private view(userId: string, own: bigint | null | undefined): AccountAlertsView {
    if (own !== undefined) {
      return { user_id: userId, low_balance: own === null ? null : Number(own), default: false };
    }
    return {
      user_id: userId,
      low_balance: this.config.LOW_BALANCE_THRESHOLD ?? null,
      default: true,
    };
  }
}
