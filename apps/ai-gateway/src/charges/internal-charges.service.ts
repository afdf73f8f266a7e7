import { Injectable } from '@nestjs/common';
import { ErrorCode } from '@tally/contracts';
import { DomainError } from '@tally/platform';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { PriceBook, PricedCall } from '../pricing/price-book';
import { ChargesService } from './charges.service';
import type { CreateChargeDto } from './dto/create-charge.dto';
import { requestFingerprint } from './request-fingerprint';

export interface ChargeAccepted {
  event_id: string;
  amount: number;
  status: 'accepted';
}

/** `POST /internal/charges`: post-paid charges of internal services, priced here if asked. */
@Injectable()
export class InternalChargesService {
  constructor(
    private readonly charges: ChargesService,
    private readonly prices: PriceBook,
    private readonly keys: ApiKeysService,
  ) {}

  async accept(body: CreateChargeDto): Promise<ChargeAccepted> {
    const fingerprint = requestFingerprint(body);
    const { event_id, user_id, source, source_ref_id, hold_id, description, api_key_id } = body;
    if (api_key_id !== undefined && !(await this.keys.ofUser(api_key_id, user_id))) {
      throw new DomainError(
        ErrorCode.ValidationFailed,
        `api_key_id: ${user_id} has no API key ${api_key_id}`,
        [`api_key_id: ${user_id} has no API key ${api_key_id}`],
      );
    }
    const metadata = api_key_id ? { ...body.metadata, api_key_id } : body.metadata;
    let priced: PricedCall;
    try {
      priced = await this.priceOf(body);
    } catch (error) {
      // A repeat must answer as the first did, even if its rule has changed or gone since.
      const first = await this.charges.firstAmount({ event_id, request_fingerprint: fingerprint });
      if (first === undefined) throw error;
      return { event_id, amount: first, status: 'accepted' };
    }
    const recorded = await this.charges.record(
      {
        ...{ event_id, user_id, source, source_ref_id, hold_id, description, metadata },
        ...priced,
        request_fingerprint: fingerprint,
      },
      undefined,
      api_key_id,
    );
    return { event_id, amount: recorded.amount, status: 'accepted' };
  }

  /** The explicit amount (pricing `fixed`), or the usage priced with the matching rule. */
  private async priceOf(body: CreateChargeDto): Promise<PricedCall> {
    const hasAmount = body.amount !== undefined;
    const hasUsage = body.model !== undefined || body.usage !== undefined;
    if (hasAmount === hasUsage) {
      throw new DomainError(
        ErrorCode.ValidationFailed,
        'give either amount, or model and usage to be priced (not both)',
      );
    }
    if (hasAmount) return { amount: body.amount!, pricing: { mode: 'fixed', usage: {} } };
    if (body.model === undefined || body.usage === undefined) {
      throw new DomainError(
        ErrorCode.ValidationFailed,
        'a priced charge needs both model and usage',
      );
    }
    const target = { scene: body.scene ?? body.source, provider: body.provider, model: body.model };
    const rule = await this.prices.ruleFor(target, ErrorCode.NoPriceRule);
    return this.prices.price(rule, target, body.usage);
  }
}
