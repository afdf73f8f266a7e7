import { Injectable } from '@nestjs/common';
import { ErrorCode, type ErrorBody } from '@tally/contracts';
import { DomainError } from '@tally/platform';
import type { ApiKey } from '../api-keys/api-key.repository';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { CreditStoreClient } from '../credit-store-api/credit-store.client';
import type { MyLedgerQuery } from './dto/my-ledger.query';
import { myKey, myLedgerEntry, type StoreLedgerEntry } from './me.view';

/** The account part of `GET /v1/me`, as the credit-store's overview answers it. */
interface StoreOverview {
  balance: number;
  blocked: boolean;
  grants: { amount_remaining: number; expires_at: string | null; source: string }[];
  grants_truncated: boolean;
  usage: Record<string, unknown>;
}

/**
 * A user's own view through their API key: the account (balance, grants, usage) and its ledger
 * are the credit-store's, read with the gateway's service principal; the key's budget and limits
 * are the gateway's. The user is always the key's, never a parameter.
 */
@Injectable()
export class MeService {
  constructor(
    private readonly store: CreditStoreClient,
    private readonly keys: ApiKeysService,
  ) {}

  async me(key: ApiKey) {
    const [account, standing] = await Promise.all([
      this.read<StoreOverview>(`/accounts/${encodeURIComponent(key.user_id)}/overview`),
      this.keys.standing(key),
    ]);
    return {
      user_id: key.user_id,
      balance: account.balance,
      blocked: account.blocked,
      key: myKey(key, standing),
      grants: account.grants,
      grants_truncated: account.grants_truncated,
      usage: account.usage,
    };
  }

  async ledger(key: ApiKey, query: MyLedgerQuery) {
    const params = new URLSearchParams({ limit: String(query.limit) });
    if (query.cursor !== undefined) params.set('cursor', query.cursor);
    const page = await this.read<{ items: StoreLedgerEntry[]; next_cursor: string | null }>(
      `/accounts/${encodeURIComponent(key.user_id)}/ledger?${params.toString()}`,
    );
    return { items: page.items.map(myLedgerEntry), next_cursor: page.next_cursor };
  }

  /** The credit-store's answer; its refusal of the client's input as is, anything else a 503. */
  private async read<T>(path: string): Promise<T> {
    const answer = await this.store.call('GET', path);
    if (answer.status === 200) return answer.body as T;
    const error = answer.body as Partial<ErrorBody> | undefined;
    if (answer.status === 400 && error?.code) {
      throw new DomainError(error.code, error.message ?? error.code, error.details);
    }
    throw new DomainError(
      ErrorCode.ServiceUnavailable,
      `the credit-store answered ${answer.status} to ${path.split('?')[0]}`,
    );
  }
}
