import type { Scope } from '../context.js';
import { DomainError, invalidArgument } from '../errors.js';
import { MAX_RECORDS_PER_BATCH } from '../limits.js';
import { inWriteTransaction, lockForWrite, type RecordDeps } from './record-context.js';
import { applyWritePlan, RECORD_PARAMETERS } from './write-batch.js';

/** Deletes a batch atomically; unknown ids fail the batch; two-way siblings lose the deleted ids. */
export async function deleteRecords(
  deps: RecordDeps,
  scope: Scope,
  datasheetId: string,
  recordIds: readonly unknown[],
): Promise<string[]> {
  if (!Array.isArray(recordIds) || recordIds.length === 0)
    throw invalidArgument('recordIds should not be empty', { parameter: 'recordIds' });
  // Counted before duplicates are removed, as the reference does.
  if (recordIds.length > MAX_RECORDS_PER_BATCH) {
    throw new DomainError('BATCH_LIMIT', `Can't delete more than ${MAX_RECORDS_PER_BATCH} records in one batch`, {
      parameter: 'recordIds',
      limit: MAX_RECORDS_PER_BATCH,
    });
  }
  if (recordIds.some((id) => typeof id !== 'string' || !id))
    throw invalidArgument("recordId value can't be null", { parameter: 'recordIds' });
  const ids = [...new Set(recordIds as string[])];
  await inWriteTransaction(deps, async (tx) => {
    const { locks, schemas } = await lockForWrite(tx, scope, [datasheetId], deps.schemaCache);
    const batch = { patches: [], refs: [], changedProperties: new Map<string, unknown>() };
    const plan = { batch, createCount: 0, updates: [], deletes: ids, ...RECORD_PARAMETERS };
    const written = await applyWritePlan(
      tx,
      scope,
      schemas.get(datasheetId)!,
      locks.get(datasheetId)!,
      plan,
      deps.now(),
      deps.bus,
    );
    return written;
  });
  return ids;
}
