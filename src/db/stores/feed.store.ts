import type { FeedCellChange, FeedEvent, FeedEventKind } from '../../domain/events/feed.js';
import { cellsAsCreated } from './cells-as-created.js';
import { parseObject } from './json-column.js';
import type { Queryable } from '../client.js';
import { LOCK_KEYS } from '../locks.js';

/** The channel `pg_notify` wakes other processes on (the payload is the highest id written). */
export const FEED_CHANNEL = 'tablebase_feed';

/**
 * Cell changes as stored, by record, in a compact form. The cells of records.created and records.updated are not
 * written twice (that would cost writers as much again as the records and their history): records.created stores
 * none (`{}`), readers derive them from the records table (createdCells); records.updated stores each record's
 * revision after the update, whose history rows (record_changes) are its changed cells (updatedCells).
 * records.deleted stores each record's old cells by field. Rows written before hold the values themselves (the new
 * value by field for created, `[old, new]` by field for updated). Read back as FeedCellChange[] in `recordIds` order.
 */
export type StoredChanges = Record<string, Record<string, unknown> | number>;

/** One event row as a transaction writes it; id and sequence are allocated by insertFeedRows. */
export interface NewFeedRow {
  spaceId: string;
  datasheetId: string;
  kind: FeedEventKind;
  revision: number;
  recordIds: string[];
  changes: StoredChanges;
  targetId: string | null;
  detail: Record<string, unknown>;
  actorId: string | null;
  tokenId: string | null;
  requestId: string | null;
  at: Date;
}

/**
 * Appends `rows` in the caller's transaction, in one statement:
 * - each datasheet's sequence is advanced (upsert on feed_sequences, datasheets in id order) and the rows take the
 *   next numbers, so a datasheet's sequence follows its commit order and a rolled back transaction gives its numbers
 *   back (gapless);
 * - on PostgreSQL the rows are joined to a transaction-level advisory lock (held until COMMIT): no row, hence no id,
 *   is produced before the lock is held, so no other writer can draw an id between this one's and its commit, and
 *   ids become visible in id order (a reader that sees id N has seen, or will never see, every id below N). Whatever
 *   order the upsert and the lock are taken in, the holder of the lock waits for nothing else: no deadlock. PGlite
 *   runs one transaction at a time: there, commit order is id order without it;
 * - on PostgreSQL it sends the wake-up notification (`origin:id`, so that the writing process can ignore its own),
 *   delivered to listeners at commit.
 * It runs as the transaction's last work, so the lock is held only for the insert and the commit.
 */
export async function insertFeedRows(
  q: Queryable,
  rows: readonly NewFeedRow[],
  postgres: boolean,
  origin = '',
): Promise<void> {
  if (rows.length === 0) return;
  const append = feedAppend({ rows, postgres, origin }, 1);
  await q.query(`WITH ${append.ctes} SELECT ${append.last} AS last`, append.params);
}

/** What a write appends to the feed in a statement of its own making (feedAppend). */
export interface FeedAppendRows {
  rows: readonly NewFeedRow[];
  postgres: boolean;
  origin: string;
}

/**
 * insertFeedRows as common table expressions to put first in another statement (the write that produced the rows, so
 * that they cost no round trip of their own; it must be the transaction's last work but for the commit, as
 * insertFeedRows): `ctes` (the last one named `feed_ins`), its parameters numbered from `first`, and `last`, a scalar
 * expression to select (it sends the wake-up notification). `revision`, an SQL expression, replaces the rows' own
 * revision (e.g. the datasheet's as bumped by the same statement).
 */
