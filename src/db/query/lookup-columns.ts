import type { FieldDef } from '../../domain/fields/field-type.js';
import type { FormulaAsts } from '../../domain/formula/formula-fields.js';
import { parseFormula } from '../../domain/formula/parser.js';
import { fieldTypeOf } from '../../domain/fields/registry.js';
import type { FilterGroup } from '../../domain/views/view.schema.js';
import { cellExpr, type ComputedSql } from './cell-expr.js';
import { compileFilter } from './compile-filter.js';
import { compileFormula } from './compile-formula.js';
import { sortKeyExprs } from './sort-keys.js';
import type { SqlParams } from './sql-params.js';

/** Where a lookup field reads from: its link field, the linked datasheet's fields and Formula fields, the target. */
export interface LookupSource {
  link: FieldDef;
  datasheetId: string;
  fields: readonly FieldDef[];
  formulas: FormulaAsts;
  target: FieldDef;
}

/** Lookup fields' sources by lookup field id (only those a statement filters or sorts by need one). */
export type LookupSources = ReadonlyMap<string, LookupSource>;

interface LookupProperty {
  rollupFunction?: string;
  enableFilterSort?: boolean;
  filterInfo?: FilterGroup;
  sortInfo?: { rules: { fieldId: string; desc: boolean }[] };
  lookUpLimit?: 'ALL' | 'FIRST';
}

/**
 * A lookup field's value over one row of `<alias>`, in SQL, for filters and sorts (reads render the same values in
 * src/domain/records/render-records.ts): the linked records in the link cell's order (the lookup's filter, sort and
 * FIRST limit applied), each target value as the formula engine writes it as text; then the text list joined by
 * ", ", or the numeric / logical roll-up. NULL when empty.
 */
export function lookupSql(
  field: FieldDef,
  source: LookupSource,
  alias: string,
  params: SqlParams,
  clock: { timeZone: string; now: Date },
  as: 'value' | 'array',
  columns: (fields: readonly FieldDef[], formulas: FormulaAsts) => ComputedSql,
): string {
  const p = (field.property ?? {}) as LookupProperty;
  const fn = p.rollupFunction ?? 'VALUES';
  const cell = `${alias}.cells->'${source.link.id}'`;
  const datasheet = params.add(source.datasheetId, 'text');
  // The linked rows' alias, unique in the statement (the parameter just added is numbered once).
  const fr = `fr${params.values.length}`;
  const computed = columns(source.fields, source.formulas);
  const filtering = p.enableFilterSort === true;
  const where = filtering && p.filterInfo ? compileFilter(p.filterInfo, source.fields, params, fr, computed) : 'TRUE';
  const rule = filtering ? p.sortInfo?.rules[0] : undefined;
  const sortField = rule && source.fields.find((f) => f.id === rule.fieldId);
  const order = sortField
    ? `${sortKeyExprs(sortField, fr, computed)
        .map((k) => `${k} ${rule!.desc ? 'DESC' : 'ASC'}`)
        .join(', ')}, l.ord`
    : 'l.ord';
  const text = compileFormula(parseFormula(`CONCATENATE({${source.target.id}})`, source.fields), {
    fields: source.fields,
    alias: fr,
    params: params.values,
    timeZone: clock.timeZone,
    now: clock.now,
    formulas: source.formulas,
    memoKey: `lookup:${source.target.id}`,
  });
  const targetModule = fieldTypeOf(source.target.type);
  const number = targetModule.cellKind === 'number' ? cellExpr(source.target, targetModule, fr).value : 'NULL::float8';
  const kept = `SELECT ${text} AS x, ${number} AS n, row_number() OVER (ORDER BY ${order}) AS o
    FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(${cell}) = 'array' THEN ${cell} ELSE '[]'::jsonb END) WITH ORDINALITY AS l(id, ord)
    JOIN records ${fr} ON ${fr}.datasheet_id = ${datasheet} AND ${fr}.id = l.id
    WHERE ${where}`;
  const from = `FROM (${kept}) k${p.lookUpLimit === 'FIRST' ? ' WHERE k.o = 1' : ''}`;
  const truthy = `(k.x <> '' AND k.x <> 'false' AND k.x <> '0')`;
  if (as === 'array') {
    // What a formula reads (field-values.ts: a lookup is a list of texts): the values, or the roll-up's one value.
    if (fn === 'VALUES' || fn.startsWith('ARRAY'))
      return `(SELECT array_agg(k.x ORDER BY k.o) FILTER (WHERE k.x <> '') ${from})`;
    return `(SELECT CASE WHEN v IS NULL THEN NULL ELSE ARRAY[v::text] END FROM (SELECT ${lookupSql(field, source, alias, params, clock, 'value', columns)} AS v) r1)`;
  }
  switch (fn) {
    case 'SUM':
      return `(SELECT coalesce(sum(k.n), 0)::float8 ${from})`;
    case 'AVERAGE':
      return `(SELECT coalesce(avg(k.n), 0)::float8 ${from})`;
    case 'MIN':
      return `(SELECT min(k.n) ${from})`;
    case 'MAX':
      return `(SELECT max(k.n) ${from})`;
    case 'COUNT':
      return `(SELECT count(k.n)::float8 ${from})`;
    case 'COUNTA':
      return `(SELECT count(*) FILTER (WHERE k.x <> '')::float8 ${from})`;
    case 'COUNTALL':
      return `(SELECT count(*)::float8 ${from})`;
    case 'AND':
      return `(SELECT count(*) > 0 AND bool_and(${truthy}) ${from})`;
    case 'OR':
      return `(SELECT coalesce(bool_or(${truthy}), false) ${from})`;
    case 'XOR':
      return `(SELECT count(*) FILTER (WHERE ${truthy}) % 2 = 1 ${from})`;
    case 'CONCATENATE':
      return `(SELECT nullif(string_agg(k.x, '' ORDER BY k.o), '') ${from})`;
    default:
      return `(SELECT nullif(string_agg(k.x, ', ' ORDER BY k.o) FILTER (WHERE k.x <> ''), '') ${from})`;
  }
}
