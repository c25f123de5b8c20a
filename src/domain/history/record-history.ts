import { recordHistory } from '../../db/stores/record.store.js';
import type { PrismaClient } from '../../db/client.js';
import type { Scope } from '../context.js';
import { invalidArgument } from '../errors.js';

export interface HistoryEntry {
  /** Cursor-able id of the change row this entry comes from. */
  changeId: string;
  kind: 'created' | 'updated' | 'deleted' | 'moved';
  /** Null for whole-record entries of a move. */
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

/**
 * A record's per-cell history, newest first, paged by change: a creation or deletion is stored as one row
 * holding all cells and read back as one entry per cell. Deleted records keep their history.
 */
export async function readRecordHistory(
  prisma: PrismaClient,
  scope: Scope,
  recordId: string,
  options: { limit?: number; before?: string | null } = {},
): Promise<HistoryPage> {
  const limit = options.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw invalidArgument('limit must be an integer from 1 to 1000', { parameter: 'limit' });
  if (options.before != null && !/^\d+$/.test(options.before)) throw invalidArgument('Invalid cursor', { parameter: 'before' });
  const before = options.before != null ? BigInt(options.before) : null;
  const rows = await recordHistory(prisma, scope.spaceId, recordId, before, limit + 1);
  const page = rows.slice(0, limit);
  const entries = page.flatMap((row): HistoryEntry[] => {
    const base = { changeId: row.id.toString(), authorId: row.authorId, revision: row.revision, at: row.createdAt };
    if (row.fieldId === '@moved') {
      const from = row.oldValue as { datasheetId: string };
      const to = row.newValue as { datasheetId: string };
      return [{ ...base, kind: 'moved', fieldId: null, oldValue: null, newValue: null, fromDatasheetId: from.datasheetId, toDatasheetId: to.datasheetId }];
    }
    if (row.fieldId === '*') {
      const created = row.newValue !== null;
      const cells = (created ? row.newValue : row.oldValue) as Record<string, unknown>;
      return Object.entries(cells ?? {}).map(([fieldId, value]) => ({
        ...base,
        kind: created ? 'created' : 'deleted',
        fieldId,
        oldValue: created ? null : value,
        newValue: created ? value : null,
      }));
    }
    return [{ ...base, kind: 'updated', fieldId: row.fieldId, oldValue: row.oldValue, newValue: row.newValue }];
  });
  return { entries, nextCursor: rows.length > limit ? page[page.length - 1]!.id.toString() : null };
}
