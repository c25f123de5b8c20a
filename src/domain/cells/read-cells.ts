import type { FieldDef, ReadContext } from '../fields/field-type.js';
import { fieldTypeOf } from '../fields/registry.js';
import type { FieldKey } from './write-cells.js';

export type CellFormat = 'json' | 'string';

export interface RecordRow {
  id: string;
  cells: Record<string, unknown>;
  revision: number;
  createdAt: Date;
  updatedAt: Date;
  createdBy: string | null;
  updatedBy: string | null;
}

/** The Fusion record object (aitable-fusion-api.md §7.4): empty cells are omitted. */
export interface RecordView {
  recordId: string;
  createdAt: number;
  updatedAt: number;
  fields: Record<string, unknown>;
}

export type ReadLookups = Omit<ReadContext, 'record'>;

/** Renders rows to Fusion records; one read context serves the whole page (`record` is the row being read). */
export function readRecords(
  fields: readonly FieldDef[],
  rows: readonly RecordRow[],
  lookups: ReadLookups,
  options: { cellFormat: CellFormat; fieldKey: FieldKey },
): RecordView[] {
  if (rows.length === 0) return [];
  const columns = fields.map((field) => {
    const module = fieldTypeOf(field.type);
    return {
      field,
      key: options.fieldKey === 'id' ? field.id : field.name,
      read: options.cellFormat === 'json' ? module.read.json : module.read.string,
    };
  });
  const ctx: ReadContext = {
    timeZone: lookups.timeZone,
    user: lookups.user,
    linkedTitle: lookups.linkedTitle,
    attachmentUrl: lookups.attachmentUrl,
    record: rows[0]!,
  };
  return rows.map((row) => {
    ctx.record = row;
    const out: Record<string, unknown> = {};
    for (const { field, key, read } of columns) {
      const value = read(row.cells[field.id], field, ctx);
      if (value !== undefined && value !== null) out[key] = value;
    }
    return { recordId: row.id, createdAt: row.createdAt.getTime(), updatedAt: row.updatedAt.getTime(), fields: out };
  });
}
