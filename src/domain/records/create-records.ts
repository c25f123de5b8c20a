import type { StoredRecord } from '../../db/stores/record.store.js';
import type { Scope } from '../context.js';
import { prepareCells, type FieldKey } from '../cells/write-cells.js';
import { DomainError, invalidArgument } from '../errors.js';
import { MAX_RECORDS_PER_BATCH } from '../limits.js';
import type { DatasheetSchema } from '../datasheets/schema.js';
import { inWriteTransaction, lockForWrite, type RecordDeps } from './record-context.js';
import { applyWritePlan, RECORD_PARAMETERS } from './write-batch.js';

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
  const { created, schema } = await inWriteTransaction(deps, async (tx) => {
    const { locks, schemas } = await lockForWrite(tx, scope, [datasheetId], deps.schemaCache);
    const schema = schemas.get(datasheetId)!;
    const batch = prepareCells(schema.fields, inputs, {
      fieldKey: options.fieldKey ?? 'name',
      timeZone: deps.timeZone,
      maxTextLength: deps.maxTextLength,
      allowEmpty: options.allowEmpty ?? false,
    });
    const plan = { batch, createCount: inputs.length, updates: [], deletes: [], ...RECORD_PARAMETERS };
    return applyWritePlan(tx, scope, schema, locks.get(datasheetId)!, plan, deps.now(), deps.bus);
  });
  return { records: created, schema };
}
