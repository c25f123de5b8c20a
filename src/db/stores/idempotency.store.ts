import type { Queryable } from '../client.js';

export interface IdempotencyRow {
  id: string;
  requestHash: string;
  statusCode: number | null;
  responseBody: unknown;
  /** The guarded write committed (set in its own transaction). */
  committed: boolean;
  /** The first request's lease lapsed: it is no longer running (or its process is gone). */
  leaseLapsed: boolean;
}

const NOW = `(now() AT TIME ZONE 'UTC')`;
const ms = (param: string) => `make_interval(secs => ${param}::float8 / 1000)`;

/**
 * Claims a key for a token: inserts it, or takes over a row that expired, or whose first request neither
 * committed a write nor renewed its lease in time (its process is gone). Returns true when this caller owns
 * the key now. A running owner renews its lease (renewLease), and its write marks the row committed under
 * the row lock, so a takeover never races a write: it waits for that row lock and then sees `committed`.
 */
export async function claimKey(
  q: Queryable,
  row: { id: string; tokenId: string; key: string; requestHash: string; ttlMs: number; leaseMs: number },
): Promise<boolean> {
  const claimed = await q.query<{ id: string }>(
    `INSERT INTO idempotency_keys (id, token_id, key, request_hash, created_at, expires_at, lease_expires_at)
     VALUES ($1, $2, $3, $4, ${NOW}, ${NOW} + ${ms('$5')}, ${NOW} + ${ms('$6')})
     ON CONFLICT (token_id, key) DO UPDATE
       SET id = EXCLUDED.id, request_hash = EXCLUDED.request_hash, status_code = NULL, response_body = NULL, committed = false,
           created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at, lease_expires_at = EXCLUDED.lease_expires_at
       WHERE idempotency_keys.expires_at < ${NOW}
          OR (idempotency_keys.status_code IS NULL AND NOT idempotency_keys.committed AND idempotency_keys.lease_expires_at < ${NOW})
     RETURNING id`,
    [row.id, row.tokenId, row.key, row.requestHash, row.ttlMs, row.leaseMs],
  );
  return claimed.length === 1;
}

export async function readKey(q: Queryable, tokenId: string, key: string): Promise<IdempotencyRow | undefined> {
  const [row] = await q.query<{
    id: string;
    request_hash: string;
    status_code: number | null;
    response_body: unknown;
    committed: boolean;
    lapsed: boolean;
  }>(
    `SELECT id, request_hash, status_code, response_body, committed, lease_expires_at < ${NOW} AS lapsed
     FROM idempotency_keys WHERE token_id = $1 AND key = $2`,
    [tokenId, key],
  );
  return (
    row && {
      id: row.id,
      requestHash: row.request_hash,
      statusCode: row.status_code,
      responseBody: row.response_body,
      committed: row.committed,
      leaseLapsed: row.lapsed,
    }
  );
}

/** The running owner keeps its claim; false once the claim is no longer its own. */
export async function renewLease(q: Queryable, id: string, leaseMs: number): Promise<boolean> {
  const rows = await q.query(
    `UPDATE idempotency_keys SET lease_expires_at = ${NOW} + ${ms('$2')} WHERE id = $1 AND status_code IS NULL RETURNING id`,
    [id, leaseMs],
  );
  return rows.length === 1;
}

/** Inside the write's transaction: the key is used. False when the claim was lost (the write must roll back). */
export async function markCommitted(q: Queryable, id: string): Promise<boolean> {
  const rows = await q.query('UPDATE idempotency_keys SET committed = true WHERE id = $1 RETURNING id', [id]);
  return rows.length === 1;
}

export async function completeKey(q: Queryable, id: string, statusCode: number, body: unknown): Promise<void> {
  await q.query('UPDATE idempotency_keys SET status_code = $2, response_body = $3::jsonb WHERE id = $1', [
    id,
    statusCode,
    JSON.stringify(body ?? null),
  ]);
}

/** Gives the key up unless a write committed under it; true when it was given up. */
export async function releaseKey(q: Queryable, id: string): Promise<boolean> {
  const rows = await q.query('DELETE FROM idempotency_keys WHERE id = $1 AND NOT committed RETURNING id', [id]);
  return rows.length === 1;
}

export async function purgeExpiredKeys(q: Queryable): Promise<number> {
  const rows = await q.query<{ id: string }>(`DELETE FROM idempotency_keys WHERE expires_at < ${NOW} RETURNING id`);
  return rows.length;
}