export function feedAppend(
  { rows, postgres, origin }: FeedAppendRows,
  first: number,
  revision?: string,
): { ctes: string; params: unknown[]; last: string } {
  const $ = (i: number) => `$${first + i}`;
  const ctes = `${postgres ? `feed_lock AS (SELECT pg_advisory_xact_lock(${LOCK_KEYS.feed}) AS held),` : ''} feed_e AS (
       SELECT e.*, row_number() OVER (PARTITION BY e.datasheet_id ORDER BY e.ord) AS rn,
         count(*) OVER (PARTITION BY e.datasheet_id) AS n
       FROM unnest(${$(0)}::text[], ${$(1)}::text[], ${$(2)}::text[], ${$(3)}::int[], ${$(4)}::jsonb[], ${$(5)}::jsonb[],
         ${$(6)}::text[], ${$(7)}::jsonb[], ${$(8)}::text[], ${$(9)}::text[], ${$(10)}::text[], ${$(11)}::text[])
         WITH ORDINALITY AS e(space_id, datasheet_id, kind, revision, record_ids, changes, target_id, detail, actor_id,
           token_id, request_id, at, ord)),
     feed_s AS (
       INSERT INTO feed_sequences (datasheet_id, seq)
       SELECT datasheet_id, count(*) FROM feed_e GROUP BY datasheet_id ORDER BY datasheet_id
       ON CONFLICT (datasheet_id) DO UPDATE SET seq = feed_sequences.seq + excluded.seq
       RETURNING datasheet_id, seq),
     feed_ins AS (
       INSERT INTO change_events (space_id, datasheet_id, seq, kind, revision, record_ids, changes, target_id, detail,
         actor_id, token_id, request_id, at)
       SELECT e.space_id, e.datasheet_id, s.seq - e.n + e.rn, e.kind, ${revision ?? 'e.revision'},
         ARRAY(SELECT jsonb_array_elements_text(e.record_ids)), e.changes, e.target_id, e.detail, e.actor_id,
         e.token_id, e.request_id, (e.at::timestamptz AT TIME ZONE 'UTC')
       FROM feed_e e JOIN feed_s s ON s.datasheet_id = e.datasheet_id${postgres ? ' CROSS JOIN feed_lock' : ''}
       ORDER BY e.ord
       RETURNING id)`;
  const last = postgres
    ? `(SELECT pg_notify('${FEED_CHANNEL}', ${$(12)} || ':' || max(id)::text)::text FROM feed_ins)`
    : '(SELECT max(id)::text FROM feed_ins)';
  const params = [
    rows.map((r) => r.spaceId),
    rows.map((r) => r.datasheetId),
    rows.map((r) => r.kind),
    rows.map((r) => r.revision),
    rows.map((r) => JSON.stringify(r.recordIds)),
    rows.map((r) => JSON.stringify(r.changes)),
    rows.map((r) => r.targetId),
    rows.map((r) => JSON.stringify(r.detail)),
    rows.map((r) => r.actorId),
    rows.map((r) => r.tokenId),
    rows.map((r) => r.requestId),
    rows.map((r) => r.at.toISOString()),
    ...(postgres ? [origin] : []),
  ];
  return { ctes, params, last };
}

interface EventRow {
  id: string;
  seq: string;
  space_id: string;
  datasheet_id: string;
  kind: FeedEventKind;
  revision: number;
  record_ids: string[] | null;
  changes: StoredChanges | unknown[];
  target_id: string | null;
  detail: Record<string, unknown>;
  actor_id: string | null;
  token_id: string | null;
  request_id: string | null;
  at_ms: number | string;
}

const COLUMNS = `id::text AS id, seq::text AS seq, space_id, datasheet_id, kind, revision, record_ids, changes,
  target_id, detail, actor_id, token_id, request_id, (extract(epoch FROM at) * 1000)::float8 AS at_ms`;

/** The stored compact changes as the contract's list, record by record in `recordIds` order. */
function cellChanges(kind: FeedEventKind, recordIds: string[], stored: StoredChanges | unknown[]): FeedCellChange[] {
  if (Array.isArray(stored)) return [];
  const changes: FeedCellChange[] = [];
  for (const recordId of recordIds) {
    const cells = stored[recordId];
    if (typeof cells !== 'object') continue;
    for (const [fieldId, value] of Object.entries(cells)) {
      if (kind === 'records.created') changes.push({ recordId, fieldId, oldValue: null, newValue: value });
      else if (kind === 'records.deleted') changes.push({ recordId, fieldId, oldValue: value, newValue: null });
      else {
        const [oldValue, newValue] = value as [unknown, unknown];
        changes.push({ recordId, fieldId, oldValue, newValue });
      }
    }
  }
  return changes;
}

/**
 * The cells of created records as they were created, by record id (one statement for any number of records): their
 * current cells, or their cells at deletion, with every later change undone (history/record-history.ts
 * cellsAsCreated, the rule of a record's history). So a record created and changed again before its event is read
 * still reads as created.
 */
