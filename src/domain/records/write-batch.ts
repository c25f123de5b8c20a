import { bumpDatasheet, updateFieldProperty, type LockedDatasheet } from '../../db/stores/datasheet-lock.store.js';
import { insertChanges, type ChangeRow } from '../../db/stores/record-history.store.js';
import {
  deleteRecordRows,
  insertRecordsAndBump,
  selectRecordsForUpdate,
  updateRecordCells,
  type StoredRecord,
} from '../../db/stores/record.store.js';
import type { Queryable as Tx } from '../../db/client.js';
import type { Scope } from '../context.js';
import type { PreparedBatch } from '../cells/write-cells.js';
import type { DatasheetSchema } from '../datasheets/schema.js';
import { DomainError, invalidArgument } from '../errors.js';
import type { CellChange, ChangeBus, ChangeEvent, RecordsChangedEvent } from '../events/change-bus.js';
import { fieldTypeOf } from '../fields/registry.js';
import { newId } from '../ids.js';
import { checkRefs } from './check-refs.js';
import { syncTwoWayLinks, type LinkChange } from './link-sync.js';
import { checkRowCap, sameValue, syncedLinks, withProperties } from './record-context.js';

/**
 * One datasheet's writes of a batch, validated (cells/write-cells.ts prepareCells) and ready to apply inside the
 * transaction that locked the datasheet. `batch.patches` holds the created records' cells first, then the updates'.
 */
export interface WritePlan {
  batch: PreparedBatch;
  createCount: number;
  updates: readonly { recordId: string; expectedRevision?: number | undefined }[];
  deletes: readonly string[];
  /** How an error names update `i` / delete `i` (`recordId`, `updates[3].id`, …). */
  updateParameter(i: number): string;
  deleteParameter(i: number): string;
}

/** How the single-operation batches (REST's and the record service's create, update, delete) name their records. */
export const RECORD_PARAMETERS = { updateParameter: () => 'recordId', deleteParameter: () => 'recordIds' };

export interface WriteResult {
  created: StoredRecord[];
  /** Every update target in input order (unchanged ones keep their revision). */
  updated: StoredRecord[];
  deleted: string[];
  events: ChangeEvent[];
  /** The schema as the batch left it (grown select options). */
  schema: DatasheetSchema;
}

/**
 * Applies a plan in the caller's transaction, the one write path of create, update and mixed batches: rows to update
 * or delete are locked and must exist (and be at their expected revision); the row cap is checked on the net change;
 * references are checked after deletions (a record cannot link to one the batch deletes); then updates (history for
 * changed cells), inserts (defaults, auto numbers), one datasheet bump, two-way link sync, and one change event.
 * With `feed` (the bus), the insert may append that event's feed rows itself (see below).
 */
