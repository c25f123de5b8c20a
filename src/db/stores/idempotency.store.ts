import type { Queryable } from '../client.js';

export interface IdempotencyRow {
  requestHash: string;
  statusCode: number | null;
  responseBody: unknown;
  ageMs: number;
}

/**
 * Claims a key for a token: inserts it, or takes over a row that expired or was abandoned in flight.
 * Returns true when this caller owns the key now.
 */
export async function claimKey(
  q: Queryable,
  row: { id: string; tokenId: string; key: string; requestHash: string; ttlMs: number; abandonAfterMs: number },
): Promise<boolean> {
  const claimed = await q.query<{ id: string }>(
    `INSERT INTO idempotency_keys (id, token_id, key, request_hash, created_at, expires_at)
     VALUES ($1, $2, $3, $4, now() AT TIME ZONE 'UTC', (now() AT TIME ZONE 'UTC') + make_interval(secs => $5::float8 / 1000))
     ON CONFLICT (token_id, key) DO UPDATE
       SET id = EXCLUDED.id, request_hash = EXCLUDED.request_hash, status_code = NULL, response_body = NULL,
           created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
       WHERE idempotency_keys.expires_at < (now() AT TIME ZONE 'UTC')
          OR (idempotency_keys.status_code IS NULL
              AND idempotency_keys.created_at < (now() AT TIME ZONE 'UTC') - make_interval(secs => $6::float8 / 1000))
     RETURNING id`,
    [row.id, row.tokenId, row.key, row.requestHash, row.ttlMs, row.abandonAfterMs],
  );
  return claimed.length === 1;
}

export async function readKey(q: Queryable, tokenId: string, key: string): Promise<IdempotencyRow | undefined> {
  const [row] = await q.query<{ request_hash: string; status_code: number | null; response_body: unknown; age_ms: number | string }>(
    `SELECT request_hash, status_code, response_body,
       (extract(epoch FROM (now() AT TIME ZONE 'UTC') - created_at) * 1000)::float8 AS age_ms
     FROM idempotency_keys WHERE token_id = $1 AND key = $2`,
    [tokenId, key],
  );
  return row && { requestHash: row.request_hash, statusCode: row.status_code, responseBody: row.response_body, ageMs: Number(row.age_ms) };
}

export async function completeKey(q: Queryable, id: string, statusCode: number, body: unknown): Promise<void> {
  await q.query('UPDATE idempotency_keys SET status_code = $2, response_body = $3::jsonb WHERE id = $1', [id, statusCode, JSON.stringify(body ?? null)]);
}

export async function releaseKey(q: Queryable, id: string): Promise<void> {
  await q.query('DELETE FROM idempotency_keys WHERE id = $1', [id]);
}

export async function purgeExpiredKeys(q: Queryable): Promise<number> {
  const rows = await q.query<{ id: string }>(`DELETE FROM idempotency_keys WHERE expires_at < (now() AT TIME ZONE 'UTC') RETURNING id`);
  return rows.length;
}
