import { CreateLedger1763856000000 } from './1763856000000-create-ledger';

/** In order. Listed explicitly so the same list works from TypeScript (tests) and compiled code. */
export const CREDIT_STORE_MIGRATIONS = [CreateLedger1763856000000];
