import type { Queryable } from '../client.js';
import { parseObject } from './json-column.js';
import { epochMs, utc } from './record.store.js';

/**
 * Set-based SQL of a field's type conversion (domain/schema/field-conversion.ts): the field's non-empty cells read a
 * page at a time in row order (the records index), each page's converted cells written with their history rows in
 * one statement, and the history rows read back a page at a time for the change feed.
 */

export interface FieldCellRow {
  id: string;
  position: number;
  value: unknown;
  createdAt: Date;
  createdBy: string | null;
  updatedAt: Date;
  updatedBy: string | null;
}

/** Keyset position in row order. */
export interface RowKey {
  position: number;
  id: string;
}

/** Up to `limit` records of the datasheet holding a cell of the field, after `after` in row order. */
export async function fieldCellPage(
  q: Queryable,
  datasheetId: string,
  fieldId: string,
  after: RowKey | null,
  limit: number,
): Promise<FieldCellRow[]> {
  const rows = await q.query<{
    id: string;
    position: number | string;
    value: string;
    created_ms: number | string;
    created_by: string | null;
    updated_ms: number | string;
    updated_by: string | null;
  }>(
    `SELECT r.id, r.position, (r.cells -> $2::text)::text AS value, ${epochMs('r.created_at')} AS created_ms,
       r.created_by, ${epochMs('r.updated_at')} AS updated_ms, r.updated_by
     FROM records r
     WHERE r.datasheet_id = $1 AND r.cells ? $2::text ${after ? 'AND (r.position, r.id) > ($4::float8, $5::text)' : ''}
     ORDER BY r.position, r.id LIMIT $3`,
    // The row comparison is only an index bound when it stands alone (`$4 IS NULL OR …` would walk the index from the
    // datasheet's first row on every page).
    after ? [datasheetId, fieldId, limit, after.position, after.id] : [datasheetId, fieldId, limit],
  );
  return rows.map((r) => ({
    id: r.id,
    position: Number(r.position),
    value: JSON.parse(r.value) as unknown,
    createdAt: new Date(Number(r.created_ms)),
    createdBy: r.created_by,
    updatedAt: new Date(Number(r.updated_ms)),
    updatedBy: r.updated_by,
  }));
}

/**
 * Sets the field's cell of each record (`value` undefined clears it), bumps their revisions, and writes one history
 * row per cell with its old and new value, by `author` at `at`: one statement.
 */
export async function writeConvertedCells(
  q: Queryable,
  datasheetId: string,
  fieldId: string,
  cells: readonly { id: string; old: unknown; value: unknown }[],
  author: string | null,
  at: Date,
): Promise<void> {
  if (cells.length === 0) return;
  await q.query(
    `WITH u AS (
       UPDATE records r SET cells = CASE WHEN v.value IS NULL THEN r.cells - $2::text
                                         ELSE jsonb_set(r.cells, ARRAY[$2::text], v.value::jsonb) END,
         revision = r.revision + 1, updated_at = ${utc('$5')}, updated_by = $6
       FROM unnest($3::text[], $4::text[], $7::text[]) AS v(id, value, old)
       WHERE r.datasheet_id = $1 AND r.id = v.id
       RETURNING r.id, r.revision, r.cells -> $2::text AS value, v.old)
     INSERT INTO record_changes (record_id, datasheet_id, field_id, old_value, new_value, author_id, revision, created_at)
     SELECT u.id, $1, $2, u.old::jsonb, u.value, $6, u.revision, ${utc('$5')} FROM u`,
    [
      datasheetId,
      fieldId,
      cells.map((c) => c.id),
      // A cleared cell's value is SQL NULL (JSON null would be stored as one).
      cells.map((c) => (c.value === null || c.value === undefined ? null : JSON.stringify(c.value))),
      at.toISOString(),
      author,
      cells.map((c) => JSON.stringify(c.old)),
    ],
  );
}

/** The newest change id so far: the changes a conversion writes after reading it all come after it. */
export async function lastChangeId(q: Queryable): Promise<string> {
  const [row] = await q.query<{ id: string }>('SELECT COALESCE(max(id), 0)::text AS id FROM record_changes');
  return row!.id;
}

export interface ConvertedChange {
  id: string;
  recordId: string;
  oldValue: unknown;
  newValue: unknown;
  revision: number;
}

/** The field's history rows after change `after` (a conversion's own, the datasheet being locked), in id order. */
export async function convertedChanges(
  q: Queryable,
  datasheetId: string,
  fieldId: string,
  after: string,
  limit: number,
): Promise<ConvertedChange[]> {
  const rows = await q.query<{
    id: string;
    record_id: string;
    old_value: string | null;
    new_value: string | null;
    revision: number | string;
  }>(
    `SELECT c.id::text AS id, c.record_id, c.old_value::text AS old_value, c.new_value::text AS new_value, c.revision
     FROM record_changes c
     WHERE c.id > $3::bigint AND c.datasheet_id = $1 AND c.field_id = $2
     ORDER BY c.id LIMIT $4`,
    [datasheetId, fieldId, after, limit],
  );
  return rows.map((r) => ({
    id: r.id,
    recordId: r.record_id,
    oldValue: r.old_value === null ? null : (JSON.parse(r.old_value) as unknown),
    newValue: r.new_value === null ? null : (JSON.parse(r.new_value) as unknown),
    revision: Number(r.revision),
  }));
}

/** Names of users by id (a Member field's cells read as text). */
export async function userNames(q: Queryable, ids: readonly string[]): Promise<{ id: string; name: string }[]> {
  if (ids.length === 0) return [];
  return q.query<{ id: string; name: string }>('SELECT id, name FROM users WHERE id = ANY($1::text[])', [[...ids]]);
}

/** Fields of the given types in the datasheets of a space, with their properties. */
export async function spaceFieldsOfTypes(
  q: Queryable,
  spaceId: string,
  types: readonly string[],
): Promise<{ name: string; property: unknown }[]> {
  const rows = await q.query<{ name: string; property: unknown }>(
    `SELECT f.name, f.property FROM fields f JOIN datasheets d ON d.id = f.datasheet_id
     WHERE d.space_id = $1 AND f.type = ANY($2::text[])`,
    [spaceId, [...types]],
  );
  return rows.map((r) => ({
    name: r.name,
    property: parseObject(r.property),
  }));
}

/** Saves a converted field (name, type, property; the description when given). */
export async function saveConvertedField(
  q: Queryable,
  field: { id: string; name: string; type: string; property: unknown },
  description: string | null | undefined,
): Promise<void> {
  await q.query(
    `UPDATE fields SET name = $2, type = $3, property = $4::jsonb,
       description = CASE WHEN $5::boolean THEN $6 ELSE description END, updated_at = now() AT TIME ZONE 'UTC'
     WHERE id = $1`,
    [field.id, field.name, field.type, JSON.stringify(field.property), description !== undefined, description ?? null],
  );
}

/** A schema change of the datasheet: its revision and schema revision move; answers the new revision. */
export async function bumpSchemaRevision(q: Queryable, datasheetId: string): Promise<number> {
  const [row] = await q.query<{ revision: string | number }>(
    `UPDATE datasheets SET revision = revision + 1, schema_revision = schema_revision + 1,
       updated_at = now() AT TIME ZONE 'UTC'
     WHERE id = $1 RETURNING revision`,
    [datasheetId],
  );
  return Number(row!.revision);
}
