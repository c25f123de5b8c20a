import type { FieldDef } from '../../domain/fields/field-type.js';
import type { FormulaAsts } from '../../domain/formula/formula-fields.js';
import { FormulaLimitError } from '../../domain/formula/limits.js';
import type { ComputedSql } from './cell-expr.js';
import { compileFormula } from './compile-formula.js';
import { nullOf } from './formula-sql/values.js';
import { lookupSql, type LookupSources } from './lookup-columns.js';
import type { SqlParams } from './sql-params.js';

/** What Formula fields compute with: their parsed expressions, the server time zone and the query's clock. */
export interface FormulaSpec {
  asts: FormulaAsts;
  timeZone: string;
  now: Date;
  /** Sources of the lookup fields formulas read (others read as stored, i.e. empty). */
  lookups?: LookupSources | undefined;
}

/**
 * Lookup fields over a statement's parameters, as filters and sorts compare them (`value`) or as formulas read them
 * (`array`, text[]); undefined for a lookup without a source, and when there are no sources at all.
 */
export function lookupColumns(
  spec: { timeZone: string; now: Date; lookups?: LookupSources | undefined } | undefined,
  params: SqlParams,
  as: 'value' | 'array',
) {
  if (!spec?.lookups?.size) return undefined;
  const { lookups: sources } = spec;
  return (field: FieldDef, alias: string) => {
    const source = sources.get(field.id);
    // The linked datasheet's Formula fields, without lookups of their own (lookups of lookups read empty in SQL).
    const columns = (fields: readonly FieldDef[], asts: FormulaAsts) =>
      formulaColumns(fields, { asts, timeZone: spec.timeZone, now: spec.now }, params);
    return source && lookupSql(field, source, alias, params, spec, as, columns);
  };
}

/**
 * Formula fields compiled into the statement being built (values bound to its parameters), once per field and
 * row alias, and the lookups the spec has sources for. A field with an error computes NULL, the same empty cell the
 * evaluator gives.
 */
export function formulaColumns(
  fields: readonly FieldDef[],
  spec: FormulaSpec | undefined,
  params: SqlParams,
): ComputedSql {
  const compiled = new Map<string, { value: string; type: ReturnType<ComputedSql['formula']>['type'] }>();
  const arrays = lookupColumns(spec, params, 'array');
  const lookup = lookupColumns(spec, params, 'value');
  const compiledFormula = (field: FieldDef, alias: string, ast: NonNullable<ReturnType<FormulaAsts['get']>>) => {
    const bound = params.values.length;
    try {
      const value = compileFormula(ast, {
        fields,
        alias,
        params: params.values,
        timeZone: spec!.timeZone,
        now: spec!.now,
        formulas: spec!.asts,
        memoKey: field.id,
        lookups: arrays,
      });
      return { value, type: ast.root.type };
    } catch (error) {
      // Over FORMULA_LIMITS.compiledSql (possible only through references to formulas changed since): an error cell.
      // Values its lookups bound are dropped with it (PostgreSQL rejects parameters it cannot type).
      if (error instanceof FormulaLimitError) {
        params.values.length = bound;
        return { value: nullOf(ast.root.type), type: ast.root.type };
      }
      throw error;
    }
  };
  return {
    ...(lookup ? { lookup } : {}),
    formula(field, alias) {
      const key = `${alias}.${field.id}`;
      let sql = compiled.get(key);
      if (!sql) {
        const ast = spec?.asts.get(field.id);
        sql = ast ? compiledFormula(field, alias, ast) : { value: nullOf('null'), type: 'null' };
        compiled.set(key, sql);
      }
      return sql;
    },
  };
}
