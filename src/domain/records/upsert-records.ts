import { recordsMatchingKeys } from '../../db/stores/record-match.store.js';
import type { StoredRecord } from '../../db/stores/record.store.js';
import type { Scope } from '../context.js';
import { prepareCells, type FieldKey } from '../cells/write-cells.js';
import type { DatasheetSchema } from '../datasheets/schema.js';
import { DomainError, invalidArgument } from '../errors.js';
import type { FieldDef, FieldType } from '../fields/field-type.js';
import { MAX_RECORDS_PER_BATCH } from '../limits.js';
import { inWriteTransaction, lockForWrite, type RecordDeps } from './record-context.js';
import { applyWritePlan } from './write-batch.js';

/** Field types whose stored cell is a plain value two writes of the same input store alike: the only merge keys. */
export const MERGEABLE_FIELD_TYPES: ReadonlySet<FieldType> = new Set<FieldType>([
  'SingleText',
  'Text',
  'Number',
  'Currency',
  'Percent',
  'Rating',
  'SingleSelect',
  'MultiSelect',
  'DateTime',
  'Email',
  'URL',
  'Phone',
]);

export interface UpsertInput {
  fields: unknown;
}

export interface UpsertResult {
  /** Ids of the records created, in input order. */
  created: string[];
  /** Ids of the existing records updated (matched), in input order. */
  updated: string[];
  /** One row per input record, in input order (created or updated). */
  records: StoredRecord[];
  schema: DatasheetSchema;
}

/**
 * Creates or updates each input record by the values of `fieldsToMergeOn`, in one transaction: a record whose merge
 * values equal (as the field types store them) those of exactly one existing record updates it, one that matches none
 * is created. Two inputs with the same key, an input matching several records, or an input without a value for a merge
 * field fail the batch, naming the record index and the key. Validation, row caps, history, link sync and events are
 * those of create and update (records/write-batch.ts).
 */
export async function upsertRecords(
  deps: RecordDeps,
  scope: Scope,
  datasheetId: string,
  inputs: readonly UpsertInput[],
  fieldsToMergeOn: readonly unknown[],
  options: { fieldKey?: FieldKey } = {},
): Promise<UpsertResult> {
  if (!Array.isArray(inputs) || inputs.length === 0)
    throw invalidArgument('records should not be empty', { parameter: 'records' });
  if (inputs.length > MAX_RECORDS_PER_BATCH) {
    throw new DomainError('BATCH_LIMIT', `Can't upsert more than ${MAX_RECORDS_PER_BATCH} records in one batch`, {
      parameter: 'records',
      limit: MAX_RECORDS_PER_BATCH,
    });
  }
  const mergeKeys = mergeKeyNames(fieldsToMergeOn);
  const fieldKey = options.fieldKey ?? 'name';

  const { result } = await inWriteTransaction(deps, async (tx) => {
    const { locks, schemas } = await lockForWrite(tx, scope, [datasheetId], deps.schemaCache);
    const schema = schemas.get(datasheetId)!;
    const mergeFields = resolveMergeFields(schema, mergeKeys, fieldKey);
    const batch = prepareCells(
      schema.fields,
      inputs.map((input) => (input as UpsertInput | null)?.fields),
      { fieldKey, timeZone: deps.timeZone, maxTextLength: deps.maxTextLength },
    );
    const keys = batch.patches.map((patch, i) =>
      mergeFields.map((field, k) => {
        const value = patch[field.id];
        if (value === undefined || value === null) {
          throw invalidArgument(`records[${i}] has no value for the merge field ${mergeKeys[k]}`, {
            parameter: `records[${i}].fields.${mergeKeys[k]}`,
            recordIndex: i,
            field: mergeKeys[k]!,
          });
        }
        return value;
      }),
    );
    const firstWithKey = new Map<string, number>();
    keys.forEach((key, i) => {
      const text = JSON.stringify(key);
      const first = firstWithKey.get(text);
      if (first !== undefined) {
        throw invalidArgument(
          `records[${i}] has the same merge key as records[${first}] (${describeKey(inputs[i], mergeKeys)})`,
          { parameter: `records[${i}].fields`, recordIndex: i },
        );
      }
      firstWithKey.set(text, i);
    });
    const matches = await recordsMatchingKeys(
      tx,
      datasheetId,
      mergeFields.map((f) => f.id),
      keys,
    );
    const creates: number[] = [];
    const updates: number[] = [];
    keys.forEach((_, i) => {
      const found = matches.get(i) ?? [];
      if (found.length > 1) {
        throw invalidArgument(
          `records[${i}] matches ${found.length} existing records on its merge key (${describeKey(inputs[i], mergeKeys)})`,
          { parameter: `records[${i}].fields`, recordIndex: i, recordIds: found },
        );
      }
      (found.length ? updates : creates).push(i);
    });
    // The write plan takes the created records' cells first: reorder the patches and what refers to them.
    const order = [...creates, ...updates];
    const position = new Map(order.map((i, p) => [i, p]));
    const plan = {
      batch: {
        patches: order.map((i) => batch.patches[i]!),
        refs: batch.refs.map((r) => ({ ...r, recordIndex: position.get(r.recordIndex)! })),
        changedProperties: batch.changedProperties,
      },
      createCount: creates.length,
      updates: updates.map((i) => ({ recordId: matches.get(i)![0]! })),
      deletes: [],
      updateParameter: (u: number) => `records[${updates[u]}]`,
      deleteParameter: () => 'records',
    };
    const written = await applyWritePlan(tx, scope, schema, locks.get(datasheetId)!, plan, deps.now(), deps.bus);
    const records: StoredRecord[] = [];
    creates.forEach((i, c) => {
      records[i] = written.created[c]!;
    });
    updates.forEach((i, u) => {
      records[i] = written.updated[u]!;
    });
    const result: UpsertResult = {
      created: written.created.map((r) => r.id),
      updated: written.updated.map((r) => r.id),
      records,
      schema: written.schema,
    };
    return { result, events: written.events };
  });
  return result;
}

