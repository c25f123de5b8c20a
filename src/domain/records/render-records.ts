import type { Database } from '../../db/client.js';
import { FilterCompileError } from '../../db/query/compile-filter.js';
import { listRecords, selectFormulaValues } from '../../db/query/list-records.js';
import type { StoredRecord } from '../../db/stores/record.store.js';
import type { Reach } from '../access/reach.js';
import { lookupCells, linkedIdsOf } from '../cells/lookup-rollup.js';
import { readRecords, type CellFormat, type RecordView } from '../cells/read-cells.js';
import type { FieldKey } from '../cells/write-cells.js';
import type { DatasheetSchema } from '../datasheets/schema.js';
import type { FieldDef } from '../fields/field-type.js';
import { fieldTypeOf } from '../fields/registry.js';
import type { MagicLookUpProperty } from '../fields/types/magic-lookup.field.js';
import type { FilterGroup } from '../views/view.schema.js';
import { lookupSources, resolveLookup, type SchemaMemo } from './lookup-sources.js';
import { loadReadLookups } from './read-lookups.js';

/** What rendering needs besides the rows: the database, the caller's reach, the server's time zone, clock and URLs. */
export interface RenderContext {
  db: Database;
  /** The caller's datasheets: lookups into others read empty, at every depth (access/reach.ts). */
  reach: Reach;
  timeZone: string;
  attachmentUrl(token: string): string;
  now: Date;
  /** Schemas already loaded in this request, by datasheet id. */
  schemas?: SchemaMemo;
}

export interface RenderFormat {
  cellFormat: CellFormat;
  fieldKey: FieldKey;
}

/** Lookups of lookups are followed this deep; deeper ones read empty. */
const MAX_DEPTH = 3;

/**
 * The record read pipeline, the one way stored rows become Fusion records (REST, GraphQL, the answers of writes):
 * Formula values (computed in SQL when the rows do not carry them yet: `computeFormulas`), then MagicLookUp values,
 * then what the cells refer to (users, linked records' titles), then each cell as its field type reads it.
 */
export async function renderRecords(
  ctx: RenderContext,
  schema: DatasheetSchema,
  columns: readonly FieldDef[],
  rows: readonly StoredRecord[],
  format: RenderFormat & { computeFormulas?: boolean },
): Promise<RecordView[]> {
  if (format.computeFormulas) rows = await withFormulaValues(ctx, schema, rows);
  const read = await renderPage(ctx, schema, columns, rows, format.cellFormat, 0);
  return read(format);
}

/** Formula values are never stored: the current values of rows a write returned. */
async function withFormulaValues(
  ctx: RenderContext,
  schema: DatasheetSchema,
  rows: readonly StoredRecord[],
): Promise<readonly StoredRecord[]> {
  if (schema.formulas.size === 0) return rows;
  const lookups = await lookupSources(ctx.db, ctx.reach, schema, null, [], undefined);
  const formulas = { asts: schema.formulas, timeZone: ctx.timeZone, now: ctx.now, lookups };
  const values = await selectFormulaValues(
    ctx.db,
    schema.id,
    schema.fields,
    formulas,
    rows.map((r) => r.id),
  );
  return rows.map((row) => ({ ...row, cells: { ...row.cells, ...values.get(row.id) } }));
}

/**
 * The pipeline up to reading cells: lookup values filled in (as `lookupFormat` renders them), then the read context
 * loaded once; the returned reader renders the page in any format without another query.
 */
async function renderPage(
  ctx: RenderContext,
  schema: DatasheetSchema,
  columns: readonly FieldDef[],
  rows: readonly StoredRecord[],
  lookupFormat: CellFormat,
  depth: number,
): Promise<(format: RenderFormat) => RecordView[]> {
  const schemas = ctx.schemas ?? new Map<string, DatasheetSchema | null>();
  const filled = await withLookupValues({ ...ctx, schemas }, schema, columns, rows, lookupFormat, depth);
  const lookups = await loadReadLookups(ctx.db, schema.spaceId, columns, filled, {
    timeZone: ctx.timeZone,
    attachmentUrl: ctx.attachmentUrl,
    reach: ctx.reach,
  });
  return (format) => readRecords(columns, filled, lookups, format);
}

