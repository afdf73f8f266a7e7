import type { ChargeUsage } from '@tally/contracts';
import type { PriceRuleVersion, PriceTarget } from '@tally/pricing';
import { uuidv7 } from '@tally/platform';
import type { BalanceGuard } from '../balances/balance-guard';
import type { ChargesService, NewCharge } from '../charges/charges.service';
import { requestFingerprint } from '../charges/request-fingerprint';
import type { PriceBook } from '../pricing/price-book';

export interface MeteredCallDeps {
  guard: BalanceGuard;
  charges: ChargesService;
  prices: PriceBook;
}

export interface MeteredCallParams {
  userId: string;
  apiKeyId: string;
  rule: PriceRuleVersion;
  target: PriceTarget;
  promptTokens: number;
  /** The request's own output limit, if it set one: reservations never go beyond it. */
  maxOutputTokens?: number;
  /** Output tokens reserved ahead at a time while a stream runs. */
  sliceTokens: number;
}

/**
 * The credits side of one chat call: reserves what the call may cost before it starts, grows the
 * reservation while a stream runs, and in the end records the charge for what was produced (the
 * reservation is released in the same transaction), or releases it if nothing is to be charged.
 */
export class MeteredCall {
  readonly eventId = uuidv7();
  private readonly reservationId = uuidv7();
  private reservedOutput = 0;
  private reservedAmount = 0;
  private refused = false;

  constructor(
    private readonly deps: MeteredCallDeps,
    private readonly params: MeteredCallParams,
  ) {}

  /**
   * Reserves the prompt and `outputTokens` (capped by the request's limit), or throws 402; first
   * a 400 if the call's charge could not be recorded (a model name the ledger cannot store).
   */
  async open(outputTokens: number): Promise<void> {
    this.deps.charges.check(this.chargeFor({ input_tokens: this.params.promptTokens }, {}));
    this.reservedOutput = this.capped(outputTokens);
    if (this.params.rule.mode === 'free') return;
    const amount = this.cost(this.reservedOutput);
    await this.deps.guard.reserve(this.params.userId, this.reservationId, amount);
    this.reservedAmount = amount;
  }

  /**
   * Whether `produced` output tokens are covered, reserving the next slice when the current one
   * is half used. False once the user cannot cover what is being produced: the stream must stop.
   */
  async cover(produced: number): Promise<boolean> {
    const { maxOutputTokens, sliceTokens } = this.params;
    // Up to the request's own limit everything was reserved; the upstream enforces the limit.
    if (maxOutputTokens !== undefined && this.reservedOutput >= maxOutputTokens) return true;
    if (this.params.rule.mode === 'free') return true;
    if (!this.refused && produced + sliceTokens / 2 >= this.reservedOutput) {
      const output = this.capped(this.reservedOutput + sliceTokens);
      const amount = this.cost(output);
      if (amount === this.reservedAmount) {
        this.reservedOutput = output;
      } else if (await this.deps.guard.extend(this.params.userId, this.reservationId, amount)) {
        this.reservedOutput = output;
        this.reservedAmount = amount;
      } else {
        this.refused = true;
      }
    }
    return produced <= this.reservedOutput;
  }

  /** Records the charge for this usage; answers the amount charged. */
  async settle(
    usage: ChargeUsage,
    metadata: Record<string, unknown>,
    sourceRefId?: string,
  ): Promise<number> {
    const recorded = await this.deps.charges.record(
      this.chargeFor(usage, metadata, sourceRefId),
      this.reservedAmount > 0 ? this.reservationId : undefined,
    );
    this.reservedAmount = 0;
    return recorded.amount;
  }

  private chargeFor(
    usage: ChargeUsage,
    metadata: Record<string, unknown>,
    sourceRefId?: string,
  ): NewCharge {
    const { amount, pricing } = this.deps.prices.price(this.params.rule, this.params.target, usage);
    return {
      event_id: this.eventId,
      user_id: this.params.userId,
      source: 'chat',
      source_ref_id: sourceRefId?.slice(0, 128),
      amount,
      pricing,
      metadata: { api_key_id: this.params.apiKeyId, ...metadata },
      request_fingerprint: requestFingerprint({ event_id: this.eventId }),
    };
  }

  /** Nothing to charge (the call failed): frees the reservation. */
  async abandon(): Promise<void> {
    if (this.reservedAmount === 0) return;
    this.reservedAmount = 0;
    await this.deps.guard.release(this.reservationId);
  }

  private capped(outputTokens: number): number {
    const max = this.params.maxOutputTokens;
    return max === undefined ? outputTokens : Math.min(outputTokens, max);
  }

  private cost(outputTokens: number): number {
    return this.deps.prices.price(this.params.rule, this.params.target, {
      input_tokens: this.params.promptTokens,
      output_tokens: outputTokens,
    }).amount;
  }
}
