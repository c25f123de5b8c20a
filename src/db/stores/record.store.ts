import type { RawDb as Tx } from '../tx.js';

/**
 * Set-based SQL for the record write path: one statement per batch (unnest over parallel arrays),
 * never one statement per row. Cells travel as JSON text and are cast to jsonb in the database.
 */
export interface LockedDatasheet {
  spaceId: string;
  plan: 'FREE' | 'PLUS' | 'PRO' | 'ENTERPRISE';
  spaceRowCap: number | null;
  rowCap: number | null;
  recordCount: number;
  autoNumberSeq: number;
  revision: number;
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
  /** '*' records a creation: newValue then holds all cells (expanded per field when history is read). */
  fieldId: string;
  oldValue: unknown;
  newValue: unknown;
  revision: number;
}

const json = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));

/**
 * Locks the datasheet row for the rest of the transaction: writers of one datasheet run one after another,
 * so row caps, auto numbers and revisions cannot race. Undefined when the datasheet is not in the space.
 */
export async function lockDatasheet(tx: Tx, datasheetId: string, spaceId: string): Promise<LockedDatasheet | undefined> {
  const rows = await tx.$queryRawUnsafe<
    { space_id: string; plan: LockedDatasheet['plan']; space_row_cap: number | null; row_cap: number | null; record_count: number; auto_number_seq: bigint | number; revision: bigint | number }[]
  >(
    `SELECT d.space_id, s.plan::text AS plan, s.row_cap AS space_row_cap, d.row_cap, d.record_count, d.auto_number_seq, d.revision
     FROM datasheets d JOIN spaces s ON s.id = d.space_id
     WHERE d.id = $1 AND d.space_id = $2
     FOR UPDATE OF d`,
    datasheetId,
    spaceId,
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    spaceId: row.space_id,
    plan: row.plan,
    spaceRowCap: row.space_row_cap,
    rowCap: row.row_cap,
    recordCount: Number(row.record_count),
    autoNumberSeq: Number(row.auto_number_seq),
    revision: Number(row.revision),
  };
}

export async function bumpDatasheet(
  tx: Tx,
  datasheetId: string,
  change: { recordDelta: number; autoNumberSeq?: number },
): Promise<number> {
  const rows = await tx.$queryRawUnsafe<{ revision: bigint | number }[]>(
    `UPDATE datasheets SET record_count = record_count + $2, auto_number_seq = COALESCE($3, auto_number_seq),
       revision = revision + 1, updated_at = now()
     WHERE id = $1 RETURNING revision`,
    datasheetId,
    change.recordDelta,
    change.autoNumberSeq ?? null,
  );
  return Number(rows[0]!.revision);
}

export async function lastPosition(tx: Tx, datasheetId: string): Promise<number> {
  const rows = await tx.$queryRawUnsafe<{ position: number | null }[]>(
    'SELECT position FROM records WHERE datasheet_id = $1 ORDER BY position DESC, id DESC LIMIT 1',
    datasheetId,
  );
  return rows[0]?.position ?? 0;
}

export async function insertRecords(
  tx: Tx,
  datasheetId: string,
  rows: readonly NewRecordRow[],
  author: string | null,
  at: Date,
): Promise<void> {
  if (rows.length === 0) return;
  await tx.$executeRawUnsafe(
    `INSERT INTO records (id, datasheet_id, cells, position, revision, created_at, created_by, updated_at, updated_by)
     SELECT r.id, $1, r.cells::jsonb, r.position, 1, $5, $6, $5, $6
     FROM unnest($2::text[], $3::text[], $4::float8[]) AS r(id, cells, position)`,
    datasheetId,
    rows.map((r) => r.id),
    rows.map((r) => JSON.stringify(r.cells)),
    rows.map((r) => r.position),
    at,
    author,
  );
}

/** Rows of one datasheet by id, locked for update; missing ids are simply absent from the result. */
export async function selectRecordsForUpdate(tx: Tx, datasheetId: string, ids: readonly string[]): Promise<StoredRecord[]> {
  if (ids.length === 0) return [];
  const rows = await tx.$queryRawUnsafe<
    { id: string; cells: Record<string, unknown>; revision: number; position: number; created_at: Date; created_by: string | null; updated_at: Date; updated_by: string | null }[]
  >(
    `SELECT id, cells, revision, position, created_at, created_by, updated_at, updated_by FROM records
     WHERE datasheet_id = $1 AND id = ANY($2::text[]) ORDER BY id FOR UPDATE`,
    datasheetId,
    ids,
  );
  return rows.map(toStoredRecord);
}

export async function selectRecords(tx: Tx, datasheetId: string, ids?: readonly string[]): Promise<StoredRecord[]> {
  const rows = await tx.$queryRawUnsafe<
    { id: string; cells: Record<string, unknown>; revision: number; position: number; created_at: Date; created_by: string | null; updated_at: Date; updated_by: string | null }[]
  >(
    `SELECT id, cells, revision, position, created_at, created_by, updated_at, updated_by FROM records
     WHERE datasheet_id = $1 AND ($2::text[] IS NULL OR id = ANY($2::text[])) ORDER BY position, id`,
    datasheetId,
    ids ?? null,
  );
  return rows.map(toStoredRecord);
}

