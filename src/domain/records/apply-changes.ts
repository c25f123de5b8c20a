import type { StoredRecord } from '../../db/stores/record.store.js';
import type { Scope } from '../context.js';
import { prepareCells, type FieldKey } from '../cells/write-cells.js';
import type { DatasheetSchema } from '../datasheets/schema.js';
import { DomainError, invalidArgument } from '../errors.js';
import { MAX_CHANGES_PER_BATCH } from '../limits.js';
import { inWriteTransaction, lockForWrite, type RecordDeps } from './record-context.js';
import { applyWritePlan } from './write-batch.js';

export interface RecordChanges {
  creates?: readonly { fields: unknown }[] | undefined;
  updates?: readonly { id: unknown; fields: unknown; expectedRevision?: number | undefined }[] | undefined;
  deletes?: readonly unknown[] | undefined;
}

export interface AppliedChanges {
  /** The created records, in the order of `creates`. */
  created: StoredRecord[];
  /** The updated records, in the order of `updates` (unchanged ones keep their revision). */
  updated: StoredRecord[];
  /** The deleted record ids, in the order of `deletes`. */
  deleted: string[];
  schema: DatasheetSchema;
}

/**
 * Creates, updates and deletes records of one datasheet in one transaction, all or nothing (at most
 * MAX_CHANGES_PER_BATCH operations together). An error names the operation: `creates[0].fields.Title`,
 * `updates[3].fields.Qty`, `updates[1].id`, `deletes[2]`. Deletions happen first: an update or create may not link to
 * a record the same batch deletes. An update with `expectedRevision` fails the batch (REVISION_MISMATCH) unless
 * the record is still at that revision.
 */
export async function applyRecordChanges(
  deps: RecordDeps,
  scope: Scope,
  datasheetId: string,
  changes: RecordChanges,
  options: { fieldKey?: FieldKey } = {},
): Promise<AppliedChanges> {
  const { creates, updates, deletes } = checkChanges(changes);
  const { result } = await inWriteTransaction(deps, async (tx) => {
    const { locks, schemas } = await lockForWrite(tx, scope, [datasheetId], deps.schemaCache);
    const schema = schemas.get(datasheetId)!;
    const batch = prepareCells(schema.fields, [...creates.map((c) => c?.fields), ...updates.map((u) => u.fields)], {
      fieldKey: options.fieldKey ?? 'name',
      timeZone: deps.timeZone,
      maxTextLength: deps.maxTextLength,
      label: (i) =>
        i < creates.length
          ? { parameter: `creates[${i}]`, index: i }
          : { parameter: `updates[${i - creates.length}]`, index: i - creates.length },
    });
    const plan = {
      batch,
      createCount: creates.length,
      updates: updates.map((u) => ({ recordId: u.id as string, expectedRevision: u.expectedRevision })),
      deletes: deletes as string[],
      updateParameter: (i: number) => `updates[${i}].id`,
      deleteParameter: (i: number) => `deletes[${i}]`,
    };
    const written = await applyWritePlan(tx, scope, schema, locks.get(datasheetId)!, plan, deps.now(), deps.bus);
    const result: AppliedChanges = {
      created: written.created,
      updated: written.updated,
      deleted: written.deleted,
      schema: written.schema,
    };
    return { result, events: written.events };
  });
  return result;
}

/** The shape of a change set, checked before any work: lists, their total size, ids, revisions, no record twice. */
function checkChanges(changes: RecordChanges): Required<{ [K in keyof RecordChanges]: NonNullable<RecordChanges[K]> }> {
  if (changes === null || typeof changes !== 'object')
    throw invalidArgument('changes should be an object', { parameter: 'changes' });
  const list = <T>(name: 'creates' | 'updates' | 'deletes'): readonly T[] => {
    const value = changes[name];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw invalidArgument(`${name} should be a list`, { parameter: name });
    return value as readonly T[];
  };
  const creates = list<{ fields: unknown }>('creates');
  const updates = list<{ id: unknown; fields: unknown; expectedRevision?: number }>('updates');
  const deletes = list<unknown>('deletes');
  const total = creates.length + updates.length + deletes.length;
  if (total === 0) throw invalidArgument('changes should not be empty', { parameter: 'changes' });
  if (total > MAX_CHANGES_PER_BATCH) {
    throw new DomainError(
      'BATCH_LIMIT',
      `Can't apply more than ${MAX_CHANGES_PER_BATCH} record changes in one batch (got ${total})`,
      { parameter: 'changes', limit: MAX_CHANGES_PER_BATCH },
    );
  }
  const seen = new Map<string, string>();
  const claim = (id: unknown, parameter: string) => {
    if (typeof id !== 'string' || !id) throw invalidArgument("recordId value can't be null", { parameter });
    const first = seen.get(id);
    if (first) throw invalidArgument(`Record ${id} is changed twice: by ${first} and ${parameter}`, { parameter });
    seen.set(id, parameter);
  };
  updates.forEach((update, i) => {
    if (update === null || typeof update !== 'object')
      throw invalidArgument('An update should be an object', { parameter: `updates[${i}]` });
    claim(update.id, `updates[${i}].id`);
    const revision = update.expectedRevision;
    if (revision !== undefined && revision !== null && !(Number.isSafeInteger(revision) && revision >= 0)) {
      throw invalidArgument('expectedRevision should be a non-negative integer', {
        parameter: `updates[${i}].expectedRevision`,
      });
    }
  });
  deletes.forEach((id, i) => claim(id, `deletes[${i}]`));
  return {
    creates,
    updates: updates.map((u) => ({ ...u, expectedRevision: u.expectedRevision ?? undefined })),
    deletes,
  };
}
