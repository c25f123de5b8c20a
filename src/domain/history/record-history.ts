import type { Queryable } from '../../db/client.js';
import { recordHistories, recordHistory, recordHome, type HistoryRow } from '../../db/stores/record-history.store.js';
import { cellsAsCreated } from '../../db/stores/cells-as-created.js';
import { recordInSpace, recordsInSpace, type StoredRecord } from '../../db/stores/record.store.js';
import type { Scope } from '../context.js';
import { invalidArgument } from '../errors.js';
import { serialCursor } from '../limits.js';

export interface HistoryEntry {
  /** Id of the change this entry comes from ("created" for the creation entries). */
  changeId: string;
  kind: 'created' | 'updated' | 'deleted' | 'moved';
  /** Null for the whole-record entry of a move. */
  fieldId: string | null;
  oldValue: unknown;
  newValue: unknown;
  authorId: string | null;
  revision: number;
  at: Date;
  /** For moves: from which datasheet to which. */
  fromDatasheetId?: string;
  toDatasheetId?: string;
}

export interface HistoryPage {
  entries: HistoryEntry[];
  /** Pass as `before` for the next (older) page; null when there is none. */
  nextCursor: string | null;
}

/** History rows carrying a whole record: `@deleted` (old cells and creation facts) and `@moved`. */
interface DeletedValue {
  cells: Record<string, unknown>;
  createdAt: string;
  createdBy: string | null;
}
interface MovedValue {
  datasheetId: string;
  cells: Record<string, unknown>;
}

const ALL = 1_000_000;

/**
 * A record's per-cell history, newest first, paged by change. Updates, deletions and moves are stored as
 * they happen; creation is not stored twice: the record row is the creation, and its initial cells are
 * derived on the last page by walking the changes back from the current (or deleted) cells. Deleted
 * records keep their history.
 */
export async function readRecordHistory(
  prisma: Queryable,
  scope: Scope,
  recordId: string,
  options: { limit?: number; before?: string | null } = {},
): Promise<HistoryPage> {
  const limit = checkLimit(options.limit ?? 50);
  const before = serialCursor(options.before, 'before');
  const rows = await recordHistory(prisma, scope.spaceId, recordId, before, limit + 1);
  const page = rows.slice(0, limit);
  const entries = page.flatMap(toEntries);
  if (rows.length > limit) return { entries, nextCursor: page[page.length - 1]!.id.toString() };
  return { entries: [...entries, ...(await creationEntries(prisma, scope, recordId))], nextCursor: null };
}

/**
 * A record's history read through one datasheet: the record must be in it, or (deleted) have been in it last;
 * otherwise it is answered as a missing record, whatever other datasheet of the space holds it.
 */
export async function readRecordHistoryIn(
  q: Queryable,
  scope: Scope,
  datasheetId: string,
  recordId: string,
  options: { limit?: number; before?: string | null } = {},
): Promise<HistoryPage> {
  if ((await recordHome(q, scope.spaceId, recordId)) !== datasheetId)
    throw invalidArgument('The record specified by the recordId does not exist', { parameter: 'recordId' });
  return readRecordHistory(q, scope, recordId, options);
}

function toEntries(row: HistoryRow): HistoryEntry[] {
  const base = { changeId: row.id.toString(), authorId: row.authorId, revision: row.revision, at: row.createdAt };
  if (row.fieldId === '@moved') {
    const [from, to] = [row.oldValue as MovedValue, row.newValue as MovedValue];
    return [
      {
        ...base,
        kind: 'moved',
        fieldId: null,
        oldValue: null,
        newValue: null,
        fromDatasheetId: from.datasheetId,
        toDatasheetId: to.datasheetId,
      },
    ];
  }
  if (row.fieldId === '@deleted') {
    const { cells } = row.oldValue as DeletedValue;
    return Object.entries(cells).map(([fieldId, value]) => ({
      ...base,
      kind: 'deleted',
      fieldId,
      oldValue: value,
      newValue: null,
    }));
  }
  return [{ ...base, kind: 'updated', fieldId: row.fieldId, oldValue: row.oldValue, newValue: row.newValue }];
}

/**
 * The first page of several records' histories at once (two statements however many records: their newest
 * changes, and the rows of those whose history ends on this page, for their creation entries).
 */
export async function readRecordHistories(
  q: Queryable,
  scope: Scope,
  recordIds: readonly string[],
  options: { limit?: number } = {},
): Promise<Map<string, HistoryPage>> {
  const limit = checkLimit(options.limit ?? 50);
  const histories = await recordHistories(q, scope.spaceId, recordIds, limit + 1);
  const complete = recordIds.filter((id) => (histories.get(id)?.length ?? 0) <= limit);
  const records = new Map(
    complete.length ? (await recordsInSpace(q, scope.spaceId, complete)).map((r) => [r.id, r] as const) : [],
  );
  const pages = new Map<string, HistoryPage>();
  for (const id of recordIds) {
    const rows = histories.get(id) ?? [];
    const page = rows.slice(0, limit);
    const entries = page.flatMap(toEntries);
    pages.set(
      id,
      rows.length > limit
        ? { entries, nextCursor: page[page.length - 1]!.id.toString() }
        : { entries: [...entries, ...creationFrom(records.get(id), rows)], nextCursor: null },
    );
  }
  return pages;
}

function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw invalidArgument('limit must be an integer from 1 to 1000', { parameter: 'limit' });
  return limit;
}

/** The record's cells as created: its current (or last) cells with every later change undone. */
async function creationEntries(prisma: Queryable, scope: Scope, recordId: string): Promise<HistoryEntry[]> {
  const [record, all] = await Promise.all([
    recordInSpace(prisma, scope.spaceId, recordId),
    recordHistory(prisma, scope.spaceId, recordId, null, ALL),
  ]);
  return creationFrom(record, all);
}

/** Creation entries from the record's row (absent once deleted) and its every change, newest first. */
function creationFrom(record: StoredRecord | undefined, all: readonly HistoryRow[]): HistoryEntry[] {
  const deleted = all.find((r) => r.fieldId === '@deleted')?.oldValue as DeletedValue | undefined;
  if (!record && !deleted) return [];
  const cells = cellsAsCreated(record?.cells, all);
  const at = record?.createdAt ?? new Date(deleted!.createdAt);
  const authorId = record ? record.createdBy : deleted!.createdBy;
  return Object.entries(cells).map(([fieldId, value]) => ({
    changeId: 'created',
    kind: 'created',
    fieldId,
    oldValue: null,
    newValue: value,
    authorId,
    revision: 1,
    at,
  }));
}
