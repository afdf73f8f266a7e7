import { CreateChargesAndOutbox1763856000000 } from './1763856000000-create-charges-and-outbox';

/** In order. Listed explicitly so the same list works from TypeScript (tests) and compiled code. */
export const GATEWAY_MIGRATIONS = [CreateChargesAndOutbox1763856000000];
