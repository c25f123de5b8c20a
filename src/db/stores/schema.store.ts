import type { Queryable } from '../client.js';
import { parseObject } from './json-column.js';

export interface SchemaRow {
  id: string;
  spaceId: string;
  name: string;
  revision: number;
  schemaRevision: number;
  fields: {
    id: string;
    name: string;
    type: string;
    property: unknown;
    is_primary: boolean;
    position: number;
    description: string | null;
  }[];
  views: {
    id: string;
    name: string;
    type: string;
    filter: unknown;
    sort: unknown;
    hidden_fields: unknown;
    column_order: unknown;
    row_order: unknown;
    position: number;
  }[];
}

/** A datasheet of a space with its fields and views, in one round trip. */
export async function selectSchema(q: Queryable, spaceId: string, datasheetId: string): Promise<SchemaRow | undefined> {
  return (await selectSchemas(q, spaceId, [datasheetId]))[0];
}

/** Datasheets of a space with their fields and views, in one round trip (missing ids are left out). */
export async function selectSchemas(
  q: Queryable,
  spaceId: string,
  datasheetIds: readonly string[],
): Promise<SchemaRow[]> {
  const rows = await q.query<{
    id: string;
    space_id: string;
    name: string;
    revision: string | number;
    schema_revision: string | number;
    fields: unknown;
    views: unknown;
  }>(
    `SELECT d.id, d.space_id, n.name, d.revision::text AS revision, d.schema_revision::text AS schema_revision,
       (SELECT coalesce(json_agg(f ORDER BY f.position, f.id), '[]'::json)
          FROM (SELECT id, name, type, property, is_primary, position, description FROM fields WHERE datasheet_id = d.id) f) AS fields,
       (SELECT coalesce(json_agg(v ORDER BY v.position, v.id), '[]'::json)
          FROM (SELECT id, name, type, filter, sort, hidden_fields, column_order, row_order, position FROM views WHERE datasheet_id = d.id) v) AS views
     FROM datasheets d JOIN nodes n ON n.id = d.id
     WHERE d.id = ANY($1::text[]) AND d.space_id = $2`,
    [[...datasheetIds], spaceId],
  );
  return rows.map((row) => ({
    id: row.id,
    spaceId: row.space_id,
    name: row.name,
    revision: Number(row.revision),
    schemaRevision: Number(row.schema_revision),
    fields: parseObject(row.fields),
    views: parseObject(row.views),
  }));
}
