import type { Tx } from './tx.js';

export const LOCK_KEYS = { bootstrap: 72_616_002 } as const;

/** Serializes transactions across processes on PostgreSQL; released at commit or rollback. */
export async function advisoryXactLock(tx: Tx, key: number): Promise<void> {
  await tx.$executeRawUnsafe('SELECT pg_advisory_xact_lock($1)', key);
}
