/**
 * Stable error codes of every HTTP answer and dead-letter reason. Clients branch on these,
 * never on messages, so a code is never renamed once released.
 */
export enum ErrorCode {
  ValidationFailed = 'validation_failed',
  InvalidJson = 'invalid_json',
  PayloadTooLarge = 'payload_too_large',
  Unauthorized = 'unauthorized',
  Forbidden = 'forbidden',
  /** A support principal's grants, voids and refunds would pass its daily limit (credits per UTC day). */
  LimitExceeded = 'limit_exceeded',
  NotFound = 'not_found',
  EventIdConflict = 'event_id_conflict',
  InsufficientCredits = 'insufficient_credits',
  /** The API key's own budget for its period would be passed (the account may still have credits). */
  KeyBudgetExceeded = 'key_budget_exceeded',
  /** The API key's requests, tokens per minute or calls in flight are at its limit (Retry-After). */
  RateLimited = 'rate_limited',
  /** The API key may not call this model (its model list leaves it out). */
  ModelNotAllowed = 'model_not_allowed',
  /** A hold that is captured, voided or expired cannot be captured or voided (again). */
  HoldNotOpen = 'hold_not_open',
  /** A cancelled order cannot be paid; a paid or credited one cannot be cancelled. */
  OrderNotPayable = 'order_not_payable',
  /** A refund names no charge of its user in the ledger (unknown, not a charge, or rejected). */
  RefundOfUnknown = 'refund_of_unknown',
  /** The refunds of one charge would add up to more than it took (a free charge took nothing). */
  RefundExceedsCharge = 'refund_exceeds_charge',
  /** Only a credited (or already refunded) order can be refunded. */
  OrderNotRefundable = 'order_not_refundable',
  /** The reward rule's limit for the user (per day or in total) is reached: not credited. */
  RewardLimitReached = 'reward_limit_reached',
  /** The webhook endpoint is disabled (by an admin, or its receiver answered 410): enable it first. */
  EndpointDisabled = 'endpoint_disabled',
  /** No active price rule matches the (scene, provider, model) asked for. */
  NoPriceRule = 'no_price_rule',
  /** A unique business key (sku, reward source, hold_id with another body...) is taken. */
  AlreadyExists = 'already_exists',
  /** The model asked for has no active chat price rule or no upstream (OpenAI's code for it). */
  ModelNotFound = 'model_not_found',
  /** The upstream answered with something that is not a usable answer, or could not be reached. */
  UpstreamError = 'upstream_error',
  UpstreamTimeout = 'upstream_timeout',
  UnsupportedSchemaVersion = 'unsupported_schema_version',
  /** A string (value or key, at any depth; or a query or path parameter) holds a NUL or a lone surrogate. */
  UnstorableText = 'unstorable_text',
  /** JSON nested deeper than the limit for where it is (the whole body, or free-form metadata). */
  JsonTooDeep = 'json_too_deep',
  ServiceUnavailable = 'service_unavailable',
  InternalError = 'internal_error',
}

/** The JSON body of every error answer of both apps. */
export interface ErrorBody {
  statusCode: number;
  code: ErrorCode;
  message: string;
  /** Per-field reasons for validation failures. */
  details?: string[];
}
