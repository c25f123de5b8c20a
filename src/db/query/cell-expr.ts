import type { CellKind, FieldDef, FieldTypeModule, RecordColumn } from '../../domain/fields/field-type.js';
import type { ValueType } from '../../domain/formula/ast.js';

/**
 * SQL over one field of a record row (`<alias>.cells` jsonb keyed by field id), dispatched on the type's
 * cell kind: `value` is the typed comparable value (NULL when empty), `sort` the key ORDER BY uses.
 * Field ids are inlined, not bound, so the same text can back an expression index; they are checked first.
 */
export interface CellExpr {
  value: string;
  sort: string;
}

/**
 * Formula fields' values as typed SQL (formula-columns.ts builds it per query, with the query's parameters); a
 * Formula field is never read from its stored cell.
 */
export interface ComputedSql {
  formula(field: FieldDef, alias: string): { value: string; type: ValueType };
  /** A lookup field's value in its kind (lookup-columns.ts); undefined when the statement has no source for it. */
  lookup?(field: FieldDef, alias: string): string | undefined;
}

/** How a field compares and sorts: its type's cell kind, or the kind its property gives it (a formula's result type). */
export function cellKindOf(field: FieldDef, module: FieldTypeModule): CellKind {
  return module.sqlKind ? module.sqlKind(field.property) : module.cellKind;
}

const BLANK_TYPE: Partial<Record<CellKind, string>> = { number: 'float8', datetime: 'float8', boolean: 'boolean' };

const FIELD_ID = /^fld[0-9A-Za-z]{1,40}$/;
const OPTION_ID = /^opt[0-9A-Za-z]{1,40}$/;

const COLUMN: Record<RecordColumn, string> = {
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  createdBy: 'created_by',
  updatedBy: 'updated_by',
};

export function cellExpr(field: FieldDef, module: FieldTypeModule, alias = 'r', computed?: ComputedSql): CellExpr {
  if (!FIELD_ID.test(field.id)) throw new Error(`not a field id: ${field.id}`);
  if (module.computed === 'formula') return formulaExpr(field, module, alias, computed);
  if (module.computed === 'lookup') {
    // Computed from the linked records when the statement has the lookup's source; otherwise empty.
    const kind = cellKindOf(field, module);
    const value = computed?.lookup?.(field, alias) ?? `NULL::${BLANK_TYPE[kind] ?? 'text'}`;
    return { value, sort: kind === 'boolean' ? `coalesce(${value}, false)` : value };
  }
  if (module.source) {
    const column = `${alias}.${COLUMN[module.source]}`;
    const value = module.cellKind === 'datetime' ? `(extract(epoch FROM ${column}) * 1000)::float8` : column;
    return { value, sort: value };
  }
  const cell = `${alias}.cells->'${field.id}'`;
  const key = module.sqlValueKey;
  switch (module.cellKind) {
    case 'text': {
      const value = key ? `(${cell}->>'${key}')` : `(${alias}.cells->>'${field.id}')`;
      return { value, sort: value };
    }
    case 'number':
    case 'datetime': {
      const value = `(CASE WHEN jsonb_typeof(${cell}) = 'number' THEN (${cell})::text::float8 END)`;
      return { value, sort: value };
    }
    case 'boolean': {
      const value = `(${cell} = 'true'::jsonb)`;
      return { value, sort: `coalesce(${value}, false)` };
    }
    case 'select': {
      const ids = ((field.property as { options?: { id: string }[] }).options ?? [])
        .map((o) => o.id)
        .filter((id) => OPTION_ID.test(id));
      const order = `ARRAY[${ids.map((id) => `'${id}'`).join(',')}]::text[]`;
      const first = module.multiple ? `(${cell}->>0)` : `(${alias}.cells->>'${field.id}')`;
      // Selects sort by option order (the reference's rule), not by name.
      return { value: first, sort: `array_position(${order}, ${first})` };
    }
    case 'array': {
      const element = key ? `e->>'${key}'` : "e #>> '{}'";
      const value = `(SELECT string_agg(${element}, ', ') FROM jsonb_array_elements(CASE WHEN jsonb_typeof(${cell}) = 'array' THEN ${cell} ELSE '[]'::jsonb END) AS e)`;
      return { value, sort: value };
    }
    case 'json':
      return { value: cell, sort: `(${cell})::text` };
  }
}

/** A Formula field's computed value in the shape of its cell kind (arrays compare as their `, `-joined text). */
function formulaExpr(
  field: FieldDef,
  module: FieldTypeModule,
  alias: string,
  computed: ComputedSql | undefined,
): CellExpr {
  const blank = `NULL::${BLANK_TYPE[cellKindOf(field, module)] ?? 'text'}`;
  if (!computed) return { value: blank, sort: blank };
  const { value, type } = computed.formula(field, alias);
  switch (type) {
    case 'boolean':
      return { value, sort: `coalesce(${value}, false)` };
    case 'array': {
      const text = `array_to_string(${value}, ', ')`;
      return { value: text, sort: text };
    }
    case 'null':
      return { value: blank, sort: blank };
    default:
      return { value, sort: value };
  }
}
