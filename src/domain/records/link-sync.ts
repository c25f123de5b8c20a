import { bumpDatasheet } from '../../db/stores/datasheet-lock.store.js';
import { insertChanges, type ChangeRow } from '../../db/stores/record-history.store.js';
import { selectRecordsForUpdate, updateRecordCells } from '../../db/stores/record.store.js';
import type { Queryable as Tx } from '../../db/client.js';
import { beyondReach, canReach } from '../access/reach.js';
import type { Scope } from '../context.js';
import type { DatasheetSchema } from '../datasheets/schema.js';
import type { RecordsChangedEvent } from '../events/change-bus.js';
import { linkIds, syncedLinks } from './record-context.js';

export interface LinkChange {
  recordId: string;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

/**
 * Keeps two-way links symmetric: when a record's link cell gains or loses ids, the linked records' sibling
 * cells gain or lose this record, in the same transaction, with history and a change event of their own.
 */
export async function syncTwoWayLinks(
  tx: Tx,
  scope: Scope,
  schema: DatasheetSchema,
  changes: readonly LinkChange[],
  at: Date,
): Promise<RecordsChangedEvent[]> {
  const perForeign = new Map<string, Map<string, { brotherFieldId: string; add: Set<string>; remove: Set<string> }>>();
  for (const link of syncedLinks(schema)) {
    const { foreignDatasheetId, brotherFieldId } = link.property;
    for (const change of changes) {
      const before = new Set(linkIds(change.before[link.id]));
      const after = new Set(linkIds(change.after[link.id]));
      for (const id of new Set([...before, ...after])) {
        if (before.has(id) === after.has(id)) continue;
        // The sibling cells are records of the linked datasheet: a caller who does not reach it cannot change them.
        if (!canReach(scope, foreignDatasheetId)) throw beyondReach({ fieldId: link.id });
        const byRecord = perForeign.get(foreignDatasheetId) ?? new Map();
        perForeign.set(foreignDatasheetId, byRecord);
        const key = `${id}\u0000${brotherFieldId}`;
        const entry = byRecord.get(key) ?? {
          brotherFieldId: brotherFieldId!,
          add: new Set<string>(),
          remove: new Set<string>(),
        };
        byRecord.set(key, entry);
        (after.has(id) ? entry.add : entry.remove).add(change.recordId);
      }
    }
  }
  const events: RecordsChangedEvent[] = [];
  for (const [datasheetId, byRecord] of perForeign) {
    const recordIds = [...new Set([...byRecord.keys()].map((k) => k.split('\u0000')[0]!))];
    const rows = await selectRecordsForUpdate(tx, datasheetId, recordIds);
    const updates: { id: string; cells: Record<string, unknown> }[] = [];
    const history: Omit<ChangeRow, 'revision'>[] = [];
    const eventChanges = new Map<string, { fieldId: string; oldValue: unknown; newValue: unknown }[]>();
    for (const row of rows) {
      const cells = { ...row.cells };
      for (const [key, entry] of byRecord) {
        if (!key.startsWith(`${row.id}\u0000`)) continue;
        const old = linkIds(cells[entry.brotherFieldId]);
        const next = [
          ...old.filter((id) => !entry.remove.has(id)),
          ...[...entry.add].filter((id) => !old.includes(id)),
        ];
        if (next.join() === old.join()) continue;
        cells[entry.brotherFieldId] = next.length ? next : null;
        if (!next.length) delete cells[entry.brotherFieldId];
        const oldValue = old.length ? old : null;
        const newValue = next.length ? next : null;
        history.push({ recordId: row.id, datasheetId, fieldId: entry.brotherFieldId, oldValue, newValue });
        eventChanges.set(row.id, [
          ...(eventChanges.get(row.id) ?? []),
          { fieldId: entry.brotherFieldId, oldValue, newValue },
        ]);
      }
      if (eventChanges.has(row.id)) updates.push({ id: row.id, cells });
    }
    if (!updates.length) continue;
    const revisions = await updateRecordCells(tx, datasheetId, updates, scope.userId, at);
    await insertChanges(
      tx,
      history.map((h) => ({ ...h, revision: revisions.get(h.recordId)! })),
      scope.userId,
      at,
    );
    const revision = await bumpDatasheet(tx, datasheetId, { recordDelta: 0 });
    events.push({
      type: 'records.changed',
      spaceId: scope.spaceId,
      datasheetId,
      revision,
      actorId: scope.userId,
      at,
      created: [],
      updated: updates.map((u) => ({
        recordId: u.id,
        revision: revisions.get(u.id)!,
        changes: eventChanges.get(u.id)!,
      })),
      deleted: [],
    });
  }
  return events;
}
