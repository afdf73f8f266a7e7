import { ErrorCode, isStorableText, type ChargeUsage } from '@tally/contracts';
import { DomainError, uuidv7 } from '@tally/platform';
import type { PriceRuleVersion, PriceTarget } from '@tally/pricing';
import type { BalanceGuard } from '../balances/balance-guard';
import type { ChargesService, NewCharge } from '../charges/charges.service';
import { requestFingerprint } from '../charges/request-fingerprint';
import type { PriceBook } from '../pricing/price-book';

export interface MeteredCallDeps {
  guard: BalanceGuard;
  /** Corrects a call's token estimate in its key's minute counter (for a key with tpm). */
  correctTokens?: (apiKeyId: string, minute: Date, delta: number) => Promise<void>;
  charges: ChargesService;
  prices: PriceBook;
  /** Told of each failed attempt to record the charge (it is tried again). */
  onRecordFailure?: (error: unknown, attempt: number) => void;
}

/** Waits between attempts to record a charge: from the first to the longest, doubling. */
export const RECORD_RETRY_MS = { first: 50, longest: 5000 };

/** A price rule and what it prices. */
export interface PricedTarget {
  rule: PriceRuleVersion;
  target: PriceTarget;
}

/** The output limit the gateway chooses for a call that set none. */
export interface ChosenOutput {
  /** The most per choice (GUARD_DEFAULT_MAX_TOKENS). */
  most: number;
  /** The least per choice worth sending (GUARD_MIN_OUTPUT_TOKENS, at most `most`). */
  least: number;
  choices: number;
}

export interface MeteredCallParams {
  userId: string;
  /** The charge's source: what kind of call it was (`chat`, `embedding`...). */
  source: string;
  apiKeyId: string;
  /** The key counts calls (rpm, tpm, max_parallel): even a free call is reserved, for 0. */
  keyCountsCalls?: boolean;
  /** The key limits tokens per minute: its count is corrected to the usage when the call ends. */
  keyCountsTokens?: boolean;
  /** The price of the call as asked (its model, its first deployment's provider). */
  rule: PriceRuleVersion;
  target: PriceTarget;
  /** The prices of where else it may be served (other deployments, fallback models). */
  alternatives?: PricedTarget[];
  promptTokens: number;
  /**
   * The most output the upstream is asked for (for chat, the per-choice limit times the choices),
   * hidden reasoning included. Reserved up front, as a stream cannot show reasoning.
   */
  outputTokens: number;
  /** The prompt may be written to Anthropic's 1-hour cache: reserved at that price if dearer. */
  hourCacheWrites?: boolean;
  /** Output tokens reserved at a time beyond `outputTokens`, for an upstream that ignores it. */
  sliceTokens: number;
  /** How often the reservation's lapse is pushed back while the call runs. */
  renewEveryMs: number;
}

/**
 * The credits side of one metered call (chat, responses, embeddings): reserves what the call may cost before it starts, keeps the
 * reservation alive and counts the output against it while the call runs, and in the end records
 * the charge for what was produced (the reservation is released in the same transaction), or
 * releases it if nothing is to be charged.
 */
export class MeteredCall {
  readonly eventId = uuidv7();
  /** The charge's fingerprint: its event_id alone, so one for the call's checks and its charge. */
  private readonly fingerprint = requestFingerprint({ event_id: this.eventId });
  private readonly reservationId = uuidv7();
  private reservedOutput = 0;
  private reservedAmount = 0;
  /** A reservation is held (for 0 credits when only the key's counters needed one). */
  private reserved = false;
  /** Why a running call's reservation could not grow (the credits, or the key's budget). */
  refusal?: DomainError;
  /** The minute the call was counted in against its key's tpm. */
  private countedMinute?: Date;
  private renewal?: NodeJS.Timeout;
  /** The tokens the call was counted for when it started (prompt and output reserved). */
  private estimate = 0;
  /** What the call is charged at: the price of the deployment and model that served it. */
  private charged: PricedTarget;
  private readonly chain: PricedTarget[];
  /** Where it was served, for the charge's metadata. */
  private served?: { served_by: string; attempts: number };

  constructor(
    private readonly deps: MeteredCallDeps,
    private readonly params: MeteredCallParams,
  ) {
    this.charged = { rule: params.rule, target: params.target };
    this.chain = [this.charged, ...(params.alternatives ?? [])];
  }

  /** Every price of the chain is free. */
  private get free(): boolean {
    return this.chain.every((p) => p.rule.mode === 'free');
  }

  /** The call is served there: charged at `priced`, and the charge says so. */
  servedAt(priced: PricedTarget, deploymentId: string, attempts: number): void {
    this.charged = priced;
    this.served = { served_by: deploymentId, attempts };
  }