async function createdCells(q: Queryable, recordIds: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
  const rows = await q.query<{
    id: string;
    cells: Record<string, unknown> | string | null;
    later: [string, unknown][] | string | null;
  }>(
    `SELECT x.id, r.cells,
       (SELECT json_agg(json_build_array(c.field_id, c.old_value) ORDER BY c.id DESC)
        FROM record_changes c WHERE c.record_id = x.id) AS later
     FROM unnest($1::text[]) AS x(id) LEFT JOIN records r ON r.id = x.id`,
    [recordIds],
  );
  const cells = new Map<string, Record<string, unknown>>();
  for (const row of rows) {
    if (row.cells === null && row.later === null) continue;
    const current = parseObject<Record<string, unknown> | null>(row.cells) ?? undefined;
    const later = (parseObject<[string, unknown][] | null>(row.later) ?? []).map(([fieldId, oldValue]) => ({
      fieldId,
      oldValue,
    }));
    cells.set(row.id, cellsAsCreated(current, later));
  }
  return cells;
}

/**
 * The changed cells of updated records as `[old, new]` by field, for each `record:revision` asked (one statement): the
 * history rows the update wrote, at the revision it gave the record.
 */
async function updatedCells(
  q: Queryable,
  keys: readonly { recordId: string; revision: number }[],
): Promise<Map<string, Record<string, unknown>>> {
  const rows = await q.query<{
    record_id: string;
    revision: number;
    field_id: string;
    old_value: unknown;
    new_value: unknown;
  }>(
    `SELECT c.record_id, c.revision, c.field_id, c.old_value, c.new_value
     FROM unnest($1::text[], $2::int[]) AS k(record_id, revision)
     JOIN record_changes c ON c.record_id = k.record_id AND c.revision = k.revision
     ORDER BY c.id`,
    [keys.map((k) => k.recordId), keys.map((k) => k.revision)],
  );
  const cells = new Map<string, Record<string, unknown>>();
  for (const r of rows) {
    const key = `${r.record_id}:${r.revision}`;
    const record = cells.get(key) ?? {};
    cells.set(key, record);
    record[r.field_id] = [r.old_value ?? null, r.new_value ?? null];
  }
  return cells;
}

/**
 * Events from their rows, with the cells their rows do not hold derived in one go: created records' cells
 * (createdCells) and updated records' changes (updatedCells).
 */
async function toEvents(q: Queryable, rows: EventRow[]): Promise<FeedEvent[]> {
  const created = rows.filter((r) => r.kind === 'records.created' && isEmptyObject(r.changes));
  if (created.length) {
    const cells = await createdCells(q, [...new Set(created.flatMap((r) => r.record_ids ?? []))]);
    for (const r of created)
      r.changes = Object.fromEntries((r.record_ids ?? []).map((id) => [id, cells.get(id) ?? {}]));
  }
  const updated = rows.filter((r) => r.kind === 'records.updated' && !Array.isArray(r.changes));
  const keys = updated.flatMap((r) =>
    Object.entries(r.changes as StoredChanges).flatMap(([recordId, revision]) =>
      typeof revision === 'number' ? [{ recordId, revision }] : [],
    ),
  );
  if (keys.length) {
    const cells = await updatedCells(q, keys);
    for (const r of updated) {
      const stored = r.changes as StoredChanges;
      for (const [recordId, revision] of Object.entries(stored))
        if (typeof revision === 'number') stored[recordId] = cells.get(`${recordId}:${revision}`) ?? {};
    }
  }
  return rows.map(toEvent);
}

const isEmptyObject = (value: unknown) =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;

function toEvent(r: EventRow): FeedEvent {
  const recordIds = r.record_ids ?? [];
  return {
    id: r.id,
    sequence: r.seq,
    spaceId: r.space_id,
    datasheetId: r.datasheet_id,
    kind: r.kind,
    revision: r.revision,
    recordIds,
    changes: cellChanges(r.kind, recordIds, r.changes),
    targetId: r.target_id,
    detail: r.detail,
    actorId: r.actor_id,
    tokenId: r.token_id,
    requestId: r.request_id,
    at: new Date(Number(r.at_ms)),
  };
}

/**
 * Events with `after < id <= upTo`, in id (commit) order, at most `limit`; only those of the given datasheets or
 * kinds when these are given.
 */
export async function selectEventsAfterId(
  q: Queryable,
  after: string,
  upTo: string,
  limit: number,
  filter: { datasheetIds?: readonly string[]; kinds?: readonly string[] } = {},
): Promise<FeedEvent[]> {
  const rows = await q.query<EventRow>(
    `SELECT ${COLUMNS} FROM change_events
     WHERE id > $1::bigint AND id <= $2::bigint AND ($4::text[] IS NULL OR datasheet_id = ANY($4::text[]))
       AND ($5::text[] IS NULL OR kind = ANY($5::text[]))
     ORDER BY change_events.id LIMIT $3`,
    [after, upTo, limit, filter.datasheetIds ?? null, filter.kinds ?? null],
  );
  return toEvents(q, rows);
}

