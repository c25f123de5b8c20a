import type { FieldDef } from '../../domain/fields/field-type.js';
import { fieldTypeOf } from '../../domain/fields/registry.js';
import { isGroup, type FilterCondition, type FilterGroup } from '../../domain/views/view.schema.js';
import { cellExpr, cellKindOf, type ComputedSql } from './cell-expr.js';
import type { SqlParams } from './sql-params.js';

/** A condition the compiler cannot express for its field (the view service validates before storing). */
export class FilterCompileError extends Error {
  override name = 'FilterCompileError';
}

/**
 * A view's structured filter (nested AND/OR groups of `{fieldId, operator, value}`) as one SQL boolean
 * over `<alias>`, dispatched on the field's cell kind. Values are bound, never inlined.
 */
export function compileFilter(
  group: FilterGroup,
  fields: readonly FieldDef[],
  params: SqlParams,
  alias = 'r',
  computed?: ComputedSql,
): string {
  const parts = group.conditions.map((c) =>
    isGroup(c)
      ? compileFilter(c, fields, params, alias, computed)
      : compileCondition(c, fields, params, alias, computed),
  );
  if (parts.length === 0) return 'TRUE';
  return `(${parts.join(group.conjunction === 'or' ? ' OR ' : ' AND ')})`;
}

function compileCondition(
  c: FilterCondition,
  fields: readonly FieldDef[],
  params: SqlParams,
  alias: string,
  computed: ComputedSql | undefined,
): string {
  const field = fields.find((f) => f.id === c.fieldId);
  if (!field) return 'FALSE'; // a deleted field's condition matches nothing until the view is edited
  const module = fieldTypeOf(field.type);
  const kind = cellKindOf(field, module);
  const expr = cellExpr(field, module, alias, computed);
  const cell = `${alias}.cells->'${field.id}'`;
  const blankText =
    module.multiple || module.cellKind === 'array' || (module.computed === 'formula' && kind === 'text');
  const empty = blankText ? `(${expr.value} IS NULL OR ${expr.value} = '')` : `(${expr.value} IS NULL)`;
  switch (c.operator) {
    case 'isEmpty':
      return empty;
    case 'isNotEmpty':
      return `NOT ${empty}`;
    case 'isRepeat': {
      const other = cellExpr(field, module, `${alias}_dup`, computed);
      return `(${expr.value} IS NOT NULL AND EXISTS (SELECT 1 FROM records ${alias}_dup WHERE ${alias}_dup.datasheet_id = ${alias}.datasheet_id AND ${alias}_dup.id <> ${alias}.id AND ${other.value} = ${expr.value}))`;
    }
  }
  const value = c.value;
  switch (kind) {
    case 'number':
    case 'datetime':
      return compare(c.operator, expr.value, params.add(toNumber(value, kind === 'datetime'), 'float8'));
    case 'boolean': {
      const want = value === true || value === 'true' || value === 1;
      if (c.operator === 'is') return `coalesce(${expr.value}, false) = ${params.add(want, 'boolean')}`;
      if (c.operator === 'isNot') return `coalesce(${expr.value}, false) <> ${params.add(want, 'boolean')}`;
      break;
    }
    case 'select': {
      const ids = optionIds(field, value);
      const any = module.multiple
        ? `(${cell} ?| ${params.add(ids, 'text[]')})`
        : `(${alias}.cells->>'${field.id}' = ANY(${params.add(ids, 'text[]')}))`;
      if (c.operator === 'is' || c.operator === 'contains') return `coalesce(${any}, false)`;
      if (c.operator === 'isNot' || c.operator === 'doesNotContain') return `NOT coalesce(${any}, false)`;
      break;
    }
    case 'array': {
      // Links, members, attachments: `is`/`contains` match an element (a linked record id, a member id) or its text.
      const wanted = (Array.isArray(value) ? value : [value]).map(String);
      const element = module.sqlValueKey
        ? `EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(${cell}) = 'array' THEN ${cell} ELSE '[]'::jsonb END) e, unnest(${params.add(wanted, 'text[]')}) w WHERE strpos(lower(e->>'${module.sqlValueKey}'), lower(w)) > 0)`
        : `coalesce(${cell} ?| ${params.add(wanted, 'text[]')}, false)`;
      if (c.operator === 'is' || c.operator === 'contains') return element;
      if (c.operator === 'isNot' || c.operator === 'doesNotContain') return `NOT ${element}`;
      break;
    }
    default: {
      const text = `coalesce(${expr.value}, '')`;
      const v = value === null || value === undefined ? '' : String(value);
      if (c.operator === 'is') return `${text} = ${params.add(v, 'text')}`;
      if (c.operator === 'isNot') return `${text} <> ${params.add(v, 'text')}`;
      if (c.operator === 'contains') return `strpos(lower(${text}), lower(${params.add(v, 'text')})) > 0`;
      if (c.operator === 'doesNotContain') return `strpos(lower(${text}), lower(${params.add(v, 'text')})) = 0`;
      return compare(c.operator, text, params.add(v, 'text'));
    }
  }
  throw new FilterCompileError(`The ${c.operator} operator does not apply to ${field.type} field ${field.name}`);
}

const OPERATOR_SQL: Partial<Record<FilterCondition['operator'], string>> = {
  is: '=',
  isNot: '<>',
  isGreater: '>',
  isGreaterEqual: '>=',
  isLess: '<',
  isLessEqual: '<=',
};

function compare(operator: FilterCondition['operator'], left: string, right: string): string {
  const sql = OPERATOR_SQL[operator];
  if (!sql) throw new FilterCompileError(`The ${operator} operator compares text only`);
  // `isNot` keeps empty cells (they are not equal to the value), as users expect.
  return operator === 'isNot' ? `(${left} IS NULL OR ${left} <> ${right})` : `(${left} ${sql} ${right})`;
}

function toNumber(value: unknown, date: boolean): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (date && typeof value === 'string') {
    const ms = Date.parse(value);
    if (Number.isFinite(ms)) return ms;
  }
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  throw new FilterCompileError(`"${String(value)}" is not a ${date ? 'date' : 'number'}`);
}

/** Option ids for a condition value given as option names or ids (one or a list). */
function optionIds(field: FieldDef, value: unknown): string[] {
  const options = (field.property as { options?: { id: string; name: string }[] }).options ?? [];
  const wanted = (Array.isArray(value) ? value : [value]).map(String);
  return options.filter((o) => wanted.includes(o.id) || wanted.includes(o.name)).map((o) => o.id);
}
