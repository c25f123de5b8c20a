import { insertFeedRows, type NewFeedRow } from '../../db/stores/feed.store.js';
import { currentAuthor } from './author.js';
import type { ChangeEvent, FeedWriter, RecordsChangedEvent } from './change-bus.js';

/**
 * Writes a transaction's change events into the feed, in that transaction (the bus's `record`, change-bus.ts).
 * `postgres`: order ids by commit with an advisory lock and wake other processes with pg_notify at commit (naming
 * `origin`, this process, whose own dispatcher ignores it).
 */
export function feedWriter(postgres: boolean, origin: string): FeedWriter {
  return {
    write: (tx, events) => insertFeedRows(tx, feedRowsOf(events), postgres, origin),
    rows: (events) => ({ rows: feedRowsOf(events), postgres, origin }),
  };
}

/**
 * The feed rows of a transaction's change events: one per datasheet per kind (records created, updated, deleted or
 * moved; each schema change), with the request's author (author.ts) and the old cells of deleted records; the cells
 * of created and updated records are read back from the records and their history (feed.store.ts StoredChanges).
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
        changes: {},
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
    return [{ kind: 'records.moved', recordIds, changes: {}, detail: { ...event.moved } }];
  }
  const rows: RecordRow[] = [];
  if (event.created.length) {
    // No cells: the records table holds them (feed.store.ts createdCells).
    rows.push({ kind: 'records.created', recordIds: event.created.map((r) => r.recordId), changes: {}, detail: {} });
  }
  if (event.updated.length) {
    rows.push({
      kind: 'records.updated',
      recordIds: event.updated.map((r) => r.recordId),
      // Each record's revision after the update: its history rows at that revision are its changed cells.
      changes: Object.fromEntries(event.updated.map((r) => [r.recordId, r.revision])),
      detail: {},
    });
  }
  if (event.deleted.length) {
    rows.push({
      kind: 'records.deleted',
      recordIds: event.deleted.map((r) => r.recordId),
      changes: Object.fromEntries(event.deleted.map((r) => [r.recordId, r.cells])),
      detail: {},
    });
  }
  return rows;
}
