import { updateFieldProperty } from '../../db/stores/datasheet-lock.store.js';
import { insertRecordsAndBump, type StoredRecord } from '../../db/stores/record.store.js';
import type { Scope } from '../context.js';
import { prepareCells, type FieldKey } from '../cells/write-cells.js';
import { DomainError, invalidArgument } from '../errors.js';
import type { ChangeEvent } from '../events/change-bus.js';
import { fieldTypeOf } from '../fields/registry.js';
import { newId } from '../ids.js';
import { MAX_RECORDS_PER_BATCH } from '../limits.js';
import { checkRefs } from './check-refs.js';
import { syncTwoWayLinks } from './link-sync.js';
import type { DatasheetSchema } from '../datasheets/schema.js';
import { checkRowCap, lockForWrite, withProperties, withRetry, type RecordDeps } from './record-context.js';

export interface CreateOptions {
  fieldKey?: FieldKey;
  /** Accept a record none of whose keys names a field (it is created with defaults only); without it such a record is refused. */
  allowEmpty?: boolean;
}

/**
 * Creates a batch of records atomically: every value is validated and every reference checked before one
 * multi-row insert; defaults and auto numbers are filled; the row cap is checked under the datasheet lock;
 * two-way links are synced in the same transaction; events go out after commit.
 */
export async function createRecords(
  deps: RecordDeps,
  scope: Scope,
  datasheetId: string,
  inputs: readonly unknown[],
  options: CreateOptions = {},
): Promise<StoredRecord[]> {
  return (await createRecordsWithSchema(deps, scope, datasheetId, inputs, options)).records;
}

/** createRecords, also answering the datasheet's schema as the batch left it (to render the rows without reading it again). */
export async function createRecordsWithSchema(
  deps: RecordDeps,
  scope: Scope,
  datasheetId: string,
  inputs: readonly unknown[],
  options: CreateOptions = {},
): Promise<{ records: StoredRecord[]; schema: DatasheetSchema }> {
  if (!Array.isArray(inputs) || inputs.length === 0)
    throw invalidArgument('records should not be empty', { parameter: 'records' });
  if (inputs.length > MAX_RECORDS_PER_BATCH) {
    throw new DomainError('BATCH_LIMIT', `Can't create more than ${MAX_RECORDS_PER_BATCH} records in one batch`, {
      parameter: 'records',
      limit: MAX_RECORDS_PER_BATCH,
    });
  }
  const { created, events, schemaAfter } = await withRetry(() =>
    deps.db.transaction(async (tx) => {
      const at = deps.now();
      const { locks, schemas } = await lockForWrite(tx, scope, [datasheetId], deps.schemaCache);
      const schema = schemas.get(datasheetId)!;
      const lock = locks.get(datasheetId)!;
      const batch = prepareCells(schema.fields, inputs, {
        fieldKey: options.fieldKey ?? 'name',
        timeZone: deps.timeZone,
        maxTextLength: deps.maxTextLength,
        allowEmpty: options.allowEmpty ?? false,
      });
      checkRowCap(lock, inputs.length);
      await checkRefs(tx, scope, batch.refs, batch.patches);
      for (const [fieldId, property] of batch.changedProperties) {
        await updateFieldProperty(tx, fieldId, property);
      }
      // The datasheet's sequence (locked) numbers new rows: it is their AutoNumber and their position.
      let autoNumber = lock.autoNumberSeq;
      const autoFields = schema.fields.filter((f) => fieldTypeOf(f.type).numbered);
      const rows = batch.patches.map((patch) => {
        const cells: Record<string, unknown> = {};
        for (const field of schema.fields) {
          const given = patch[field.id];
          const value = given !== undefined ? given : fieldTypeOf(field.type).defaultValue?.(field, at);
          if (value !== undefined && value !== null) cells[field.id] = value;
        }
        autoNumber++;
        for (const field of autoFields) cells[field.id] = autoNumber;
        return { id: newId('record'), cells, position: autoNumber };
      });
      // Rows and the datasheet's counters in one statement. No history rows for creations: the record row
      // is the creation (history reads derive it).
      const revision = await insertRecordsAndBump(tx, datasheetId, rows, scope.userId, at, autoNumber);
      const linkEvents = await syncTwoWayLinks(
        tx,
        scope,
        schema,
        rows.map((r) => ({ recordId: r.id, before: {}, after: r.cells })),
        at,
      );
      const created: StoredRecord[] = rows.map((r) => ({
        ...r,
        revision: 1,
        createdAt: at,
        updatedAt: at,
        createdBy: scope.userId,
        updatedBy: scope.userId,
      }));
      const events: ChangeEvent[] = [
        {
          type: 'records.changed',
          spaceId: scope.spaceId,
          datasheetId,
          revision,
          actorId: scope.userId,
          at,
          created: rows.map((r) => ({ recordId: r.id, fieldIds: Object.keys(r.cells), cells: r.cells })),
          updated: [],
          deleted: [],
        },
        ...linkEvents,
      ];
      return { created, events, schemaAfter: withProperties(schema, batch.changedProperties) };
    }),
  );
  deps.bus.publish(events);
  return { records: created, schema: schemaAfter };
}