/** Replaces the cells of existing rows and bumps their revision; returns the new revisions by id. */
export async function updateRecordCells(
  tx: Tx,
  datasheetId: string,
  rows: readonly { id: string; cells: Record<string, unknown> }[],
  author: string | null,
  at: Date,
): Promise<Map<string, number>> {
  if (rows.length === 0) return new Map();
  const updated = await tx.$queryRawUnsafe<{ id: string; revision: number }[]>(
    `UPDATE records AS r SET cells = v.cells::jsonb, revision = r.revision + 1, updated_at = $4, updated_by = $5
     FROM unnest($2::text[], $3::text[]) AS v(id, cells)
     WHERE r.id = v.id AND r.datasheet_id = $1
     RETURNING r.id, r.revision`,
    datasheetId,
    rows.map((r) => r.id),
    rows.map((r) => JSON.stringify(r.cells)),
    at,
    author,
  );
  return new Map(updated.map((r) => [r.id, Number(r.revision)]));
}

/** Moves rows to another datasheet in place (ids and history are kept). */
export async function moveRecordRows(
  tx: Tx,
  fromDatasheetId: string,
  toDatasheetId: string,
  rows: readonly { id: string; cells: Record<string, unknown>; position: number }[],
  author: string | null,
  at: Date,
): Promise<void> {
  if (rows.length === 0) return;
  await tx.$executeRawUnsafe(
    `UPDATE records AS r SET datasheet_id = $2, cells = v.cells::jsonb, position = v.position,
       revision = r.revision + 1, updated_at = $6, updated_by = $7
     FROM unnest($3::text[], $4::text[], $5::float8[]) AS v(id, cells, position)
     WHERE r.id = v.id AND r.datasheet_id = $1`,
    fromDatasheetId,
    toDatasheetId,
    rows.map((r) => r.id),
    rows.map((r) => JSON.stringify(r.cells)),
    rows.map((r) => r.position),
    at,
    author,
  );
}

export async function deleteRecordRows(tx: Tx, datasheetId: string, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await tx.$executeRawUnsafe('DELETE FROM records WHERE datasheet_id = $1 AND id = ANY($2::text[])', datasheetId, ids);
}

export async function insertChanges(tx: Tx, changes: readonly ChangeRow[], author: string | null, at: Date): Promise<void> {
  if (changes.length === 0) return;
  await tx.$executeRawUnsafe(
    `INSERT INTO record_changes (record_id, datasheet_id, field_id, old_value, new_value, author_id, revision, created_at)
     SELECT c.record_id, c.datasheet_id, c.field_id, c.old_value::jsonb, c.new_value::jsonb, $7, c.revision, $8
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[])
       AS c(record_id, datasheet_id, field_id, old_value, new_value, revision)`,
    changes.map((c) => c.recordId),
    changes.map((c) => c.datasheetId),
    changes.map((c) => c.fieldId),
    changes.map((c) => json(c.oldValue)),
    changes.map((c) => json(c.newValue)),
    changes.map((c) => c.revision),
    author,
    at,
  );
}

/** Ids (of the given set) that exist in a datasheet; used to validate link cells in one query. */
export async function existingRecordIds(tx: Tx, datasheetId: string, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await tx.$queryRawUnsafe<{ id: string }[]>(
    'SELECT id FROM records WHERE datasheet_id = $1 AND id = ANY($2::text[])',
    datasheetId,
    ids,
  );
  return new Set(rows.map((r) => r.id));
}

/** Drops one field's cells from every record of a datasheet (field deleted). */
export async function removeFieldCells(tx: Tx, datasheetId: string, fieldId: string): Promise<void> {
  await tx.$executeRawUnsafe('UPDATE records SET cells = cells - $2 WHERE datasheet_id = $1 AND cells ? $2', datasheetId, fieldId);
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
  tx: Tx,
  spaceId: string,
  recordId: string,
  before: bigint | null,
  limit: number,
): Promise<HistoryRow[]> {
  const rows = await tx.$queryRawUnsafe<
    { id: bigint; field_id: string; old_value: unknown; new_value: unknown; author_id: string | null; revision: number; created_at: Date }[]
  >(
    `SELECT c.id, c.field_id, c.old_value, c.new_value, c.author_id, c.revision, c.created_at
     FROM record_changes c JOIN datasheets d ON d.id = c.datasheet_id
     WHERE c.record_id = $1 AND d.space_id = $2 AND ($3::bigint IS NULL OR c.id < $3::bigint)
     ORDER BY c.id DESC LIMIT $4`,
    recordId,
    spaceId,
    before === null ? null : before.toString(),
    limit,
  );
  return rows.map((r) => ({
    id: BigInt(r.id),
    fieldId: r.field_id,
    oldValue: r.old_value,
    newValue: r.new_value,
    authorId: r.author_id,
    revision: Number(r.revision),
    createdAt: new Date(r.created_at),
  }));
}

function toStoredRecord(r: {
  id: string;
  cells: Record<string, unknown>;
  revision: number;
  position: number;
  created_at: Date;
  created_by: string | null;
  updated_at: Date;
  updated_by: string | null;
}): StoredRecord {
  return {
    id: r.id,
    cells: typeof r.cells === 'string' ? (JSON.parse(r.cells) as Record<string, unknown>) : r.cells,
    revision: Number(r.revision),
    position: Number(r.position),
    createdAt: new Date(r.created_at),
    createdBy: r.created_by,
    updatedAt: new Date(r.updated_at),
    updatedBy: r.updated_by,
  };
}
