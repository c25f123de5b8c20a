import { ARRAY_FUNCTIONS } from './array.js';
import { DATE_TIME_FUNCTIONS } from './date-time.js';
import type { FormulaFunction } from './function.js';
import { LOGICAL_FUNCTIONS } from './logical.js';
import { NUMERIC_FUNCTIONS } from './numeric.js';
import { RECORD_FUNCTIONS } from './record.js';
import { TEXT_FUNCTIONS } from './text.js';

/**
 * The functions of the formula language (aitable-fusion-api.md §6), one small object each, grouped by category in
 * ./{numeric,text,logical,date-time,array,record}.ts. Each has a SQL twin in src/db/query/formula-sql/<category>.ts
 * (SQL text lives only under src/db), gathered in a table that must have every `FunctionName` below, so a function
 * missing on either side fails to compile.
 */
export const FUNCTIONS = {
  ...NUMERIC_FUNCTIONS,
  ...TEXT_FUNCTIONS,
  ...LOGICAL_FUNCTIONS,
  ...DATE_TIME_FUNCTIONS,
  ...ARRAY_FUNCTIONS,
  ...RECORD_FUNCTIONS,
} satisfies Record<string, FormulaFunction>;

/** The language's function names: the keys of the evaluator's table above (the SQL table must have the same). */
export type FunctionName = keyof typeof FUNCTIONS;

export const FUNCTION_NAMES = Object.keys(FUNCTIONS) as readonly FunctionName[];
