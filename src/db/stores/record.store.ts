import type { Queryable } from '../client.js';
import { feedAppend, type FeedAppendRows } from './feed.store.js';
import { parseObject } from './json-column.js';

/**
 * Set-based SQL for the record write path: one statement per batch, never one statement per row. A batch's rows
 * travel as one JSON array (one JSON.stringify, no per-element array-literal escaping by the driver) and are
 * expanded with jsonb_to_recordset in the database; reads unnest parallel arrays. Timestamps go in as ISO strings
 * and come out as epoch milliseconds, so no driver's time-zone guess is involved.
 */
export interface StoredRecord {
  id: string;
  cells: Record<string, unknown>;
  revision: number;
  position: number;
  createdAt: Date;
  createdBy: string | null;
  updatedAt: Date;
  updatedBy: string | null;
}

export interface NewRecordRow {
  id: string;
  cells: Record<string, unknown>;
  position: number;
}

export const utc = (sqlParam: string) => `(${sqlParam}::timestamptz AT TIME ZONE 'UTC')`;
/**
 * Epoch milliseconds of a TIMESTAMP(3) column. date_part's float8 seconds are within a microsecond of the exact
 * value for any date a record can carry, so rounding gives the stored millisecond exactly, without extract's
 * numeric arithmetic (several times slower per row on PGlite).
 */
export const epochMs = (column: string) => `round(date_part('epoch', ${column}) * 1000)`;
/** The columns every record read selects (alias `r`); decoded by `toStoredRecord`. */
export const RECORD_COLUMNS = `r.id, r.cells, r.revision, r.position, ${epochMs('r.created_at')} AS created_ms, r.created_by,
  ${epochMs('r.updated_at')} AS updated_ms, r.updated_by`;

export interface RecordRowSql {
  id: string;
  cells: Record<string, unknown> | string;
  revision: number | string;
  position: number | string;
  created_ms: number | string;
  created_by: string | null;
  updated_ms: number | string;
  updated_by: string | null;
}

/**
 * New rows and the datasheet's counters (record count, auto-number sequence, revision) in one statement;
 * answers the datasheet's new revision. The caller holds the datasheet's lock (lockDatasheet). `otherDelta`
 * counts rows the same transaction removed (a batch of mixed operations bumps the datasheet once). `feed`: the
 * change feed rows of this write, appended by the same statement with the new revision (feed.store.ts feedAppend;
 * then this must be the transaction's last statement but for the commit).
 */
export async function insertRecordsAndBump(
  q: Queryable,
  datasheetId: string,
  rows: readonly NewRecordRow[],
  author: string | null,
  at: Date,
  autoNumberSeq: number,
  otherDelta = 0,
  feed?: FeedAppendRows,
): Promise<number> {
  const params = [
    datasheetId,
    JSON.stringify(rows.map((r) => ({ id: r.id, cells: r.cells, position: r.position }))),
    at.toISOString(),
    author,
    autoNumberSeq,
    otherDelta,
  ];
  const append = feed && feedAppend(feed, params.length + 1, '(SELECT revision FROM bumped)');
  const [row] = await q.query<{ revision: string | number }>(
    `WITH inserted AS (
       INSERT INTO records (id, datasheet_id, cells, position, revision, created_at, created_by, updated_at, updated_by)
       SELECT r.id, $1, r.cells, r.position, 1, ${utc('$3')}, $4, ${utc('$3')}, $4
       FROM jsonb_to_recordset($2::jsonb) AS r(id text, cells jsonb, position float8)
       RETURNING 1),
     bumped AS (
       UPDATE datasheets SET record_count = record_count + (SELECT count(*) FROM inserted) + $6::int, auto_number_seq = $5::bigint,
         revision = revision + 1, updated_at = now() AT TIME ZONE 'UTC'
       WHERE id = $1 RETURNING revision)${append ? `, ${append.ctes}` : ''}
     SELECT revision${append ? `, ${append.last} AS feed` : ''} FROM bumped`,
    append ? [...params, ...append.params] : params,
  );
  return Number(row!.revision);
}

/** Rows of one datasheet by id, locked for update; missing ids are simply absent from the result. */
export async function selectRecordsForUpdate(
  q: Queryable,
  datasheetId: string,
  ids: readonly string[],
): Promise<StoredRecord[]> {
  if (ids.length === 0) return [];
  const rows = await q.query<RecordRowSql>(
    `SELECT ${RECORD_COLUMNS} FROM records r WHERE r.datasheet_id = $1 AND r.id = ANY($2::text[]) ORDER BY r.id FOR UPDATE`,
    [datasheetId, ids],
  );
  return rows.map(toStoredRecord);
}

/** Rows of a datasheet (all, or the given ids) in row order. */
export async function selectRecords(
  q: Queryable,
  datasheetId: string,
  ids?: readonly string[],
): Promise<StoredRecord[]> {
  const rows = await q.query<RecordRowSql>(
    `SELECT ${RECORD_COLUMNS} FROM records r
     WHERE r.datasheet_id = $1 AND ($2::text[] IS NULL OR r.id = ANY($2::text[])) ORDER BY r.position, r.id`,
    [datasheetId, ids ?? null],
  );
  return rows.map(toStoredRecord);
}

