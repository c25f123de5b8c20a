import type { Queryable } from '../client.js';

export interface TokenRow {
  id: string;
  spaceId: string;
  userId: string;
  secretHash: string;
  scopes: string[];
  datasheetIds: string[];
  /** The earliest expiry of the token and the tokens it descends from. */
  expiresMs: number | null;
  /** The token, or one it descends from, is revoked. */
  revoked: boolean;
  lastUsedMs: number | null;
  role: 'owner' | 'admin' | 'editor' | 'reader' | null;
  plan: 'FREE' | 'PLUS' | 'PRO' | 'ENTERPRISE';
  spaceName: string;
}

/** A token by the hash of its secret, with its user's role in the token's space and that space's plan and name: one round trip. */
export async function tokenByHash(q: Queryable, secretHash: string): Promise<TokenRow | undefined> {
  const [row] = await q.query<{
    id: string;
    space_id: string;
    user_id: string;
    secret_hash: string;
    scopes: string[];
    datasheet_ids: string[];
    expires_ms: number | string | null;
    revoked: boolean;
    last_used_ms: number | string | null;
    role: TokenRow['role'];
    plan: TokenRow['plan'];
    space_name: string;
  }>(
    `SELECT t.id, t.space_id, t.user_id, t.secret_hash, t.scopes, t.datasheet_ids,
       (extract(epoch FROM least(t.expires_at, a.expires_at)) * 1000)::float8 AS expires_ms,
       t.revoked_at IS NOT NULL OR coalesce(a.revoked, false) AS revoked,
       (extract(epoch FROM t.last_used_at) * 1000)::float8 AS last_used_ms, m.role::text AS role, s.plan::text AS plan,
       s.name AS space_name
     FROM api_tokens t
     JOIN spaces s ON s.id = t.space_id
     LEFT JOIN space_members m ON m.space_id = t.space_id AND m.user_id = t.user_id
     LEFT JOIN LATERAL (
       SELECT min(p.expires_at) AS expires_at, bool_or(p.revoked_at IS NOT NULL) AS revoked
       FROM api_tokens p WHERE p.id = ANY(t.ancestor_ids)
     ) a ON true
     WHERE t.secret_hash = $1`,
    [secretHash],
  );
  if (!row) return undefined;
  return {
    id: row.id,
    spaceId: row.space_id,
    userId: row.user_id,
    secretHash: row.secret_hash,
    scopes: row.scopes ?? [],
    datasheetIds: row.datasheet_ids ?? [],
    expiresMs: row.expires_ms === null ? null : Number(row.expires_ms),
    revoked: row.revoked,
    lastUsedMs: row.last_used_ms === null ? null : Number(row.last_used_ms),
    role: row.role,
    plan: row.plan,
    spaceName: row.space_name,
  };
}

export async function touchToken(q: Queryable, tokenId: string, at: Date): Promise<void> {
  await q.query(`UPDATE api_tokens SET last_used_at = ($2::timestamptz AT TIME ZONE 'UTC') WHERE id = $1`, [
    tokenId,
    at.toISOString(),
  ]);
}

/** The space of a datasheet, or undefined when it does not exist. */
export async function datasheetSpace(q: Queryable, datasheetId: string): Promise<string | undefined> {
  const [row] = await q.query<{ space_id: string }>('SELECT space_id FROM datasheets WHERE id = $1', [datasheetId]);
  return row?.space_id;
}