/** One datasheet's events with `seq > after` (all retained when null), in sequence order. */
export async function selectDatasheetEvents(
  q: Queryable,
  datasheetId: string,
  after: string | null,
  limit: number,
): Promise<FeedEvent[]> {
  const rows = await q.query<EventRow>(
    `SELECT ${COLUMNS} FROM change_events WHERE datasheet_id = $1 AND ($2::bigint IS NULL OR seq > $2::bigint)
     ORDER BY change_events.seq LIMIT $3`,
    [datasheetId, after, limit],
  );
  return toEvents(q, rows);
}

export async function selectLatestSequence(q: Queryable, datasheetId: string): Promise<string> {
  const [row] = await q.query<{ seq: string }>('SELECT seq::text AS seq FROM feed_sequences WHERE datasheet_id = $1', [
    datasheetId,
  ]);
  return row?.seq ?? '0';
}

/** The highest event id written so far ('0' when none). */
export async function selectHighestId(q: Queryable): Promise<string> {
  const [row] = await q.query<{ id: string | null }>('SELECT max(id)::text AS id FROM change_events');
  return row?.id ?? '0';
}

/**
 * Takes (or renews) a durable consumer's lease for `owner` until `leaseMs` from now, creating the consumer at the
 * start of the feed when it is new; answers its acknowledged position, or null while another owner holds it.
 */
export async function claimCursor(
  q: Queryable,
  consumer: string,
  owner: string,
  leaseMs: number,
): Promise<string | null> {
  const [row] = await q.query<{ last_id: string }>(
    `INSERT INTO feed_cursors AS c (consumer, last_id, lease_owner, lease_until, updated_at)
     VALUES ($1, 0, $2, (now() AT TIME ZONE 'UTC') + $3 * interval '1 millisecond', now() AT TIME ZONE 'UTC')
     ON CONFLICT (consumer) DO UPDATE SET lease_owner = excluded.lease_owner, lease_until = excluded.lease_until
       WHERE c.lease_owner = excluded.lease_owner OR c.lease_owner IS NULL OR c.lease_until < (now() AT TIME ZONE 'UTC')
     RETURNING last_id::text AS last_id`,
    [consumer, owner, leaseMs],
  );
  return row?.last_id ?? null;
}

/** Acknowledges a consumer's events up to `lastId`, if `owner` still holds its lease. */
export async function advanceCursor(q: Queryable, consumer: string, owner: string, lastId: string): Promise<boolean> {
  const rows = await q.query(
    `UPDATE feed_cursors SET last_id = GREATEST(last_id, $3::bigint), updated_at = now() AT TIME ZONE 'UTC'
     WHERE consumer = $1 AND lease_owner = $2 RETURNING consumer`,
    [consumer, owner, lastId],
  );
  return rows.length > 0;
}

/** Gives up a consumer's lease (shutdown), so another process takes it over at once. */
export async function releaseCursor(q: Queryable, consumer: string, owner: string): Promise<void> {
  await q.query(
    'UPDATE feed_cursors SET lease_owner = NULL, lease_until = NULL WHERE consumer = $1 AND lease_owner = $2',
    [consumer, owner],
  );
}

/**
 * Deletes up to `limit` events older than `before`, but none that a durable consumer still has to read, unless that
 * consumer has not moved for `staleMs` (a consumer gone for longer than the retention window holds nothing back).
 * Answers how many rows it deleted.
 */
export async function pruneEvents(q: Queryable, before: Date, staleMs: number, limit: number): Promise<number> {
  const rows = await q.query(
    `DELETE FROM change_events WHERE id IN (
       SELECT id FROM change_events
       WHERE at < ($1::timestamptz AT TIME ZONE 'UTC')
         AND id <= COALESCE((SELECT min(last_id) FROM feed_cursors
           WHERE updated_at >= (now() AT TIME ZONE 'UTC') - $2 * interval '1 millisecond'), 9223372036854775807)
       ORDER BY id LIMIT $3)
     RETURNING id`,
    [before.toISOString(), staleMs, limit],
  );
  return rows.length;
}
