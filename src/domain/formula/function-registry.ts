import type { FormulaFunction } from './functions/function.js';
import { FUNCTIONS, type FunctionName } from './functions/index.js';

export { FUNCTION_NAMES, FUNCTIONS, type FunctionName } from './functions/index.js';
export type { Call, EvalEnv, FormulaFunction, FunctionCategory } from './functions/function.js';

/** Looking functions up by name; the table is functions/index.ts, the SQL twins src/db/query/formula-sql/. */

/** Case-insensitive lookup. */
export function lookupFunction(name: string): FormulaFunction | undefined {
  const upper = name.toUpperCase();
  return Object.hasOwn(FUNCTIONS, upper) ? FUNCTIONS[upper as FunctionName] : undefined;
}

export const isFunctionName = (name: string): name is FunctionName => Object.hasOwn(FUNCTIONS, name);

export { commonType } from './functions/shared.js';
