/** The formula language of filterByFormula and Formula fields (aitable-fusion-api.md §6). */
export type { FormulaAst, FormulaNode, FormulaValue, ValueType } from './ast.js';
export { FormulaError, FormulaRuntimeError } from './errors.js';
export { parseFormula, type ParseOptions } from './parser.js';
export { evaluateFormula, isTruthy, matchesFormula, type EvaluateContext } from './evaluate.js';
export { formulaFieldIds, formulaUsesClock } from './references.js';
export type { FormulaRecord } from './field-values.js';
export { FUNCTION_NAMES, FUNCTIONS, type FormulaFunction, type FunctionName } from './function-registry.js';