/** A record's current row, if it exists in a datasheet of the space. */
export async function recordInSpace(
  q: Queryable,
  spaceId: string,
  recordId: string,
): Promise<StoredRecord | undefined> {
  const [row] = await q.query<RecordRowSql>(
    `SELECT ${RECORD_COLUMNS} FROM records r JOIN datasheets d ON d.id = r.datasheet_id WHERE r.id = $1 AND d.space_id = $2`,
    [recordId, spaceId],
  );
  return row && toStoredRecord(row);
}

/** Current rows of several records of datasheets of the space, with their datasheet (one statement). */
export async function recordsInSpace(
  q: Queryable,
  spaceId: string,
  recordIds: readonly string[],
): Promise<(StoredRecord & { datasheetId: string })[]> {
  const rows = await q.query<RecordRowSql & { datasheet_id: string }>(
    `SELECT ${RECORD_COLUMNS}, r.datasheet_id FROM records r JOIN datasheets d ON d.id = r.datasheet_id
     WHERE r.id = ANY($1::text[]) AND d.space_id = $2`,
    [[...recordIds], spaceId],
  );
  return rows.map((row) => ({ ...toStoredRecord(row), datasheetId: row.datasheet_id }));
}

/** Replaces the cells of existing rows and bumps their revision; returns the new revisions by id. */
export async function updateRecordCells(
  q: Queryable,
  datasheetId: string,
  rows: readonly { id: string; cells: Record<string, unknown> }[],
  author: string | null,
  at: Date,
): Promise<Map<string, number>> {
  if (rows.length === 0) return new Map();
  const updated = await q.query<{ id: string; revision: number | string }>(
    `UPDATE records AS r SET cells = v.cells, revision = r.revision + 1, updated_at = ${utc('$3')}, updated_by = $4
     FROM jsonb_to_recordset($2::jsonb) AS v(id text, cells jsonb)
     WHERE r.id = v.id AND r.datasheet_id = $1
     RETURNING r.id, r.revision`,
    [datasheetId, JSON.stringify(rows.map((r) => ({ id: r.id, cells: r.cells }))), at.toISOString(), author],
  );
  return new Map(updated.map((r) => [r.id, Number(r.revision)]));
}

/** Moves rows to another datasheet in place (ids and history are kept). */
export async function moveRecordRows(
  q: Queryable,
  fromDatasheetId: string,
  toDatasheetId: string,
  rows: readonly { id: string; cells: Record<string, unknown>; position: number }[],
  author: string | null,
  at: Date,
): Promise<void> {
  if (rows.length === 0) return;
  await q.query(
    `UPDATE records AS r SET datasheet_id = $2, cells = v.cells::jsonb, position = v.position,
       revision = r.revision + 1, updated_at = ${utc('$6')}, updated_by = $7
     FROM unnest($3::text[], $4::text[], $5::float8[]) AS v(id, cells, position)
     WHERE r.id = v.id AND r.datasheet_id = $1`,
    [
      fromDatasheetId,
      toDatasheetId,
      rows.map((r) => r.id),
      rows.map((r) => JSON.stringify(r.cells)),
      rows.map((r) => r.position),
      at.toISOString(),
      author,
    ],
  );
}

export async function deleteRecordRows(q: Queryable, datasheetId: string, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await q.query('DELETE FROM records WHERE datasheet_id = $1 AND id = ANY($2::text[])', [datasheetId, ids]);
}

/** Drops one field's cells from every record of a datasheet (field deleted). */
export async function removeFieldCells(q: Queryable, datasheetId: string, fieldId: string): Promise<void> {
  await q.query('UPDATE records SET cells = cells - $2::text WHERE datasheet_id = $1 AND cells ? $2::text', [
    datasheetId,
    fieldId,
  ]);
}

export function toStoredRecord(r: RecordRowSql): StoredRecord {
  return {
    id: r.id,
    cells: parseObject<Record<string, unknown>>(r.cells),
    revision: Number(r.revision),
    position: Number(r.position),
    createdAt: new Date(Number(r.created_ms)),
    createdBy: r.created_by,
    updatedAt: new Date(Number(r.updated_ms)),
    updatedBy: r.updated_by,
  };
}

/** The non-empty cells of one field, by record id (one statement). */
export async function fieldCells(
  q: Queryable,
  datasheetId: string,
  fieldId: string,
): Promise<{ id: string; value: unknown }[]> {
  const rows = await q.query<{ id: string; value: string }>(
    'SELECT id, (cells -> $2::text)::text AS value FROM records WHERE datasheet_id = $1 AND cells ? $2::text',
    [datasheetId, fieldId],
  );
  return rows.map((r) => ({ id: r.id, value: JSON.parse(r.value) as unknown }));
}

/** Sets one field's cell of several records to text (a null text clears it), in one statement. */
export async function setTextCells(
  q: Queryable,
  datasheetId: string,
  fieldId: string,
  cells: readonly { id: string; text: string | null }[],
): Promise<void> {
  if (cells.length === 0) return;
  await q.query(
    `UPDATE records r SET cells = CASE WHEN u.t IS NULL THEN r.cells - $2::text
                                       ELSE jsonb_set(r.cells, ARRAY[$2::text], to_jsonb(u.t)) END
     FROM unnest($3::text[], $4::text[]) AS u(id, t)
     WHERE r.datasheet_id = $1 AND r.id = u.id`,
    [datasheetId, fieldId, cells.map((c) => c.id), cells.map((c) => c.text)],
  );
}