/** fieldsToMergeOn as field keys: a non-empty list of distinct non-empty strings. */
function mergeKeyNames(fieldsToMergeOn: readonly unknown[]): string[] {
  if (!Array.isArray(fieldsToMergeOn) || fieldsToMergeOn.length === 0)
    throw invalidArgument('fieldsToMergeOn should name at least one field', { parameter: 'fieldsToMergeOn' });
  const keys = fieldsToMergeOn.map((key, i) => {
    if (typeof key !== 'string' || !key)
      throw invalidArgument(`fieldsToMergeOn[${i}] must be a field name or id`, { parameter: `fieldsToMergeOn[${i}]` });
    return key;
  });
  const seen = new Set<string>();
  keys.forEach((key, i) => {
    if (seen.has(key))
      throw invalidArgument(`Field ${key} appears more than once in fieldsToMergeOn`, {
        parameter: `fieldsToMergeOn[${i}]`,
        field: key,
      });
    seen.add(key);
  });
  return keys;
}

/** The merge fields by key; each must exist and be of a type whose stored values compare (MERGEABLE_FIELD_TYPES). */
function resolveMergeFields(schema: DatasheetSchema, keys: readonly string[], fieldKey: FieldKey): FieldDef[] {
  return keys.map((key, i) => {
    const field = schema.fields.find((f) => (fieldKey === 'id' ? f.id : f.name) === key);
    if (!field)
      throw invalidArgument(`Field ${key} does not exist`, { parameter: `fieldsToMergeOn[${i}]`, field: key });
    if (!MERGEABLE_FIELD_TYPES.has(field.type)) {
      throw invalidArgument(
        `Field ${key} is a ${field.type} field and can't be merged on: only text, number, select, date, email, URL and phone fields can`,
        { parameter: `fieldsToMergeOn[${i}]`, field: key },
      );
    }
    return field;
  });
}

/** `Title="a", Qty=3` from the input as given, each value cut to 60 characters. */
function describeKey(input: unknown, keys: readonly string[]): string {
  const fields = ((input as UpsertInput | null)?.fields ?? {}) as Record<string, unknown>;
  return keys
    .map((key) => {
      const text = JSON.stringify(fields[key]) ?? 'null';
      return `${key}=${text.length > 60 ? `${text.slice(0, 60)}…` : text}`;
    })
    .join(', ');
}
