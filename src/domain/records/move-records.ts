import { bumpDatasheet, updateFieldProperty } from '../../db/stores/datasheet-lock.store.js';
import { insertChanges } from '../../db/stores/record-history.store.js';
import { moveRecordRows, selectRecordsForUpdate } from '../../db/stores/record.store.js';
import type { Scope } from '../context.js';
import type { DatasheetSchema } from '../datasheets/schema.js';
import { DomainError, invalidArgument } from '../errors.js';
import type { ChangeEvent } from '../events/change-bus.js';
import { fieldTypeOf, linkTargetOf } from '../fields/registry.js';
import { MAX_RECORDS_PER_BATCH } from '../limits.js';
import { syncTwoWayLinks } from './link-sync.js';
import { checkRowCap, inWriteTransaction, lockForWrite, type RecordDeps } from './record-context.js';

export interface DroppedField {
  fieldId: string;
  fieldName: string;
  reason: string;
}

/** A source field whose cells followed the records, and the target field that holds them now. */
export interface MappedField {
  fieldId: string;
  fieldName: string;
  toFieldId: string;
}

export interface MoveResult {
  recordIds: string[];
  /** Source fields whose cells moved with the records, each with its target field. */
  mapped: MappedField[];
  /** Source fields whose cells could not follow the records, with why. */
  dropped: DroppedField[];
}

/**
 * Moves records to another datasheet of the same space, keeping their ids and history. Cells follow the
 * target field with the same name and type (select options by name, created when missing; links only to
 * the same linked datasheet); everything else is dropped and reported. Computed fields recompute.
 */
export async function moveRecords(
  deps: RecordDeps,
  scope: Scope,
  fromDatasheetId: string,
  toDatasheetId: string,
  recordIds: readonly unknown[],
): Promise<MoveResult> {
  if (fromDatasheetId === toDatasheetId)
    throw invalidArgument('The target datasheet is the source datasheet', { parameter: 'toDatasheetId' });
  if (!Array.isArray(recordIds) || recordIds.length === 0)
    throw invalidArgument('recordIds should not be empty', { parameter: 'recordIds' });
  if (recordIds.length > MAX_RECORDS_PER_BATCH) {
    throw new DomainError('BATCH_LIMIT', `Can't move more than ${MAX_RECORDS_PER_BATCH} records in one batch`, {
      parameter: 'recordIds',
      limit: MAX_RECORDS_PER_BATCH,
    });
  }
  const ids = [...new Set(recordIds.map(String))];
  const { result } = await inWriteTransaction(deps, async (tx) => {
    const at = deps.now();
    const { locks, schemas } = await lockForWrite(tx, scope, [fromDatasheetId, toDatasheetId], deps.schemaCache);
    const source = schemas.get(fromDatasheetId)!;
    const target = schemas.get(toDatasheetId)!;
    const rows = await selectRecordsForUpdate(tx, fromDatasheetId, ids);
    if (rows.length !== ids.length)
      throw invalidArgument('The record specified by the recordId does not exist', { parameter: 'recordIds' });
    const targetLock = locks.get(toDatasheetId)!;
    checkRowCap(targetLock, rows.length);
    const mapping = mapFields(source, target);
    let autoNumber = targetLock.autoNumberSeq;
    const moved = rows.map((row) => {
      const cells: Record<string, unknown> = {};
      for (const [fromId, value] of Object.entries(row.cells)) {
        const convert = mapping.convert.get(fromId);
        const converted = convert?.(value);
        if (converted !== undefined && converted !== null) cells[convert!.targetId] = converted;
      }
      autoNumber++;
      for (const f of target.fields) if (fieldTypeOf(f.type).numbered) cells[f.id] = autoNumber;
      return { id: row.id, cells, position: autoNumber, before: row.cells, revision: row.revision };
    });
    for (const [fieldId, property] of mapping.changedProperties) {
      await updateFieldProperty(tx, fieldId, property);
    }
    const sourceLinks = await syncTwoWayLinks(
      tx,
      scope,
      source,
      moved.map((m) => ({ recordId: m.id, before: m.before, after: {} })),
      at,
    );
    await moveRecordRows(tx, fromDatasheetId, toDatasheetId, moved, scope.userId, at);
    const targetLinks = await syncTwoWayLinks(
      tx,
      scope,
      target,
      moved.map((m) => ({ recordId: m.id, before: {}, after: m.cells })),
      at,
    );
    await insertChanges(
      tx,
      moved.map((m) => ({
        recordId: m.id,
        datasheetId: toDatasheetId,
        fieldId: '@moved',
        oldValue: { datasheetId: fromDatasheetId, cells: m.before },
        newValue: { datasheetId: toDatasheetId, cells: m.cells },
        revision: m.revision + 1,
      })),
      scope.userId,
      at,
    );
    const fromRevision = await bumpDatasheet(tx, fromDatasheetId, { recordDelta: -moved.length });
    const toRevision = await bumpDatasheet(tx, toDatasheetId, {
      recordDelta: moved.length,
      autoNumberSeq: autoNumber,
    });
    const move = {
      fromDatasheetId,
      toDatasheetId,
      mapped: [...mapping.convert].map(([fromFieldId, c]) => ({ fromFieldId, toFieldId: c.targetId })),
      dropped: mapping.dropped,
    };
    const base = { type: 'records.changed' as const, spaceId: scope.spaceId, actorId: scope.userId, at, moved: move };
    const events: ChangeEvent[] = [
      {
        ...base,
        datasheetId: fromDatasheetId,
        revision: fromRevision,
        created: [],
        updated: [],
        deleted: moved.map((m) => ({ recordId: m.id, cells: m.before })),
      },
      {
        ...base,
        datasheetId: toDatasheetId,
        revision: toRevision,
        created: moved.map((m) => ({ recordId: m.id, fieldIds: Object.keys(m.cells), cells: m.cells })),
        updated: [],
        deleted: [],
      },
      ...sourceLinks,
      ...targetLinks,
    ];
    return { result: { recordIds: ids, mapped: mapping.mapped, dropped: mapping.dropped }, events };
  });
  return result;
}

type Converter = ((value: unknown) => unknown) & { targetId: string };

function mapFields(source: DatasheetSchema, target: DatasheetSchema) {
  const convert = new Map<string, Converter>();
  const dropped: DroppedField[] = [];
  const mapped: MappedField[] = [];
  const changedProperties = new Map<string, unknown>();
  for (const field of source.fields) {
    const match = target.fields.find((t) => t.name === field.name);
    const reason = !match
      ? 'no field of that name in the target datasheet'
      : match.type !== field.type
        ? `the target field is a ${match.type} field`
        : !fieldTypeOf(field.type).writable || fieldTypeOf(field.type).source
          ? 'computed fields recompute in the target datasheet'
          : linkTargetOf(field) !== linkTargetOf(match)
            ? 'the target field links to another datasheet'
            : undefined;
    if (reason || !match) {
      dropped.push({ fieldId: field.id, fieldName: field.name, reason: reason! });
      continue;
    }
    const fn = (fieldTypeOf(field.type).moveCell?.(field, match, changedProperties) ??
      ((v: unknown) => v)) as Converter;
    fn.targetId = match.id;
    convert.set(field.id, fn);
    mapped.push({ fieldId: field.id, fieldName: field.name, toFieldId: match.id });
  }
  return { convert, mapped, dropped, changedProperties };
}
