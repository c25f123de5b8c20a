import type { Queryable } from '../client.js';
import { epochMs, utc } from './record.store.js';

// The record change log (record_changes): written with every batch, read as a record's history.

export interface ChangeRow {
  recordId: string;
  datasheetId: string;
  /** A field id for a cell change; '@deleted' and '@moved' mark whole-record changes. */
  fieldId: string;
  oldValue: unknown;
  newValue: unknown;
  revision: number;
}

const json = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));

export async function insertChanges(
  q: Queryable,
  changes: readonly ChangeRow[],
  author: string | null,
  at: Date,
): Promise<void> {
  if (changes.length === 0) return;
  await q.query(
    `INSERT INTO record_changes (record_id, datasheet_id, field_id, old_value, new_value, author_id, revision, created_at)
     SELECT c.record_id, c.datasheet_id, c.field_id, c.old_value::jsonb, c.new_value::jsonb, $7, c.revision, ${utc('$8')}
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[])
       AS c(record_id, datasheet_id, field_id, old_value, new_value, revision)`,
    [
      changes.map((c) => c.recordId),
      changes.map((c) => c.datasheetId),
      changes.map((c) => c.fieldId),
      changes.map((c) => json(c.oldValue)),
      changes.map((c) => json(c.newValue)),
      changes.map((c) => c.revision),
      author,
      at.toISOString(),
    ],
  );
}

export interface HistoryRow {
  id: bigint;
  fieldId: string;
  oldValue: unknown;
  newValue: unknown;
  authorId: string | null;
  revision: number;
  createdAt: Date;
}

/** A record's history newest first, keyset-paged by change id, limited to datasheets of one space. */
export async function recordHistory(
  q: Queryable,
  spaceId: string,
  recordId: string,
  before: bigint | null,
  limit: number,
): Promise<HistoryRow[]> {
  const rows = await q.query<ChangeColumns>(
    `SELECT c.id::text AS id, c.field_id, c.old_value, c.new_value, c.author_id, c.revision, ${epochMs('c.created_at')} AS created_ms
     FROM record_changes c JOIN datasheets d ON d.id = c.datasheet_id
     WHERE c.record_id = $1 AND d.space_id = $2 AND ($3::bigint IS NULL OR c.id < $3::bigint)
     ORDER BY c.id DESC LIMIT $4`,
    [recordId, spaceId, before === null ? null : before.toString(), limit],
  );
  return rows.map(historyRow);
}

/** The newest `limit` changes of each of several records (one statement), newest first per record. */
export async function recordHistories(
  q: Queryable,
  spaceId: string,
  recordIds: readonly string[],
  limit: number | null,
): Promise<Map<string, HistoryRow[]>> {
  const rows = await q.query<ChangeColumns & { record_id: string }>(
    `SELECT * FROM (
       SELECT c.record_id, c.id::text AS id, c.field_id, c.old_value, c.new_value, c.author_id, c.revision,
         ${epochMs('c.created_at')} AS created_ms, row_number() OVER (PARTITION BY c.record_id ORDER BY c.id DESC) AS n
       FROM record_changes c JOIN datasheets d ON d.id = c.datasheet_id
       WHERE c.record_id = ANY($1::text[]) AND d.space_id = $2) h
     WHERE $3::int IS NULL OR h.n <= $3::int
     ORDER BY h.record_id, h.n`,
    [[...recordIds], spaceId, limit],
  );
  const byRecord = new Map<string, HistoryRow[]>(recordIds.map((id) => [id, []]));
  for (const r of rows) {
    byRecord.get(r.record_id)?.push(historyRow(r));
  }
  return byRecord;
}

/** A change row's columns as both history reads select them. */
interface ChangeColumns {
  id: string | number | bigint;
  field_id: string;
  old_value: unknown;
  new_value: unknown;
  author_id: string | null;
  revision: number | string;
  created_ms: number | string;
}

const historyRow = (r: ChangeColumns): HistoryRow => ({
  id: BigInt(r.id),
  fieldId: r.field_id,
  oldValue: r.old_value,
  newValue: r.new_value,
  authorId: r.author_id,
  revision: Number(r.revision),
  createdAt: new Date(Number(r.created_ms)),
});

/**
 * The datasheet a record of the space is in, or (deleted) was in when its last change was written; undefined
 * for a record the space never had (one statement).
 */
export async function recordHome(q: Queryable, spaceId: string, recordId: string): Promise<string | undefined> {
  const [row] = await q.query<{ datasheet_id: string | null }>(
    `SELECT COALESCE(
       (SELECT r.datasheet_id FROM records r JOIN datasheets d ON d.id = r.datasheet_id WHERE r.id = $1 AND d.space_id = $2),
       (SELECT c.datasheet_id FROM record_changes c JOIN datasheets d ON d.id = c.datasheet_id
        WHERE c.record_id = $1 AND d.space_id = $2 ORDER BY c.id DESC LIMIT 1)) AS datasheet_id`,
    [recordId, spaceId],
  );
  return row?.datasheet_id ?? undefined;
}
