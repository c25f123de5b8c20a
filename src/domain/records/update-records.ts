import type { StoredRecord } from '../../db/stores/record.store.js';
import type { Scope } from '../context.js';
import { prepareCells, type FieldKey } from '../cells/write-cells.js';
import { DomainError, invalidArgument } from '../errors.js';
import { MAX_RECORDS_PER_BATCH } from '../limits.js';
import type { DatasheetSchema } from '../datasheets/schema.js';
import { inWriteTransaction, lockForWrite, type RecordDeps } from './record-context.js';
import { applyWritePlan, RECORD_PARAMETERS } from './write-batch.js';

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

  const { updated, schema } = await inWriteTransaction(deps, async (tx) => {
    const { locks, schemas } = await lockForWrite(tx, scope, [datasheetId], deps.schemaCache);
    const schema = schemas.get(datasheetId)!;
    const batch = prepareCells(
      schema.fields,
      inputs.map((i) => i.fields),
      { fieldKey: options.fieldKey ?? 'name', timeZone: deps.timeZone, maxTextLength: deps.maxTextLength },
    );
    const updates = inputs.map((input, i) => ({ recordId: ids[i]!, expectedRevision: input.expectedRevision }));
    const plan = { batch, createCount: 0, updates, deletes: [], ...RECORD_PARAMETERS };
    return applyWritePlan(tx, scope, schema, locks.get(datasheetId)!, plan, deps.now(), deps.bus);
  });
  return { records: updated, schema };
}