/**
 * MagicLookUp values (aitable-fusion-api.md §8.2, §8.4), computed when a page is read: one query per lookup field for
 * the whole page, whatever its size (cells/lookup-rollup.ts rolls the linked values up). Returns the rows with the
 * lookup cells filled in.
 */
async function withLookupValues(
  ctx: RenderContext & { schemas: SchemaMemo },
  schema: DatasheetSchema,
  columns: readonly FieldDef[],
  rows: readonly StoredRecord[],
  cellFormat: CellFormat,
  depth: number,
): Promise<readonly StoredRecord[]> {
  const lookups = columns.filter((f) => fieldTypeOf(f.type).computed === 'lookup');
  if (lookups.length === 0 || rows.length === 0) return rows;
  const computed = new Map<string, Map<string, unknown>>();
  for (const field of lookups) {
    computed.set(
      field.id,
      depth < MAX_DEPTH ? await lookupField(ctx, schema, field, rows, cellFormat, depth) : new Map<string, unknown>(),
    );
  }
  return rows.map((row) => {
    const cells = { ...row.cells };
    for (const field of lookups) {
      const value = computed.get(field.id)!.get(row.id);
      if (value === undefined) delete cells[field.id];
      else cells[field.id] = value;
    }
    return { ...row, cells };
  });
}

/** One lookup field's cell per row id (absent when empty). */
async function lookupField(
  ctx: RenderContext & { schemas: SchemaMemo },
  schema: DatasheetSchema,
  field: FieldDef,
  rows: readonly StoredRecord[],
  cellFormat: CellFormat,
  depth: number,
): Promise<Map<string, unknown>> {
  const p = field.property as MagicLookUpProperty;
  const resolved = await resolveLookup(ctx.db, schema, field, ctx.reach, ctx.schemas);
  if (!resolved) return new Map();
  const { link, foreign, target } = resolved;
  const ids = [...new Set(rows.flatMap((row) => linkedIdsOf(row.cells, link.id)))];
  if (ids.length === 0) return new Map();

  // The linked records the lookup keeps, in SQL: its filter and sort over the linked datasheet, formulas computed.
  const filtering = p.enableFilterSort === true;
  const sortRule = filtering ? p.sortInfo?.rules[0] : undefined;
  const sortField = sortRule && foreign.fields.find((f) => f.id === sortRule.fieldId);
  let linked: readonly StoredRecord[];
  try {
    linked = (
      await listRecords(
        ctx.db,
        {
          datasheetId: foreign.id,
          fields: foreign.fields,
          recordIds: ids,
          filter: filtering && p.filterInfo ? (p.filterInfo as FilterGroup) : null,
          sorts: sortField ? [{ field: sortField, desc: Boolean(sortRule!.desc) }] : [],
          formulas: { asts: foreign.formulas, timeZone: ctx.timeZone, now: ctx.now },
          output: [target],
        },
        { kind: 'offset', offset: 0, limit: ids.length },
      )
    ).records;
  } catch (error) {
    // A filter the linked datasheet no longer supports (a field deleted or changed type) leaves the lookup empty.
    if (error instanceof FilterCompileError) return new Map();
    throw error;
  }
  // The target's values as this read renders them (json values, or the target's own text); a target lookup as json.
  const read = await renderPage(ctx, foreign, [target], linked, 'json', depth + 1);
  const valuesOf = (format: CellFormat) => read({ cellFormat: format, fieldKey: 'id' }).map((r) => r.fields[target.id]);
  const [json, text] = [valuesOf('json'), valuesOf('string')];
  const values = linked.map((r, i) => ({ id: r.id, json: json[i], text: (text[i] ?? null) as string | null }));
  return lookupCells(p, rows, link.id, values, { sorted: Boolean(sortField), cellFormat });
}
