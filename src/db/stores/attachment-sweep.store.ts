import type { Queryable } from '../client.js';
import type { Tx } from '../tx.js';
import { utc } from './record.store.js';

// Which attachments cells refer to, for the sweeper of unreferenced attachments (domain/attachments/sweeper.ts).

/** Tokens that some Attachment cell holds (`[{token, …}, …]`), as a subquery. */
const REFERENCED_TOKENS = `
  SELECT e ->> 'token' AS token
  FROM fields f
  JOIN records r ON r.datasheet_id = f.datasheet_id
  CROSS JOIN LATERAL jsonb_array_elements(
    CASE WHEN jsonb_typeof(r.cells -> f.id) = 'array' THEN r.cells -> f.id ELSE '[]'::jsonb END) e
  WHERE f.type = 'Attachment' AND jsonb_typeof(e) = 'object'`;

/**
 * Marks the attachments no cell refers to (from `now`, unless marked already) and unmarks those referred to
 * again; answers how many were newly marked. Two statements over every Attachment cell.
 */
export async function markUnreferenced(q: Queryable, now: Date): Promise<number> {
  await q.query(
    `UPDATE attachments SET unreferenced_since = NULL
     WHERE unreferenced_since IS NOT NULL AND token IN (${REFERENCED_TOKENS})`,
  );
  const marked = await q.query<{ id: string }>(
    `UPDATE attachments SET unreferenced_since = ${utc('$1')}
     WHERE unreferenced_since IS NULL
       AND token NOT IN (SELECT token FROM (${REFERENCED_TOKENS}) t WHERE token IS NOT NULL)
     RETURNING id`,
    [now.toISOString()],
  );
  return marked.length;
}

export interface SweepCandidate {
  id: string;
  spaceId: string;
  sha256: string;
  size: bigint;
  token: string;
}

/** Attachments marked unreferenced at or before `cutoff`, oldest mark first. */
export async function sweepCandidates(q: Queryable, cutoff: Date, limit: number): Promise<SweepCandidate[]> {
  const rows = await q.query<{ id: string; space_id: string; sha256: string; size: string; token: string }>(
    `SELECT id, space_id, sha256, size::text AS size, token FROM attachments
     WHERE unreferenced_since <= ${utc('$1')} ORDER BY unreferenced_since, id LIMIT $2`,
    [cutoff.toISOString(), limit],
  );
  return rows.map((r) => ({ id: r.id, spaceId: r.space_id, sha256: r.sha256, size: BigInt(r.size), token: r.token }));
}

/**
 * Deletes one marked attachment if it is still marked at or before `cutoff` and, read after its row is locked
 * (writers of cells lock the rows they refer to: cell-refs.store.ts), no cell refers to it; else unmarks it when a
 * cell does. Answers whether the row went, and whether its space and the store still hold its bytes.
 */
export async function deleteIfUnreferenced(
  tx: Tx,
  candidate: SweepCandidate,
  cutoff: Date,
): Promise<{ deleted: boolean; spaceHoldsBlob: boolean; anyHoldsBlob: boolean }> {
  const locked = await tx.$queryRawUnsafe<{ id: string }[]>(
    `SELECT id FROM attachments WHERE id = $1 AND unreferenced_since <= ${utc('$2')} FOR UPDATE`,
    candidate.id,
    cutoff.toISOString(),
  );
  if (locked.length === 0) return { deleted: false, spaceHoldsBlob: true, anyHoldsBlob: true };
  // A new statement, so a new snapshot: cells committed by writers that held the row until now are seen.
  const [ref] = await tx.$queryRawUnsafe<{ referenced: boolean }[]>(
    `SELECT EXISTS (${REFERENCED_TOKENS} AND e ->> 'token' = $1) AS referenced`,
    candidate.token,
  );
  if (ref?.referenced) {
    await tx.$executeRawUnsafe('UPDATE attachments SET unreferenced_since = NULL WHERE id = $1', candidate.id);
    return { deleted: false, spaceHoldsBlob: true, anyHoldsBlob: true };
  }
  await tx.$executeRawUnsafe('DELETE FROM attachments WHERE id = $1', candidate.id);
  const [held] = await tx.$queryRawUnsafe<{ space: boolean; any: boolean }[]>(
    `SELECT EXISTS (SELECT 1 FROM attachments WHERE sha256 = $1 AND space_id = $2) AS space,
            EXISTS (SELECT 1 FROM attachments WHERE sha256 = $1) AS any`,
    candidate.sha256,
    candidate.spaceId,
  );
  return { deleted: true, spaceHoldsBlob: held?.space ?? true, anyHoldsBlob: held?.any ?? true };
}

/** Lowers a space's attachment_used by bytes it no longer holds (never below zero). */
export async function releaseAttachmentBytes(tx: Tx, spaceId: string, bytes: bigint): Promise<void> {
  await tx.$executeRawUnsafe(
    'UPDATE spaces SET attachment_used = GREATEST(attachment_used - $2::bigint, 0) WHERE id = $1',
    spaceId,
    bytes.toString(),
  );
}
