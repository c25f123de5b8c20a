import type { Queryable } from '../client.js';

/**
 * Refreshes the planner's statistics of the records table (a sample of it, whatever its size). After a bulk load,
 * until autovacuum gets to it, the planner takes a datasheet for its size before the load and reads each page of it
 * by sorting all its rows instead of walking the (datasheet_id, position, id) index.
 */
export async function analyzeRecords(q: Queryable): Promise<void> {
  await q.query('ANALYZE records');
}
