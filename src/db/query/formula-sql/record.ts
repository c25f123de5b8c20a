import type { SqlFunction } from './call.js';

// Record functions in SQL, the twins of src/domain/formula/functions/record.ts.

export const RECORD_SQL = {
  RECORD_ID: (call) => ({ v: `${call.env.alias}.id` }),
} satisfies Record<string, SqlFunction>;
