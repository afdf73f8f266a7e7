import type { EntityManager } from 'typeorm';
import { backfillChains } from '../../apps/credit-store/src/ledger/entries/chain-backfill';
import { EntryChainRepository } from '../../apps/credit-store/src/ledger/entries/entry-chain.repository';

/**
 * Hashes the entries a fixture wrote as raw rows, as the migration hashes old ones, so that the
 * run's later suites still find every chain whole. In the fixture's transaction: the append-only
 * trigger is off for it alone (superuser, session_replication_role), never for the table.
 */
export async function chainRawEntries(tx: EntityManager, users: string[]): Promise<void> {
  await tx.query(`SET LOCAL session_replication_role = replica`);
  await backfillChains(tx, new EntryChainRepository(), users);
  await tx.query(`SET LOCAL session_replication_role = DEFAULT`);
}