  /**
   * Reserves the prompt and the whole output the upstream is asked for, or throws 402; first a
   * 400 if the call's charge could not be recorded (a model name the ledger cannot store). With
   * `choose`, the output per choice is the most the user and the key can afford up to
   * `choose.most`, answered; 402 when that is below `choose.least`. A 402 says how many output
   * tokens the call asked for and how many can be afforded.
   */
  async open(choose?: ChosenOutput): Promise<number | undefined> {
    this.deps.charges.check(this.chargeFor({ input_tokens: this.params.promptTokens }, {}));
    const free = this.free;
    let perChoice: number | undefined;
    if (choose) {
      perChoice = free ? choose.most : await this.affordablePerChoice(choose);
      this.reservedOutput = perChoice * choose.choices;
    } else {
      this.reservedOutput = this.params.outputTokens;
    }
    this.estimate = this.params.promptTokens + this.reservedOutput;
    if (free && !this.params.keyCountsCalls) return perChoice;
    const amount = free ? 0 : this.cost(this.reservedOutput);
    try {
      this.countedMinute = await this.deps.guard.reserve(
        this.params.userId,
        this.reservationId,
        amount,
        { keyId: this.params.apiKeyId, tokens: this.estimatedTokens() },
      );
    } catch (error) {
      throw await this.withAffordable(error, this.reservedOutput);
    }
    this.reserved = true;
    this.reservedAmount = amount;
    this.renewal = setInterval(() => {
      this.deps.guard.renew(this.reservationId).catch(() => undefined); // the next tick tries again
    }, this.params.renewEveryMs);
    this.renewal.unref();
    return perChoice;
  }

  /** The most output per choice the user and the key can afford now, or 402 below the least. */
  private async affordablePerChoice(choose: ChosenOutput): Promise<number> {
    const can = await this.affordableOutput(choose.most * choose.choices);
    const perChoice = Math.floor(can.output / choose.choices);
    if (perChoice >= choose.least) return perChoice;
    // Nothing to spend (a blocked account too): the guard's own refusal says why.
    if (can.by === 'balance' && can.credits === 0n) return choose.least;
    throw new DomainError(
      can.by === 'key' ? ErrorCode.KeyBudgetExceeded : ErrorCode.InsufficientCredits,
      `${can.by === 'key' ? 'key budget exceeded' : 'insufficient credits'}: this call needs at ` +
        `least ${choose.least * choose.choices} output tokens and ${can.credits} credits cover ` +
        `${perChoice * choose.choices}`,
    );
  }

