import type { FormulaFunction } from './function-types.js';
import { ARRAY_FUNCTIONS } from './functions/array.js';
import { DATE_TIME_FUNCTIONS } from './functions/date-time.js';
import { LOGICAL_FUNCTIONS } from './functions/logical.js';
import { NUMERIC_FUNCTIONS } from './functions/numeric.js';
import { RECORD_FUNCTIONS } from './functions/record.js';
import { TEXT_FUNCTIONS } from './functions/text.js';

/**
 * The functions of the formula language (aitable-fusion-api.md §6), one small object each, grouped by category in
 * functions/*.ts. Each has a SQL twin in src/db/query/formula-sql-functions.ts (SQL text lives only under src/db);
 * both tables are keyed by `FunctionName`, so a missing implementation fails to compile.
 */
export type { Call, EvalEnv, FormulaFunction, FunctionCategory } from './function-types.js';

export const FUNCTION_NAMES = [
  // numeric
  'SUM', 'AVERAGE', 'MAX', 'MIN', 'ROUND', 'ROUNDUP', 'ROUNDDOWN', 'CEILING', 'FLOOR', 'EVEN', 'ODD', 'INT', 'ABS',
  'SQRT', 'MOD', 'POWER', 'EXP', 'LOG', 'VALUE',
  // text
  'CONCATENATE', 'FIND', 'SEARCH', 'MID', 'REPLACE', 'SUBSTITUTE', 'LEN', 'LEFT', 'RIGHT', 'LOWER', 'UPPER', 'REPT',
  'T', 'TRIM', 'ENCODE_URL_COMPONENT',
  // logical
  'IF', 'SWITCH', 'TRUE', 'FALSE', 'AND', 'OR', 'XOR', 'BLANK', 'ERROR', 'ISERROR', 'IS_ERROR', 'NOT',
  // date and time
  'TODAY', 'NOW', 'TONOW', 'FROMNOW', 'DATEADD', 'DATETIME_DIFF', 'WORKDAY', 'WORKDAY_DIFF', 'IS_AFTER', 'IS_BEFORE',
  'IS_SAME', 'DATETIME_FORMAT', 'DATETIME_PARSE', 'DATESTR', 'TIMESTR', 'YEAR', 'MONTH', 'WEEKDAY', 'WEEKNUM', 'DAY',
  'HOUR', 'MINUTE', 'SECOND', 'SET_LOCALE', 'SET_TIMEZONE', 'CREATED_TIME', 'LAST_MODIFIED_TIME',
  // array
  'ARRAYCOMPACT', 'ARRAYUNIQUE', 'ARRAYJOIN', 'ARRAYFLATTEN', 'COUNT', 'COUNTA', 'COUNTIF', 'COUNTALL',
  // record
  'RECORD_ID',
] as const;

export type FunctionName = (typeof FUNCTION_NAMES)[number];

export const FUNCTIONS = {
  ...NUMERIC_FUNCTIONS,
  ...TEXT_FUNCTIONS,
  ...LOGICAL_FUNCTIONS,
  ...DATE_TIME_FUNCTIONS,
  ...ARRAY_FUNCTIONS,
  ...RECORD_FUNCTIONS,
} satisfies Record<FunctionName, FormulaFunction>;

/** Case-insensitive lookup. */
export function lookupFunction(name: string): FormulaFunction | undefined {
  const upper = name.toUpperCase();
  return Object.hasOwn(FUNCTIONS, upper) ? FUNCTIONS[upper as FunctionName] : undefined;
}

export const isFunctionName = (name: string): name is FunctionName => Object.hasOwn(FUNCTIONS, name);

export { commonType } from './functions/shared.js';
