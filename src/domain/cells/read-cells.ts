import type { FieldDef, ReadContext } from '../fields/field-type.js';
import { FIELD_TYPES, fieldTypeOf } from '../fields/registry.js';
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

export function readRecord(
  fields: readonly FieldDef[],
  row: RecordRow,
  lookups: ReadLookups,
  options: { cellFormat: CellFormat; fieldKey: FieldKey },
): RecordView {
  const ctx: ReadContext = { ...lookups, record: row };
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const module = fieldTypeOf(field.type);
    const stored = row.cells[field.id];
    const value = options.cellFormat === 'json' ? module.read.json(stored, field, ctx) : module.read.string(stored, field, ctx);
    if (value !== undefined && value !== null) out[options.fieldKey === 'id' ? field.id : field.name] = value;
  }
  return { recordId: row.id, createdAt: row.createdAt.getTime(), updatedAt: row.updatedAt.getTime(), fields: out };
}