  /** The most output (up to `most`) that what the user and the key have left covers. */
  private async affordableOutput(
    most: number,
  ): Promise<{ output: number; credits: bigint; by: 'balance' | 'key' }> {
    const left = await this.deps.guard.affordable(this.params.userId, this.params.apiKeyId);
    const within = (output: number) => BigInt(this.cost(output)) <= left.credits;
    let [low, high] = [0, most];
    if (!within(0)) return { output: 0, ...left };
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (within(mid)) low = mid;
      else high = mid - 1;
    }
    return { output: low, ...left };
  }

  /** A 402 for credits or the key's budget, with the output asked for and the output affordable. */
  private async withAffordable(error: unknown, asked: number): Promise<unknown> {
    const code = (error as DomainError).code;
    if (code !== ErrorCode.InsufficientCredits && code !== ErrorCode.KeyBudgetExceeded)
      return error;
    const can = await this.affordableOutput(asked).catch(() => undefined);
    if (!can) return error;
    const refusal = error as DomainError;
    return new DomainError(
      refusal.code,
      `${refusal.message} (this call asks for up to ${asked} output tokens; ` +
        `${can.output} are affordable)`,
      refusal.details,
    );
  }

  /** The output tokens the reservation covers now. */
  get coveredOutput(): number {
    return this.free ? Infinity : this.reservedOutput;
  }

  /**
   * Whether `produced` output tokens (all choices, counted as they pass) are covered. An upstream
   * that goes past what was asked is given slices more, reserved when less than half a slice is
   * left, as many at once as it needs (one network read may carry many); false once the user or
   * the key cannot cover what is produced (`refusal` says why): the stream must stop at
   * `coveredOutput`. A refusal is final: the reservation does not grow again.
   */
  async cover(produced: number): Promise<boolean> {
    if (this.free) return true;
    const { sliceTokens } = this.params;
    const short = produced + sliceTokens / 2 - this.reservedOutput;
    if (!this.refusal && short >= 0) {
      const output =
        this.reservedOutput + sliceTokens * Math.max(1, Math.ceil(short / sliceTokens));
      const amount = this.cost(output);
      if (amount === this.reservedAmount) {
        this.reservedOutput = output;
      } else {
        this.refusal = await this.deps.guard.extend(
          this.params.userId,
          this.reservationId,
          amount,
          this.params.apiKeyId,
        );
        if (!this.refusal) {
          this.reservedOutput = output;
          this.reservedAmount = amount;
        }
      }
    }
    return produced <= this.reservedOutput;
  }

  /**
   * Records the charge for this usage, trying again (it is idempotent by event_id) until it is
   * durable: the reservation keeps holding meanwhile. Only a refusal (a DomainError) ends it.
   * Answers the amount charged.
   */
  async settle(
    usage: ChargeUsage,
    metadata: Record<string, unknown>,
    sourceRefId?: string,
  ): Promise<number> {
    const charge = this.chargeFor(usage, metadata, sourceRefId);
    const reservationId = this.reserved ? this.reservationId : undefined;
    for (let attempt = 1, wait = RECORD_RETRY_MS.first; ; attempt++) {
      try {
        const recorded = await this.deps.charges.record(
          charge,
          reservationId,
          this.params.apiKeyId,
        );
        this.stopRenewal();
        this.reserved = false;
        this.reservedAmount = 0;
        this.correctTokens((usage.input_tokens ?? 0) + (usage.output_tokens ?? 0));
        return recorded.amount;
      } catch (error) {
        if (error instanceof DomainError) throw error;
        this.deps.onRecordFailure?.(error, attempt);
        await new Promise((resolve) => setTimeout(resolve, wait));
        wait = Math.min(wait * 2, RECORD_RETRY_MS.longest);
      }
    }
  }

  private chargeFor(
    usage: ChargeUsage,
    metadata: Record<string, unknown>,
    sourceRefId?: string,
  ): NewCharge {
    const { rule, target } = this.charged;
    const { amount, pricing } = this.deps.prices.price(rule, target, usage);
    return {
      event_id: this.eventId,
      user_id: this.params.userId,
      source: this.params.source,
      source_ref_id: storableRef(sourceRefId),
      amount,
      pricing,
      metadata: { api_key_id: this.params.apiKeyId, ...this.served, ...metadata },
      request_fingerprint: this.fingerprint,
    };
  }

  /** Nothing to charge (the call failed): frees the reservation. */
  async abandon(): Promise<void> {
    this.stopRenewal();
    if (!this.reserved) return;
    this.reserved = false;
    this.reservedAmount = 0;
    this.correctTokens(0);
    await this.deps.guard.release(this.reservationId);
  }

  /** What the call counts against its key's tpm when it starts: the prompt and all it may produce. */
  estimatedTokens(): number {
    return this.estimate;
  }

  /**
   * Replaces the call's estimate in its key's minute by what it used. A rate counter, not money:
   * not waited for, and a failure only leaves the estimate counted.
   */
  private correctTokens(used: number): void {
    const minute = this.countedMinute;
    if (!minute || !this.params.keyCountsTokens || !this.deps.correctTokens) return;
    this.countedMinute = undefined;
    this.deps
      .correctTokens(this.params.apiKeyId, minute, used - this.estimatedTokens())
      .catch(() => undefined);
  }

  stopRenewal(): void {
    clearInterval(this.renewal);
    this.renewal = undefined;
  }

  /**
   * The most the prompt and `outputTokens` can cost: the output all priced as reasoning and the
   * prompt all as cache writes (Anthropic's, dearer than input; 1-hour ones when the request asks
   * for them) when that is dearer. The cost is linear in each, so the extremes bound every mix.
   * Priced by the dearest of the chain: the call may be served by any.
   */
  private cost(outputTokens: number): number {
    return Math.max(...this.chain.map((priced) => this.costAt(priced, outputTokens)));
  }

  private costAt({ rule, target }: PricedTarget, outputTokens: number): number {
    const { promptTokens, hourCacheWrites } = this.params;
    const price = (reasoning: number, cacheWrites: number, hourWrites: number) =>
      this.deps.prices.price(rule, target, {
        input_tokens: promptTokens,
        output_tokens: outputTokens,
        ...(reasoning ? { reasoning_tokens: reasoning } : {}),
        ...(cacheWrites ? { cache_write_tokens: cacheWrites } : {}),
        ...(hourWrites ? { cache_write_1h_tokens: hourWrites } : {}),
      }).amount;
    const prompts = [0, promptTokens];
    return Math.max(
      ...[0, outputTokens].flatMap((reasoning) => [
        ...prompts.map((writes) => price(reasoning, writes, 0)),
        ...(hourCacheWrites ? [price(reasoning, promptTokens, promptTokens)] : []),
      ]),
    );
  }
}

/**
 * The upstream's completion id, as the charge's reference when the ledger can store it: cut to
 * the contract's 128 characters, and left out when it is not text PostgreSQL takes, since the
 * call was served and its charge must still be recorded.
 */
function storableRef(upstreamId: string | undefined): string | undefined {
  const ref = upstreamId?.slice(0, 128);
  return ref !== undefined && isStorableText(ref) ? ref : undefined;
}
