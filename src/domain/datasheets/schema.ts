import type { Queryable } from '../../db/client.js';
import { selectSchema, selectSchemas, type SchemaRow } from '../../db/stores/schema.store.js';
import { DomainError } from '../errors.js';
import { resolveFormulaFields, type FormulaAsts } from '../formula/formula-fields.js';
import { isFieldType, type FieldDef, type FieldType } from '../fields/field-type.js';

export interface ViewDef {
  id: string;
  name: string;
  type: string;
  filter: unknown;
  sort: { fieldId: string; desc: boolean }[];
  hiddenFields: string[];
  columnOrder: string[];
  rowOrder: string[] | null;
  position: number;
}

export interface DatasheetSchema {
  id: string;
  spaceId: string;
  name: string;
  fields: (FieldDef & { position?: number; description?: string | null })[];
  views: ViewDef[];
  revision: number;
  /** Moves only with schema changes; readers cache schemas by it. */
  schemaRevision: number;
  /** The Formula fields' parsed expressions (their values are computed by every query, never stored). */
  formulas: FormulaAsts;
}

/** A datasheet's fields (primary first, then by position) and views, scoped to a space. */
export async function loadSchema(q: Queryable, spaceId: string, datasheetId: string): Promise<DatasheetSchema> {
  const row = await selectSchema(q, spaceId, datasheetId);
  if (!row) throw datasheetNotFound(datasheetId);
  return toSchema(row);
}

/** Several datasheets of a space at once (one round trip), by id; ids of other spaces or of nothing are absent. */
export async function loadSchemas(
  q: Queryable,
  spaceId: string,
  datasheetIds: readonly string[],
): Promise<Map<string, DatasheetSchema>> {
  const rows = await selectSchemas(q, spaceId, datasheetIds);
  return new Map(rows.map((row) => [row.id, toSchema(row)]));
}

function toSchema(row: SchemaRow): DatasheetSchema {
  const fields = row.fields
    .filter((f) => isFieldType(f.type))
    .map((f) => ({
      id: f.id,
      name: f.name,
      type: f.type as FieldType,
      property: f.property,
      isPrimary: f.is_primary,
      position: f.position,
      description: f.description,
    }))
    .sort((a, b) => Number(b.isPrimary) - Number(a.isPrimary));
  const resolved = resolveFormulaFields(fields);
  return {
    id: row.id,
    spaceId: row.spaceId,
    name: row.name,
    revision: row.revision,
    schemaRevision: row.schemaRevision,
    fields: resolved.fields as DatasheetSchema['fields'],
    formulas: resolved.asts,
    views: row.views.map((v) => ({
      id: v.id,
      name: v.name,
      type: v.type,
      filter: v.filter,
      sort: v.sort as ViewDef['sort'],
      hiddenFields: v.hidden_fields as string[],
      columnOrder: v.column_order as string[],
      rowOrder: v.row_order as string[] | null,
      position: v.position,
    })),
  };
}

export const datasheetNotFound = (datasheetId: string) =>
  new DomainError('DATASHEET_NOT_FOUND', "Can't find the specified datasheet", {
    parameter: 'datasheetId',
    datasheetId,
  });
