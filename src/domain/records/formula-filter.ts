import { compileFormulaCondition } from '../../db/query/compile-formula.js';
import { lookupColumns } from '../../db/query/formula-columns.js';
import { invalidArgument } from '../errors.js';
import { FormulaError } from '../formula/errors.js';
import { FormulaLimitError } from '../formula/limits.js';
import { parseFormula } from '../formula/parser.js';
import type { FormulaFilter } from './query-records.js';

/**
 * `filterByFormula`: parsed against the datasheet's fields (names or ids), compiled to one SQL condition that
 * keeps exactly the rows the evaluator would keep. A formula that does not parse answers 400 with the
 * parser's message (the reference's intended text; its own server sends an empty one). A formula over
 * FORMULA_LIMITS (length, nesting, compiled size) answers 400 naming the parameter.
 */
export const formulaFilter: FormulaFilter = (formula, fields, params, context) => {
  try {
    // Parsed and compiled once per schema and formula text; later queries only bind their clock.
    return compileFormulaCondition(() => parseFormula(formula, fields), {
      fields,
      alias: 'r',
      params: params.values,
      timeZone: context.timeZone,
      now: context.now,
      formulas: context.formulas,
      memoKey: formula,
      lookups: lookupColumns(context, params, 'array'),
    });
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
