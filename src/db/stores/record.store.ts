import type { Queryable } from '../client.js';

/**
 * Set-based SQL for the record write path: one statement per batch (unnest over parallel arrays), never
 * one statement per row. Cells travel as JSON text and are cast to jsonb in the database. Timestamps go
 * in as ISO strings and come out as epoch milliseconds, so no driver's time-zone guess is involved.
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
const utc = (sqlParam: string) => `(${sqlParam}::timestamptz AT TIME ZONE 'UTC')`;
/**
 * Epoch milliseconds of a TIMESTAMP(3) column. date_part's float8 seconds are within a microsecond of the exact
 * value for any date a record can carry, so rounding gives the stored millisecond exactly, without extract's
 * numeric arithmetic (several times slower per row on PGlite).
 */
const epochMs = (column: string) => `round(date_part('epoch', ${column}) * 1000)`;
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
 * Locks the datasheet row for the rest of the transaction: writers of one datasheet run one after another,
 * so row caps, auto numbers and revisions cannot race. Undefined when the datasheet is not in the space.
 */
export async function lockDatasheet(q: Queryable, datasheetId: string, spaceId: string): Promise<LockedDatasheet | undefined> {
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

export async function bumpDatasheet(q: Queryable, datasheetId: string, change: { recordDelta: number; autoNumberSeq?: number }): Promise<number> {
  const [row] = await q.query<{ revision: string | number }>(
    `UPDATE datasheets SET record_count = record_count + $2, auto_number_seq = COALESCE($3::bigint, auto_number_seq),
       revision = revision + 1, updated_at = now() AT TIME ZONE 'UTC'
     WHERE id = $1 RETURNING revision`,
    [datasheetId, change.recordDelta, change.autoNumberSeq ?? null],
  );
  return Number(row!.revision);
}

/**
 * New rows and the datasheet's counters (record count, auto-number sequence, revision) in one statement;
 * answers the datasheet's new revision. The caller holds the datasheet's lock (lockDatasheet).
 */
export async function insertRecordsAndBump(
  q: Queryable,
  datasheetId: string,
  rows: readonly NewRecordRow[],
  author: string | null,
  at: Date,
  autoNumberSeq: number,
): Promise<number> {
  const [row] = await q.query<{ revision: string | number }>(
    `WITH inserted AS (
       INSERT INTO records (id, datasheet_id, cells, position, revision, created_at, created_by, updated_at, updated_by)
       SELECT r.id, $1, r.cells::jsonb, r.position, 1, ${utc('$5')}, $6, ${utc('$5')}, $6
       FROM unnest($2::text[], $3::text[], $4::float8[]) AS r(id, cells, position)
       RETURNING 1)
     UPDATE datasheets SET record_count = record_count + (SELECT count(*) FROM inserted), auto_number_seq = $7::bigint,
       revision = revision + 1, updated_at = now() AT TIME ZONE 'UTC'
     WHERE id = $1 RETURNING revision`,
    [datasheetId, rows.map((r) => r.id), rows.map((r) => JSON.stringify(r.cells)), rows.map((r) => r.position), at.toISOString(), author, autoNumberSeq],
  );
  return Number(row!.revision);
}

/** Rows of one datasheet by id, locked for update; missing ids are simply absent from the result. */
export async function selectRecordsForUpdate(q: Queryable, datasheetId: string, ids: readonly string[]): Promise<StoredRecord[]> {
  if (ids.length === 0) return [];
  const rows = await q.query<RecordRowSql>(
    `SELECT ${RECORD_COLUMNS} FROM records r WHERE r.datasheet_id = $1 AND r.id = ANY($2::text[]) ORDER BY r.id FOR UPDATE`,
    [datasheetId, ids],
  );
  return rows.map(toStoredRecord);
}

/** Rows of a datasheet (all, or the given ids) in row order. */
export async function selectRecords(q: Queryable, datasheetId: string, ids?: readonly string[]): Promise<StoredRecord[]> {
  const rows = await q.query<RecordRowSql>(
    `SELECT ${RECORD_COLUMNS} FROM records r
     WHERE r.datasheet_id = $1 AND ($2::text[] IS NULL OR r.id = ANY($2::text[])) ORDER BY r.position, r.id`,
    [datasheetId, ids ?? null],
  );
  return rows.map(toStoredRecord);
}

/** A record's current row, if it exists in a datasheet of the space. */
export async function recordInSpace(q: Queryable, spaceId: string, recordId: string): Promise<StoredRecord | undefined> {
  const [row] = await q.query<RecordRowSql>(
    `SELECT ${RECORD_COLUMNS} FROM records r JOIN datasheets d ON d.id = r.datasheet_id WHERE r.id = $1 AND d.space_id = $2`,
    [recordId, spaceId],
  );
  return row && toStoredRecord(row);
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
    `UPDATE records AS r SET cells = v.cells::jsonb, revision = r.revision + 1, updated_at = ${utc('$4')}, updated_by = $5
     FROM unnest($2::text[], $3::text[]) AS v(id, cells)
     WHERE r.id = v.id AND r.datasheet_id = $1
     RETURNING r.id, r.revision`,
    [datasheetId, rows.map((r) => r.id), rows.map((r) => JSON.stringify(r.cells)), at.toISOString(), author],
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
    [fromDatasheetId, toDatasheetId, rows.map((r) => r.id), rows.map((r) => JSON.stringify(r.cells)), rows.map((r) => r.position), at.toISOString(), author],
  );
}

