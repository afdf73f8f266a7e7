import { CreateChargesAndOutbox1763856000000 } from './1763856000000-create-charges-and-outbox';
import { CreateKeysBalancesReservations1764028800000 } from './1764028800000-create-keys-balances-reservations';
import { AddOutboxRequestId1764201600000 } from './1764201600000-add-outbox-request-id';
import { AddBalanceViewExpiring1764374400000 } from './1764374400000-add-balance-view-expiring';
import { AddOutboxParked1764374401000 } from './1764374401000-add-outbox-parked';
import { CreateStoredResponses1764547200000 } from './1764547200000-create-stored-responses';
import { CreateRefunds1764460800000 } from './1764460800000-create-refunds';
import { AddApiKeyLimits1764720000000 } from './1764720000000-add-api-key-limits';
import { CreateAuditRecords1765000000000 } from './1765000000000-create-audit-records';

/** In order. Listed explicitly so the same list works from TypeScript (tests) and compiled code. */
export const GATEWAY_MIGRATIONS = [
  CreateChargesAndOutbox1763856000000,
  CreateKeysBalancesReservations1764028800000,
  AddOutboxRequestId1764201600000,
  AddBalanceViewExpiring1764374400000,
  AddOutboxParked1764374401000,
  CreateStoredResponses1764547200000,
  CreateRefunds1764460800000,
  AddApiKeyLimits1764720000000,
  CreateAuditRecords1765000000000,
];
