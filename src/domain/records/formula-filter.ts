import { compileFormulaCondition } from '../../db/query/compile-formula.js';
import { formulaIndexHint, type IndexHint } from '../../db/query/formula-index-hints.js';
import { lookupColumns } from '../../db/query/formula-columns.js';
import type { FieldDef } from '../fields/field-type.js';
import { invalidArgument } from '../errors.js';
import { FormulaError } from '../formula/errors.js';
import { FormulaLimitError } from '../formula/limits.js';
import { parseFormula } from '../formula/parser.js';
import type { FormulaFilter } from './query-records.js';

/**
 * `filterByFormula`: parsed against the datasheet's fields (names or ids), compiled to one SQL condition that
 * keeps exactly the rows the evaluator would keep. A formula that does not parse answers 400 with the
 * parser's message (the reference's intended text; its own server sends an empty one). A formula over
 * FORMULA_LIMITS (length, nesting, compiled size) answers 400 naming the parameter. Where the formula compares stored
 * fields with literals, an implied condition an expression index can answer is added (formula-index-hints.ts), and
 * its fields are reported to `onIndexable` (the query index manager).
 */
/** Index hints (formula-index-hints.ts) by schema (its fields array) and formula; null when there is none. */
const hints = new WeakMap<readonly FieldDef[], Map<string, IndexHint | null>>();

function hintOf(formula: string, fields: readonly FieldDef[], timeZone: string): IndexHint | undefined {
  let kept = hints.get(fields);
  if (!kept) hints.set(fields, (kept = new Map()));
  const key = `${timeZone}\0${formula}`;
  let hint = kept.get(key);
  if (hint === undefined) {
    if (kept.size >= 256) kept.clear();
    hint = formulaIndexHint(parseFormula(formula, fields), fields, timeZone) ?? null;
    kept.set(key, hint);
  }
  return hint ?? undefined;
}

export const formulaFilter: FormulaFilter = (formula, fields, params, context) => {
  try {
    // Parsed and compiled once per schema and formula text; later queries only bind their clock.
    const condition = compileFormulaCondition(() => parseFormula(formula, fields), {
      fields,
      alias: 'r',
      params: params.values,
      timeZone: context.timeZone,
      now: context.now,
      formulas: context.formulas,
      memoKey: formula,
      lookups: lookupColumns(context, params, 'array'),
    });
    const hint = hintOf(formula, fields, context.timeZone);
    if (!hint) return condition;
    context.onIndexable?.(hint.fields);
    return `(${condition} AND ${hint.sql(params)})`;
  } catch (error) {
    if (error instanceof FormulaLimitError) {
      throw invalidArgument(`Invalid value for filterByFormula: ${error.message}`, {
        parameter: 'filterByFormula',
        position: error.position,
      });
    }
    if (error instanceof FormulaError)
      throw invalidArgument(error.message, { parameter: 'filterByFormula', position: error.position });
    throw error;
  }
};
