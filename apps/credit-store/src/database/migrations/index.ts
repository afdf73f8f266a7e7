import { CreateLedger1763856000000 } from './1763856000000-create-ledger';
import { CreateGrantsHoldsUsage1763942400000 } from './1763942400000-create-grants-holds-usage';
import { CreateProductsOrders1763942500000 } from './1763942500000-create-products-orders';
import { CreatePriceAndRewardRules1763942600000 } from './1763942600000-create-price-and-reward-rules';
import { AddChargeSequence1764028800000 } from './1764028800000-add-charge-sequence';
import { GrantsHotUpdates1764288000000 } from './1764288000000-grants-hot-updates';
import { LedgerCreatedBrin1764288100000 } from './1764288100000-ledger-created-brin';
import { AddOrderIdempotencyKey1764288200000 } from './1764288200000-add-order-idempotency-key';
import { AddBalanceOutboxParked1764374402000 } from './1764374402000-add-balance-outbox-parked';
import { CreateDeadLetters1764460800000 } from './1764460800000-create-dead-letters';
import { AddCacheWritePrices1764460900000 } from './1764460900000-add-cache-write-prices';
import { AddRefundsAndVoids1764461000000 } from './1764461000000-add-refunds-and-voids';
import { CreateWaitingRefunds1764461100000 } from './1764461100000-create-waiting-refunds';
import { AddUsageApiKey1764720001000 } from './1764720001000-add-usage-api-key';
import { AddGrantValueAndRevenue1764720100000 } from './1764720100000-add-grant-value-and-revenue';
import { AddDeadLetterRedrive1764720100001 } from './1764720100001-add-dead-letter-redrive';
import { DropLedgerEntriesAccountFk1764720300000 } from './1764720300000-drop-ledger-entries-account-fk';
import { AddGrantRefundedAt1764720412000 } from './1764720412000-add-grant-refunded-at';
import { AddOrdersStatusIndex1764720100002 } from './1764720100002-add-orders-status-index';
import { CreatePrincipalsAndAudit1765000000000 } from './1765000000000-create-principals-and-audit';
import { AddLedgerHashChain1765000100000 } from './1765000100000-add-ledger-hash-chain';
import { AddRewardLimits1796517121241 } from './1796517121241-add-reward-limits';
import { AddCacheWrite1hPrices1796600000000 } from './1796600000000-add-cache-write-1h-prices';
import { CreateAccountEvents1796600100000 } from './1796600100000-create-account-events';
import { ChainAuditRecords1796600200000 } from './1796600200000-chain-audit-records';
import { AddGrantExpiringNotified1796600300000 } from './1796600300000-add-grant-expiring-notified';
import { CreateAutoTopups1796600400000 } from './1796600400000-create-auto-topups';
import { CreateWebhooks1796600500000 } from './1796600500000-create-webhooks';

/** In order. Listed explicitly so the same list works from TypeScript (tests) and compiled code. */
export const CREDIT_STORE_MIGRATIONS = [
  CreateLedger1763856000000,
  CreateGrantsHoldsUsage1763942400000,
  CreateProductsOrders1763942500000,
  CreatePriceAndRewardRules1763942600000,
  AddChargeSequence1764028800000,
  GrantsHotUpdates1764288000000,
  LedgerCreatedBrin1764288100000,
  AddOrderIdempotencyKey1764288200000,
  AddBalanceOutboxParked1764374402000,
  CreateDeadLetters1764460800000,
  AddCacheWritePrices1764460900000,
  AddRefundsAndVoids1764461000000,
  CreateWaitingRefunds1764461100000,
  AddUsageApiKey1764720001000,
  AddGrantValueAndRevenue1764720100000,
  AddDeadLetterRedrive1764720100001,
  AddOrdersStatusIndex1764720100002,
  DropLedgerEntriesAccountFk1764720300000,
  AddGrantRefundedAt1764720412000,
  CreatePrincipalsAndAudit1765000000000,
  AddLedgerHashChain1765000100000,
  AddRewardLimits1796517121241,
  AddCacheWrite1hPrices1796600000000,
  CreateAccountEvents1796600100000,
  ChainAuditRecords1796600200000,
  AddGrantExpiringNotified1796600300000,
  CreateAutoTopups1796600400000,
  CreateWebhooks1796600500000,
];
