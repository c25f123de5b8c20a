import type { FieldDef } from '../../domain/fields/field-type.js';
import type { FormulaAsts } from '../../domain/formula/formula-fields.js';
import type { ComputedSql } from './cell-expr.js';
import { compileFormula } from './compile-formula.js';
import { nullOf } from './formula-sql-values.js';
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

/** Lookup fields as formulas read them (text[] SQL), for a statement's parameters. */
export function lookupArrays(sources: LookupSources | undefined, params: SqlParams, clock: { timeZone: string; now: Date }) {
  if (!sources?.size) return undefined;
  return (field: FieldDef, alias: string) => {
    const source = sources.get(field.id);
    return source && lookupSql(field, source, alias, params, clock, 'array');
  };
}

/**
 * Formula fields compiled into the statement being built (values bound to its parameters), once per field and
 * row alias. A field with an error computes NULL, the same empty cell the evaluator gives.
 */
export function formulaColumns(fields: readonly FieldDef[], spec: FormulaSpec | undefined, params: SqlParams): ComputedSql {
  const compiled = new Map<string, { value: string; type: ReturnType<ComputedSql['formula']>['type'] }>();
  return {
    formula(field, alias) {
      const key = `${alias}.${field.id}`;
      let sql = compiled.get(key);
      if (!sql) {
        const ast = spec?.asts.get(field.id);
        sql = ast
          ? {
              value: compileFormula(ast, {
                fields,
                alias,
                params: params.values,
                timeZone: spec!.timeZone,
                now: spec!.now,
                formulas: spec!.asts,
                memoKey: field.id,
                lookups: lookupArrays(spec!.lookups, params, spec!),
              }),
              type: ast.root.type,
            }
          : { value: nullOf('null'), type: 'null' };
        compiled.set(key, sql);
      }
      return sql;
    },
  };
}
