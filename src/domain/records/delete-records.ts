import { bumpDatasheet } from '../../db/stores/datasheet-lock.store.js';
import { insertChanges } from '../../db/stores/record-history.store.js';
import { deleteRecordRows, selectRecordsForUpdate } from '../../db/stores/record.store.js';
import type { Scope } from '../context.js';
import { DomainError, invalidArgument } from '../errors.js';
import type { ChangeEvent } from '../events/change-bus.js';
import { MAX_RECORDS_PER_BATCH } from '../limits.js';
import { syncTwoWayLinks } from './link-sync.js';
import { lockForWrite, withRetry, type RecordDeps } from './record-context.js';

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
  const events = await withRetry(() =>
    deps.db.transaction(async (tx) => {
      const at = deps.now();
      const { schemas } = await lockForWrite(tx, scope, [datasheetId], deps.schemaCache);
      const schema = schemas.get(datasheetId)!;
      const rows = await selectRecordsForUpdate(tx, datasheetId, ids);
      if (rows.length !== ids.length) {
        const found = new Set(rows.map((r) => r.id));
        throw invalidArgument('The record specified by the recordId does not exist', {
          parameter: 'recordIds',
          recordIds: ids.filter((id) => !found.has(id)),
        });
      }
      await insertChanges(
        tx,
        rows.map((r) => ({
          recordId: r.id,
          datasheetId,
          fieldId: '@deleted',
          oldValue: { cells: r.cells, createdAt: r.createdAt.toISOString(), createdBy: r.createdBy },
          newValue: null,
          revision: r.revision + 1,
        })),
        scope.userId,
        at,
      );
      const linkEvents = await syncTwoWayLinks(
        tx,
        scope,
        schema,
        rows.map((r) => ({ recordId: r.id, before: r.cells, after: {} })),
        at,
      );
      await deleteRecordRows(tx, datasheetId, ids);
      const revision = await bumpDatasheet(tx, datasheetId, { recordDelta: -rows.length });
      const events: ChangeEvent[] = [
        {
          type: 'records.changed',
          spaceId: scope.spaceId,
          datasheetId,
          revision,
          actorId: scope.userId,
          at,
          created: [],
          updated: [],
          deleted: rows.map((r) => ({ recordId: r.id, cells: r.cells })),
        },
        ...linkEvents,
      ];
      return events;
    }),
  );
  deps.bus.publish(events);
  return ids;
}
