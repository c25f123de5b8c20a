import type { Queryable } from '../client.js';

export interface AuditRow {
  id: string;
  spaceId: string;
  actorId: string | null;
  tokenId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  detail: Record<string, unknown>;
  requestId: string | null;
  at: Date;
}

/** A row to write: `feedEventId` names the change feed event it comes from (written once), `at` its time. */
export type NewAuditRow = Omit<AuditRow, 'id' | 'at'> & { feedEventId: string | null; at: Date };

/** Writes audit rows; one whose feed event already has a row is skipped (redelivered events). */
export async function insertAuditEvents(q: Queryable, rows: readonly NewAuditRow[]): Promise<void> {
  if (rows.length === 0) return;
  await q.query(
    `INSERT INTO audit_events (space_id, actor_id, token_id, action, target_type, target_id, detail, request_id,
       feed_event_id, created_at)
     SELECT a.space_id, a.actor_id, a.token_id, a.action, a.target_type, a.target_id, a.detail::jsonb, a.request_id,
       a.feed_event_id, (a.at::timestamptz AT TIME ZONE 'UTC')
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
       $9::bigint[], $10::text[])
       AS a(space_id, actor_id, token_id, action, target_type, target_id, detail, request_id, feed_event_id, at)
     ON CONFLICT (feed_event_id) DO NOTHING`,
    [
      rows.map((r) => r.spaceId),
      rows.map((r) => r.actorId),
      rows.map((r) => r.tokenId),
      rows.map((r) => r.action),
      rows.map((r) => r.targetType),
      rows.map((r) => r.targetId),
      rows.map((r) => JSON.stringify(r.detail)),
      rows.map((r) => r.requestId),
      rows.map((r) => r.feedEventId),
      rows.map((r) => r.at.toISOString()),
    ],
  );
}

/** A space's audit events newest first, keyset-paged by id, optionally of one action. */
export async function selectAuditEvents(
  q: Queryable,
  spaceId: string,
  options: { before: string | null; limit: number; action?: string | undefined },
): Promise<AuditRow[]> {
  const rows = await q.query<{
    id: string;
    space_id: string;
    actor_id: string | null;
    token_id: string | null;
    action: string;
    target_type: string;
    target_id: string | null;
    detail: Record<string, unknown>;
    request_id: string | null;
    at_ms: number | string;
  }>(
    `SELECT id::text AS id, space_id, actor_id, token_id, action, target_type, target_id, detail, request_id,
       (extract(epoch FROM created_at) * 1000)::float8 AS at_ms
     FROM audit_events
     WHERE space_id = $1 AND ($2::bigint IS NULL OR id < $2::bigint) AND ($4::text IS NULL OR action = $4)
     ORDER BY id DESC LIMIT $3`,
    [spaceId, options.before, options.limit, options.action ?? null],
  );
  return rows.map((r) => ({
    id: r.id,
    spaceId: r.space_id,
    actorId: r.actor_id,
    tokenId: r.token_id,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    detail: r.detail,
    requestId: r.request_id,
    at: new Date(Number(r.at_ms)),
  }));
}
