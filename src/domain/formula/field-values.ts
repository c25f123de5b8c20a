import type { FieldDef } from '../fields/field-type.js';
import { fieldTypeOf } from '../fields/registry.js';
import type { FormulaValue, ValueType } from './ast.js';
import { numberText } from './values.js';

/**
 * How a field's stored cell enters a formula (aitable-fusion-api.md §6 "How field values enter the formula").
 * The SQL compiler reads the same shapes (src/db/query/formula-sql/fields.ts `fieldSql`).
 */
export interface FormulaRecord {
  id: string;
  cells: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
  createdBy?: string | null;
  updatedBy?: string | null;
}

export type FieldValueShape =
  | { kind: 'text'; key?: string }
  | { kind: 'number' }
  | { kind: 'boolean' }
  | { kind: 'datetime' }
  | { kind: 'select' }
  | { kind: 'multiSelect' }
  | { kind: 'array'; key?: string }
  | { kind: 'column'; column: 'createdAt' | 'updatedAt' | 'createdBy' | 'updatedBy' }
  | { kind: 'computed'; type: ValueType }
  | { kind: 'none' };

const COMPUTED: Record<string, ValueType> = {
  String: 'string',
  Number: 'number',
  Boolean: 'boolean',
  DateTime: 'datetime',
  Array: 'array',
};

export function fieldShape(field: FieldDef): FieldValueShape {
  const module = fieldTypeOf(field.type);
  if (module.source) return { kind: 'column', column: module.source };
  if (module.cellKind === 'select') return module.multiple ? { kind: 'multiSelect' } : { kind: 'select' };
  switch (module.cellKind) {
    case 'text':
      return module.sqlValueKey ? { kind: 'text', key: module.sqlValueKey } : { kind: 'text' };
    case 'number':
      return { kind: 'number' };
    case 'boolean':
      return { kind: 'boolean' };
    case 'datetime':
      return { kind: 'datetime' };
    case 'array':
      return module.sqlValueKey ? { kind: 'array', key: module.sqlValueKey } : { kind: 'array' };
    case 'json': {
      const valueType = (field.property as { valueType?: string } | null)?.valueType;
      return module.computed === 'formula' && valueType && COMPUTED[valueType]
        ? { kind: 'computed', type: COMPUTED[valueType]! }
        : { kind: 'none' };
    }
  }
}

export function fieldValueType(field: FieldDef): ValueType {
  const shape = fieldShape(field);
  switch (shape.kind) {
    case 'text':
    case 'select':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'datetime':
      return 'datetime';
    case 'multiSelect':
    case 'array':
      return 'array';
    case 'column':
      return shape.column === 'createdAt' || shape.column === 'updatedAt' ? 'datetime' : 'string';
    case 'computed':
      return shape.type;
    case 'none':
      return 'null';
  }
}

export const selectOptions = (field: FieldDef): { id: string; name: string }[] =>
  ((field.property as { options?: { id: string; name: string }[] } | null)?.options ?? []).filter(
    (o) => typeof o.id === 'string' && typeof o.name === 'string',
  );

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** One array element as text: strings, numbers, booleans; objects through the type's key; others skipped. */
function elementText(e: unknown, key: string | undefined): string | null {
  if (typeof e === 'string') return e;
  if (finite(e)) return numberText(e);
  if (typeof e === 'boolean') return String(e);
  if (key && isObject(e) && typeof e[key] === 'string') return e[key] as string;
  return null;
}

function arrayValue(stored: unknown, key: string | undefined): string[] | null {
  if (!Array.isArray(stored)) return null;
  const items = stored.map((e) => elementText(e, key)).filter((e): e is string => e !== null);
  return items.length ? items : null;
}

const msOf = (d: Date) => Math.floor(d.getTime());

export function readField(field: FieldDef, record: FormulaRecord): FormulaValue {
  const shape = fieldShape(field);
  const stored = record.cells[field.id];
  switch (shape.kind) {
    case 'text': {
      if (typeof stored === 'string') return stored;
      if (shape.key && isObject(stored) && typeof stored[shape.key] === 'string') return stored[shape.key] as string;
      return null;
    }
    case 'number':
      return finite(stored) ? stored : null;
    case 'datetime':
      return finite(stored) ? Math.floor(stored) : null;
    case 'boolean':
      return stored === true;
    case 'select':
      return typeof stored === 'string' ? (selectOptions(field).find((o) => o.id === stored)?.name ?? null) : null;
    case 'multiSelect': {
      if (!Array.isArray(stored)) return null;
      const options = selectOptions(field);
      const names = stored.flatMap((id) =>
        typeof id === 'string' ? (options.find((o) => o.id === id)?.name ?? []) : [],
      );
      return names.length ? names : null;
    }
    case 'array':
      return arrayValue(stored, shape.key);
    case 'column': {
      if (shape.column === 'createdAt') return msOf(record.createdAt);
      if (shape.column === 'updatedAt') return msOf(record.updatedAt);
      const by = shape.column === 'createdBy' ? record.createdBy : record.updatedBy;
      return typeof by === 'string' ? by : null;
    }
    case 'computed':
      switch (shape.type) {
        case 'string':
          return typeof stored === 'string' ? stored : null;
        case 'number':
          return finite(stored) ? stored : null;
        case 'datetime':
          return finite(stored) ? Math.floor(stored) : null;
        case 'boolean':
          return stored === true;
        case 'array':
          return arrayValue(stored, undefined);
        default:
          return null;
      }
    case 'none':
      return null;
  }
}
