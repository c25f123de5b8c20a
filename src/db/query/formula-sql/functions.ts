import type { FunctionName } from '../../../domain/formula/functions/index.js';
import type { SqlFunction } from './call.js';
import { ARRAY_SQL } from './array.js';
import { DATE_TIME_SQL } from './date-time.js';
import { LOGICAL_SQL } from './logical.js';
import { NUMERIC_SQL } from './numeric.js';
import { RECORD_SQL } from './record.js';
import { TEXT_SQL } from './text.js';

/**
 * SQL implementations of the formula functions, one per `FunctionName`, grouped by category as the evaluator's
 * twins are (src/domain/formula/functions/*.ts ↔ ./{numeric,text,logical,date-time,array,record}.ts). Both tables
 * are checked against the same `FunctionName`, so a function missing on either side fails to compile.
 */
export const SQL_FUNCTIONS = {
  ...NUMERIC_SQL,
  ...TEXT_SQL,
  ...LOGICAL_SQL,
  ...DATE_TIME_SQL,
  ...ARRAY_SQL,
  ...RECORD_SQL,
} satisfies Record<FunctionName, SqlFunction>;

export const LAZY_SQL = new Set<string>(['IF', 'SWITCH', 'ISERROR', 'IS_ERROR']);
