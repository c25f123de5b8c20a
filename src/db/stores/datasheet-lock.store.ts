import type { Queryable } from '../client.js';
import { feedAppend, type FeedAppendRows } from './feed.store.js';

/**
 * The datasheet row as record writers use it: its lock (one writer per datasheet at a time), its counters and
 * revision, and its schema revision when a batch adds select options.
 */
export interface LockedDatasheet {
  spaceId: string;
  plan: 'FREE' | 'PLUS' | 'PRO' | 'ENTERPRISE';
  spaceRowCap: number | null;
  rowCap: number | null;
  recordCount: number;
  autoNumberSeq: number;
  revision: number;
  /** The datasheet's schema revision as locked: a schema cached at this revision is current. */
  schemaRevision: number;
}

/**
 * Locks the datasheet row for the rest of the transaction: writers of one datasheet run one after another,
 * so row caps, auto numbers and revisions cannot race. Undefined when the datasheet is not in the space.
 */
export async function lockDatasheet(
  q: Queryable,
  datasheetId: string,
  spaceId: string,
): Promise<LockedDatasheet | undefined> {
  const [row] = await q.query<{
    space_id: string;
    plan: LockedDatasheet['plan'];
    space_row_cap: number | null;
    row_cap: number | null;
    record_count: number;
    auto_number_seq: string | number;
    revision: string | number;
    schema_revision: string | number;
  }>(
    `SELECT d.space_id, s.plan::text AS plan, s.row_cap AS space_row_cap, d.row_cap, d.record_count, d.auto_number_seq, d.revision,
       d.schema_revision::text AS schema_revision
     FROM datasheets d JOIN spaces s ON s.id = d.space_id
     WHERE d.id = $1 AND d.space_id = $2
     FOR UPDATE OF d`,
    [datasheetId, spaceId],
  );
  if (!row) return undefined;
  return {
    spaceId: row.space_id,
    plan: row.plan,
    spaceRowCap: row.space_row_cap,
    rowCap: row.row_cap,
    recordCount: Number(row.record_count),
    autoNumberSeq: Number(row.auto_number_seq),
    revision: Number(row.revision),
    schemaRevision: Number(row.schema_revision),
  };
}

/**
 * Moves the datasheet's revision (and record count, auto-number sequence); answers the new revision. `feed`: the
 * change feed rows of this write, appended by the same statement with the new revision (feed.store.ts feedAppend;
 * then this must be the transaction's last statement but for the commit).
 */
export async function bumpDatasheet(
  q: Queryable,
  datasheetId: string,
  change: { recordDelta: number; autoNumberSeq?: number },
  feed?: FeedAppendRows,
): Promise<number> {
  const params = [datasheetId, change.recordDelta, change.autoNumberSeq ?? null];
  const bump = `UPDATE datasheets SET record_count = record_count + $2, auto_number_seq = COALESCE($3::bigint, auto_number_seq),
       revision = revision + 1, updated_at = now() AT TIME ZONE 'UTC'
     WHERE id = $1 RETURNING revision`;
  const append = feed && feedAppend(feed, params.length + 1, '(SELECT revision FROM bumped)');
  const [row] = await q.query<{ revision: string | number }>(
    append ? `WITH bumped AS (${bump}), ${append.ctes} SELECT revision, ${append.last} AS feed FROM bumped` : bump,
    append ? [...params, ...append.params] : params,
  );
  return Number(row!.revision);
}

/** New select options written with a batch: a schema change, so the datasheet's schema revision moves. */
export async function updateFieldProperty(q: Queryable, fieldId: string, property: unknown): Promise<void> {
  await q.query(
    `WITH f AS (UPDATE fields SET property = $2::jsonb, updated_at = now() AT TIME ZONE 'UTC' WHERE id = $1 RETURNING datasheet_id)
     UPDATE datasheets SET schema_revision = schema_revision + 1 WHERE id IN (SELECT datasheet_id FROM f)`,
    [fieldId, JSON.stringify(property)],
  );
}
