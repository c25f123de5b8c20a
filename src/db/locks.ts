import type { Tx } from './tx.js';

/** Advisory lock keys; `feed` orders change feed ids by commit (db/stores/feed.store.ts insertFeedRows). */
export const LOCK_KEYS = { bootstrap: 72_616_002, feed: 72_616_003 } as const;

/** Serializes transactions across processes on PostgreSQL; released at commit or rollback. */
export async function advisoryXactLock(tx: Tx, key: number): Promise<void> {
  await tx.$executeRawUnsafe('SELECT pg_advisory_xact_lock($1)', key);
}
