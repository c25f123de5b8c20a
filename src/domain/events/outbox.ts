import type { Queryable } from '../../db/queryable.js';
import { insertFeedRows, type NewFeedRow } from '../../db/stores/feed.store.js';
import { currentAuthor } from './author.js';
import type { ChangeEvent, RecordsChangedEvent } from './change-bus.js';
import type { FeedCellChange } from './feed.js';

/**
 * Writes a transaction's change events into the feed, in that transaction (the bus's `record`, change-bus.ts).
 * `postgres`: order ids by commit with an advisory lock and wake other processes with pg_notify at commit.
 */
export function feedWriter(postgres: boolean) {
  return (tx: Queryable, events: readonly ChangeEvent[]) => insertFeedRows(tx, feedRowsOf(events), postgres);
}

/**
 * The feed rows of a transaction's change events: one per datasheet per kind (records created, updated, deleted or
 * moved; each schema change), with the cells' old and new values and the request's author (author.ts).
 */
export function feedRowsOf(events: readonly ChangeEvent[]): NewFeedRow[] {
  const { tokenId, requestId } = currentAuthor();
  const rows: NewFeedRow[] = [];
  for (const event of events) {
    const base = {
      spaceId: event.spaceId,
      datasheetId: event.datasheetId,
      revision: event.revision,
      actorId: event.actorId,
      tokenId,
      requestId,
      at: event.at,
    };
    if (event.type === 'schema.changed') {
      rows.push({
        ...base,
        kind: event.change,
        recordIds: [],
        changes: [],
        targetId: event.targetId,
        detail: event.detail ?? {},
      });
      continue;
    }
    for (const row of recordRows(event)) rows.push({ ...base, targetId: null, ...row });
  }
  return rows;
}

type RecordRow = Pick<NewFeedRow, 'kind' | 'recordIds' | 'changes' | 'detail'>;

function recordRows(event: RecordsChangedEvent): RecordRow[] {
  if (event.moved) {
    const recordIds = [...event.deleted, ...event.created].map((r) => r.recordId);
    return [{ kind: 'records.moved', recordIds, changes: [], detail: { ...event.moved } }];
  }
  const rows: RecordRow[] = [];
  if (event.created.length) {
    rows.push({
      kind: 'records.created',
      recordIds: event.created.map((r) => r.recordId),
      changes: event.created.flatMap((r) => cellChanges(r.recordId, r.cells, 'newValue')),
      detail: {},
    });
  }
  if (event.updated.length) {
    rows.push({
      kind: 'records.updated',
      recordIds: event.updated.map((r) => r.recordId),
      changes: event.updated.flatMap((r) => r.changes.map((c) => ({ recordId: r.recordId, ...c }))),
      detail: {},
    });
  }
  if (event.deleted.length) {
    rows.push({
      kind: 'records.deleted',
      recordIds: event.deleted.map((r) => r.recordId),
      changes: event.deleted.flatMap((r) => cellChanges(r.recordId, r.cells, 'oldValue')),
      detail: {},
    });
  }
  return rows;
}

function cellChanges(
  recordId: string,
  cells: Record<string, unknown>,
  side: 'oldValue' | 'newValue',
): FeedCellChange[] {
  return Object.entries(cells).map(([fieldId, value]) => ({
    recordId,
    fieldId,
    oldValue: side === 'oldValue' ? value : null,
    newValue: side === 'newValue' ? value : null,
  }));
}