export async function applyWritePlan(
  tx: Tx,
  scope: Scope,
  schema: DatasheetSchema,
  lock: LockedDatasheet,
  plan: WritePlan,
  at: Date,
  feed?: Pick<ChangeBus, 'takeFeedRows'>,
): Promise<WriteResult> {
  const datasheetId = schema.id;
  const { batch, createCount, updates, deletes } = plan;
  const targetIds = [...updates.map((u) => u.recordId), ...deletes];
  const rows = new Map((await selectRecordsForUpdate(tx, datasheetId, targetIds)).map((r) => [r.id, r]));
  const missingUpdate = updates.findIndex((u) => !rows.has(u.recordId));
  if (missingUpdate >= 0) {
    throw invalidArgument('The record specified by the recordId does not exist', {
      parameter: plan.updateParameter(missingUpdate),
      recordIds: updates.map((u) => u.recordId).filter((id) => !rows.has(id)),
    });
  }
  const missingDelete = deletes.findIndex((id) => !rows.has(id));
  if (missingDelete >= 0) {
    throw invalidArgument('The record specified by the recordId does not exist', {
      parameter: plan.deleteParameter(missingDelete),
      recordIds: deletes.filter((id) => !rows.has(id)),
    });
  }
  for (const [i, update] of updates.entries()) {
    const row = rows.get(update.recordId)!;
    if (update.expectedRevision !== undefined && update.expectedRevision !== row.revision) {
      throw new DomainError(
        'REVISION_MISMATCH',
        `Record ${row.id} was modified: it is at revision ${row.revision}, not ${update.expectedRevision}`,
        {
          recordId: row.id,
          revision: row.revision,
          expectedRevision: update.expectedRevision,
          parameter: plan.updateParameter(i),
        },
      );
    }
  }
  if (createCount > 0) checkRowCap(lock, createCount - deletes.length);
  const linkChanges: LinkChange[] = [];

  // Deletions first: their history keeps the whole row, so a deleted record can be read back.
  const deletedRows = deletes.map((id) => rows.get(id)!);
  if (deletedRows.length) {
    await insertChanges(
      tx,
      deletedRows.map((r) => ({
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
    await deleteRecordRows(tx, datasheetId, deletes);
    for (const r of deletedRows) linkChanges.push({ recordId: r.id, before: r.cells, after: {} });
  }

  await checkRefs(tx, scope, batch.refs, batch.patches);
  for (const [fieldId, property] of batch.changedProperties) await updateFieldProperty(tx, fieldId, property);

  // Updates: only cells whose value moves are written, with one history row each.
  const changed: {
    id: string;
    cells: Record<string, unknown>;
    before: Record<string, unknown>;
    changes: CellChange[];
  }[] = [];
  updates.forEach((update, i) => {
    const row = rows.get(update.recordId)!;
    const cells = { ...row.cells };
    const changes: CellChange[] = [];
    for (const [fieldId, value] of Object.entries(batch.patches[createCount + i]!)) {
      if (sameValue(row.cells[fieldId], value)) continue;
      changes.push({ fieldId, oldValue: row.cells[fieldId] ?? null, newValue: value ?? null });
      if (value === null) delete cells[fieldId];
      else cells[fieldId] = value;
    }
    if (changes.length) changed.push({ id: row.id, cells, before: row.cells, changes });
  });
  const revisions = await updateRecordCells(tx, datasheetId, changed, scope.userId, at);
  if (changed.length) {
    const history: ChangeRow[] = changed.flatMap((c) =>
      c.changes.map((ch) => ({
        recordId: c.id,
        datasheetId,
        ...ch,
        revision: revisions.get(c.id)!,
      })),
    );
    await insertChanges(tx, history, scope.userId, at);
    for (const c of changed) {
      linkChanges.push({ recordId: c.id, before: c.before, after: c.cells });
      rows.set(c.id, {
        ...rows.get(c.id)!,
        cells: c.cells,
        revision: revisions.get(c.id)!,
        updatedAt: at,
        updatedBy: scope.userId,
      });
    }
  }

  // Creations: the datasheet's sequence (locked) numbers new rows: it is their AutoNumber and their position.
  let autoNumber = lock.autoNumberSeq;
  const autoFields = schema.fields.filter((f) => fieldTypeOf(f.type).numbered);
  const defaults = schema.fields.map((field) => ({ field, defaultValue: fieldTypeOf(field.type).defaultValue }));
  const inserted = batch.patches.slice(0, createCount).map((patch) => {
    const cells: Record<string, unknown> = {};
    for (const { field, defaultValue } of defaults) {
      const given = patch[field.id];
      const value = given !== undefined ? given : defaultValue?.(field, at);
      if (value !== undefined && value !== null) cells[field.id] = value;
    }
    autoNumber++;
    for (const field of autoFields) cells[field.id] = autoNumber;
    return { id: newId('record'), cells, position: autoNumber };
  });
  for (const r of inserted) linkChanges.push({ recordId: r.id, before: {}, after: r.cells });

  const schemaAfter = withProperties(schema, batch.changedProperties);
  const updatedRows = updates.map((u) => rows.get(u.recordId)!);
  if (inserted.length === 0 && changed.length === 0 && deletes.length === 0)
    return { created: [], updated: updatedRows, deleted: [], events: [], schema: schemaAfter };
  const event: RecordsChangedEvent = {
    type: 'records.changed',
    spaceId: scope.spaceId,
    datasheetId,
    revision: 0, // the bump's, below
    actorId: scope.userId,
    at,
    created: inserted.map((r) => ({ recordId: r.id, fieldIds: Object.keys(r.cells), cells: r.cells })),
    updated: changed.map((c) => ({ recordId: c.id, revision: revisions.get(c.id)!, changes: c.changes })),
    deleted: deletedRows.map((r) => ({ recordId: r.id, cells: r.cells })),
  };
  // Rows and the datasheet's counters in one statement when there are new rows (no history rows for creations:
  // the record row is the creation, history reads derive it); else one bump. When no two-way link is to be synced
  // after it, that statement is the write's last and appends its change feed rows too (no round trip of their own).
  const feedRows = syncedLinks(schema).length === 0 ? feed?.takeFeedRows([event]) : undefined;
  event.revision = inserted.length
    ? await insertRecordsAndBump(tx, datasheetId, inserted, scope.userId, at, autoNumber, -deletes.length, feedRows)
    : await bumpDatasheet(tx, datasheetId, { recordDelta: -deletes.length }, feedRows);
  const linkEvents = await syncTwoWayLinks(tx, scope, schema, linkChanges, at);
  const created: StoredRecord[] = inserted.map((r) => ({
    id: r.id,
    cells: r.cells,
    position: r.position,
    revision: 1,
    createdAt: at,
    updatedAt: at,
    createdBy: scope.userId,
    updatedBy: scope.userId,
  }));
  const events: ChangeEvent[] = [event, ...linkEvents];
  return { created, updated: updatedRows, deleted: [...deletes], events, schema: schemaAfter };
}
