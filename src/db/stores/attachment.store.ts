import type { Tx } from '../tx.js';

/** Class id of the two-key advisory locks on blobs (a key space apart from the one-key locks in locks.ts). */
const BLOB_LOCK_CLASS = 72_616_003;

export interface LockedSpaceAttachments {
  plan: 'FREE' | 'PLUS' | 'PRO' | 'ENTERPRISE';
  /** The space's own capacity override, bytes; null when the plan decides. */
  capacity: bigint | null;
  used: bigint;
}

/**
 * Locks the space row for the rest of the transaction: uploads into one space are accounted one after
 * another, so the capacity check, the "is this content new here" check and the increment cannot race.
 * Undefined when the space does not exist.
 */
export async function lockSpaceAttachments(tx: Tx, spaceId: string): Promise<LockedSpaceAttachments | undefined> {
  const rows = await tx.$queryRawUnsafe<
    { plan: LockedSpaceAttachments['plan']; capacity: string | null; used: string }[]
  >(
    `SELECT plan::text AS plan, attachment_capacity::text AS capacity, attachment_used::text AS used
     FROM spaces WHERE id = $1
     FOR UPDATE`,
    spaceId,
  );
  const row = rows[0];
  if (!row) return undefined;
  return { plan: row.plan, capacity: row.capacity === null ? null : BigInt(row.capacity), used: BigInt(row.used) };
}

/**
 * Serializes, across spaces and processes, everything that decides whether a blob is referenced: an upload
 * holds it while it inserts its row and publishes the blob; whoever deletes unreferenced blobs must hold it
 * while checking that no row refers to the blob and removing it. Released at commit or rollback.
 */
export async function lockBlob(tx: Tx, sha256: string): Promise<void> {
  await tx.$executeRawUnsafe('SELECT pg_advisory_xact_lock($1, hashtext($2))', BLOB_LOCK_CLASS, sha256);
}
