import type { EntityManager } from 'typeorm';
import { walkChains } from './chain-walk';
import type { EntryChainRepository } from './entry-chain.repository';
import { entryHash, GENESIS_HASH } from './entry-hash';

/**
 * Hashes every account's entries (or these users') from its first, in id order, and sets each
 * account's head: how entries written before the chain existed join it. Writes in batches, so
 * memory stays bounded. UPDATEs the append-only table: the caller turns its trigger off, in the
 * same transaction.
 */
export async function backfillChains(
  db: EntityManager,
  chains: EntryChainRepository,
  users: string[] | null = null,
  batch = 2000,
): Promise<number> {
  const entries = { ids: [] as string[], hashes: [] as string[] };
  const heads = { users: [] as string[], hashes: [] as (string | null)[] };
  const flush = async (force: boolean) => {
    if (entries.ids.length >= batch || (force && entries.ids.length > 0)) {
      await chains.setHashes(db, entries.ids.splice(0), entries.hashes.splice(0));
    }
    if (heads.users.length >= batch || (force && heads.users.length > 0)) {
      await chains.setHeads(db, heads.users.splice(0), heads.hashes.splice(0));
    }
  };
  let previous = GENESIS_HASH;
  let hashed = 0;
  for await (const step of walkChains(db, chains, { users })) {
    if (step.kind === 'open') {
      previous = GENESIS_HASH;
    } else if (step.kind === 'entry') {
      previous = entryHash(previous, step.entry);
      entries.ids.push(step.entry.id);
      entries.hashes.push(previous);
      hashed += 1;
    } else {
      heads.users.push(step.account.user_id);
      heads.hashes.push(previous === GENESIS_HASH ? null : previous);
    }
    await flush(false);
  }
  await flush(true);
  return hashed;
}
