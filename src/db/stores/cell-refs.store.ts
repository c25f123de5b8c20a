import type { Queryable } from '../client.js';

// What link, member and attachment cells refer to, each checked in one query (domain/records/check-refs.ts).

/** Ids (of the given set) that exist in a datasheet; used to validate link cells in one query. */
export async function existingRecordIds(
  q: Queryable,
  datasheetId: string,
  ids: readonly string[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await q.query<{ id: string }>(
    'SELECT id FROM records WHERE datasheet_id = $1 AND id = ANY($2::text[])',
    [datasheetId, ids],
  );
  return new Set(rows.map((r) => r.id));
}

/** Users of the given ids that are members of the space. */
export async function spaceMemberIds(q: Queryable, spaceId: string, userIds: readonly string[]): Promise<Set<string>> {
  const rows = await q.query<{ user_id: string }>(
    'SELECT user_id FROM space_members WHERE space_id = $1 AND user_id = ANY($2::text[])',
    [spaceId, userIds],
  );
  return new Set(rows.map((r) => r.user_id));
}

export interface AttachmentRow {
  id: string;
  token: string;
  name: string;
  size: bigint | number | string;
  mimeType: string;
  width: number | null;
  height: number | null;
}

/**
 * Attachments of one space by token (tokens of other spaces are absent), each row locked (KEY SHARE) until the
 * writer's transaction ends, so the sweeper of unreferenced attachments (attachment-sweep.store.ts) cannot delete
 * one a write is putting into a cell.
 */
export async function attachmentsByToken(
  q: Queryable,
  spaceId: string,
  tokens: readonly string[],
): Promise<AttachmentRow[]> {
  return q.query<AttachmentRow>(
    `SELECT id, token, name, size, mime_type AS "mimeType", width, height FROM attachments WHERE space_id = $1 AND token = ANY($2::text[])
     FOR KEY SHARE`,
    [spaceId, tokens],
  );
}