export async function deleteRecordRows(q: Queryable, datasheetId: string, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await q.query('DELETE FROM records WHERE datasheet_id = $1 AND id = ANY($2::text[])', [datasheetId, ids]);
}

export async function insertChanges(q: Queryable, changes: readonly ChangeRow[], author: string | null, at: Date): Promise<void> {
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

/** Ids (of the given set) that exist in a datasheet; used to validate link cells in one query. */
export async function existingRecordIds(q: Queryable, datasheetId: string, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await q.query<{ id: string }>('SELECT id FROM records WHERE datasheet_id = $1 AND id = ANY($2::text[])', [datasheetId, ids]);
  return new Set(rows.map((r) => r.id));
}

/** Drops one field's cells from every record of a datasheet (field deleted). */
export async function removeFieldCells(q: Queryable, datasheetId: string, fieldId: string): Promise<void> {
  await q.query('UPDATE records SET cells = cells - $2::text WHERE datasheet_id = $1 AND cells ? $2::text', [datasheetId, fieldId]);
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
export async function recordHistory(q: Queryable, spaceId: string, recordId: string, before: bigint | null, limit: number): Promise<HistoryRow[]> {
  const rows = await q.query<{
    id: string | number | bigint;
    field_id: string;
    old_value: unknown;
    new_value: unknown;
    author_id: string | null;
    revision: number | string;
    created_ms: number | string;
  }>(
    `SELECT c.id::text AS id, c.field_id, c.old_value, c.new_value, c.author_id, c.revision, ${epochMs('c.created_at')} AS created_ms
     FROM record_changes c JOIN datasheets d ON d.id = c.datasheet_id
     WHERE c.record_id = $1 AND d.space_id = $2 AND ($3::bigint IS NULL OR c.id < $3::bigint)
     ORDER BY c.id DESC LIMIT $4`,
    [recordId, spaceId, before === null ? null : before.toString(), limit],
  );
  return rows.map((r) => ({
    id: BigInt(r.id),
    fieldId: r.field_id,
    oldValue: r.old_value,
    newValue: r.new_value,
    authorId: r.author_id,
    revision: Number(r.revision),
    createdAt: new Date(Number(r.created_ms)),
  }));
}

/** Users of the given ids that are members of the space. */
export async function spaceMemberIds(q: Queryable, spaceId: string, userIds: readonly string[]): Promise<Set<string>> {
  const rows = await q.query<{ user_id: string }>('SELECT user_id FROM space_members WHERE space_id = $1 AND user_id = ANY($2::text[])', [spaceId, userIds]);
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

/** Attachments of one space by token (tokens of other spaces are absent). */
export async function attachmentsByToken(q: Queryable, spaceId: string, tokens: readonly string[]): Promise<AttachmentRow[]> {
  return q.query<AttachmentRow>(
    `SELECT id, token, name, size, mime_type AS "mimeType", width, height FROM attachments WHERE space_id = $1 AND token = ANY($2::text[])`,
    [spaceId, tokens],
  );
}

/** New select options written with a batch: a schema change, so the datasheet's schema revision moves. */
export async function updateFieldProperty(q: Queryable, fieldId: string, property: unknown): Promise<void> {
  await q.query(
    `WITH f AS (UPDATE fields SET property = $2::jsonb, updated_at = now() AT TIME ZONE 'UTC' WHERE id = $1 RETURNING datasheet_id)
     UPDATE datasheets SET schema_revision = schema_revision + 1 WHERE id IN (SELECT datasheet_id FROM f)`,
    [fieldId, JSON.stringify(property)],
  );
}

/** Drivers hand jsonb objects over parsed; some hand json text over as a string. Only for object columns. */
export function parseObject<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
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
