import { bumpDatasheet, updateFieldProperty } from '../../db/stores/datasheet-lock.store.js';
import { insertChanges, type ChangeRow } from '../../db/stores/record-history.store.js';
import { selectRecordsForUpdate, updateRecordCells, type StoredRecord } from '../../db/stores/record.store.js';
import type { Scope } from '../context.js';
import { prepareCells, type FieldKey } from '../cells/write-cells.js';
import { DomainError, invalidArgument } from '../errors.js';
import type { ChangeEvent, CellChange } from '../events/change-bus.js';
import { MAX_RECORDS_PER_BATCH } from '../limits.js';
import { checkRefs } from './check-refs.js';
import { syncTwoWayLinks } from './link-sync.js';
import type { DatasheetSchema } from '../datasheets/schema.js';
import { lockForWrite, sameValue, withProperties, withRetry, type RecordDeps } from './record-context.js';

export interface UpdateInput {
  recordId: unknown;
  fields: unknown;
  /** Optimistic concurrency: the update fails cleanly unless the record is still at this revision. */
  expectedRevision?: number | undefined;
}

/**
 * Partial updates of a batch, atomically: only given fields change, null clears, unchanged values are not
 * rewritten. Records that end up unchanged keep their revision.
 */
export async function updateRecords(
  deps: RecordDeps,
  scope: Scope,
  datasheetId: string,
  inputs: readonly UpdateInput[],
  options: { fieldKey?: FieldKey } = {},
): Promise<StoredRecord[]> {
  return (await updateRecordsWithSchema(deps, scope, datasheetId, inputs, options)).records;
}

/** updateRecords, also answering the datasheet's schema as the batch left it (to render the rows without reading it again). */
export async function updateRecordsWithSchema(
  deps: RecordDeps,
  scope: Scope,
  datasheetId: string,
  inputs: readonly UpdateInput[],
  options: { fieldKey?: FieldKey } = {},
): Promise<{ records: StoredRecord[]; schema: DatasheetSchema }> {
  if (!Array.isArray(inputs) || inputs.length === 0)
    throw invalidArgument('records should not be empty', { parameter: 'records' });
  if (inputs.length > MAX_RECORDS_PER_BATCH) {
    throw new DomainError('BATCH_LIMIT', `Can't update more than ${MAX_RECORDS_PER_BATCH} records in one batch`, {
      parameter: 'records',
      limit: MAX_RECORDS_PER_BATCH,
    });
  }
  const ids = inputs.map((input, i) => {
    if (typeof input?.recordId !== 'string' || !input.recordId) {
      throw invalidArgument("recordId value can't be null", { parameter: `records[${i}].recordId` });
    }
    return input.recordId;
  });
  const seen = new Set<string>();
  const duplicate = ids.find((id) => seen.size === seen.add(id).size);
  if (duplicate)
    throw invalidArgument(`Record ${duplicate} appears more than once in the batch`, { parameter: 'records' });

  const { records, events, schemaAfter } = await withRetry(() =>
    deps.db.transaction(async (tx) => {
      const at = deps.now();
      const { schemas } = await lockForWrite(tx, scope, [datasheetId], deps.schemaCache);
      const schema = schemas.get(datasheetId)!;
      const batch = prepareCells(
        schema.fields,
        inputs.map((i) => i.fields),
        { fieldKey: options.fieldKey ?? 'name', timeZone: deps.timeZone, maxTextLength: deps.maxTextLength },
      );
      const rows = new Map((await selectRecordsForUpdate(tx, datasheetId, ids)).map((r) => [r.id, r]));
      if (rows.size !== ids.length) {
        throw invalidArgument('The record specified by the recordId does not exist', {
          parameter: 'recordId',
          recordIds: ids.filter((id) => !rows.has(id)),
        });
      }
      inputs.forEach((input, i) => {
        const row = rows.get(ids[i]!)!;
        if (input.expectedRevision !== undefined && input.expectedRevision !== row.revision) {
          throw new DomainError(
            'REVISION_MISMATCH',
            `Record ${row.id} was modified: it is at revision ${row.revision}, not ${input.expectedRevision}`,
            {
              recordId: row.id,
              revision: row.revision,
              expectedRevision: input.expectedRevision,
            },
          );
        }
      });
      await checkRefs(tx, scope, batch.refs, batch.patches);
      for (const [fieldId, property] of batch.changedProperties) {
        await updateFieldProperty(tx, fieldId, property);
      }
      const changed: {
        id: string;
        cells: Record<string, unknown>;
        before: Record<string, unknown>;
        changes: CellChange[];
      }[] = [];
      batch.patches.forEach((patch, i) => {
        const row = rows.get(ids[i]!)!;
        const cells = { ...row.cells };
        const changes: CellChange[] = [];
        for (const [fieldId, value] of Object.entries(patch)) {
          if (sameValue(row.cells[fieldId], value)) continue;
          changes.push({ fieldId, oldValue: row.cells[fieldId] ?? null, newValue: value ?? null });
          if (value === null) delete cells[fieldId];
          else cells[fieldId] = value;
        }
        if (changes.length) changed.push({ id: row.id, cells, before: row.cells, changes });
      });
      const schemaAfter = withProperties(schema, batch.changedProperties);
      if (changed.length === 0)
        return { records: ids.map((id) => rows.get(id)!), events: [] as ChangeEvent[], schemaAfter };
      const revisions = await updateRecordCells(tx, datasheetId, changed, scope.userId, at);
      const history: ChangeRow[] = changed.flatMap((c) =>
        c.changes.map((ch) => ({
          recordId: c.id,
          datasheetId,
          fieldId: ch.fieldId,
          oldValue: ch.oldValue,
          newValue: ch.newValue,
          revision: revisions.get(c.id)!,
        })),
      );
      await insertChanges(tx, history, scope.userId, at);
      const linkEvents = await syncTwoWayLinks(
        tx,
        scope,
        schema,
        changed.map((c) => ({ recordId: c.id, before: c.before, after: c.cells })),
        at,
      );
      const revision = await bumpDatasheet(tx, datasheetId, { recordDelta: 0 });
      for (const c of changed) {
        const row = rows.get(c.id)!;
        rows.set(c.id, {
          ...row,
          cells: c.cells,
          revision: revisions.get(c.id)!,
          updatedAt: at,
          updatedBy: scope.userId,
        });
      }
      const events: ChangeEvent[] = [
        {
          type: 'records.changed',
          spaceId: scope.spaceId,
          datasheetId,
          revision,
          actorId: scope.userId,
          at,
          created: [],
          updated: changed.map((c) => ({ recordId: c.id, revision: revisions.get(c.id)!, changes: c.changes })),
          deleted: [],
        },
        ...linkEvents,
      ];
      return { records: ids.map((id) => rows.get(id)!), events, schemaAfter };
    }),
  );
  deps.bus.publish(events);
  return { records, schema: schemaAfter };
}
