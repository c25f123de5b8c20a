import type { Queryable } from '../../db/client.js';
import { insertAuditEvents, selectAuditEvents, type AuditRow } from '../../db/stores/audit.store.js';
import { invalidArgument } from '../errors.js';
import { serialCursor } from '../limits.js';
import type { ChangeFeed, FeedEvent, SchemaEventKind } from '../events/feed.js';

export type AuditEvent = AuditRow;

export interface AuditEntry {
  spaceId: string;
  actorId: string | null;
  tokenId?: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  detail?: Record<string, unknown>;
  requestId?: string | null;
}

const TARGET_OF: Record<SchemaEventKind, string> = {
  'datasheet.created': 'datasheet',
  'datasheet.updated': 'datasheet',
  'datasheet.deleted': 'datasheet',
  'field.created': 'field',
  'field.updated': 'field',
  'field.deleted': 'field',
  'view.created': 'view',
  'view.updated': 'view',
  'view.deleted': 'view',
};

/** The durable feed consumer that writes schema changes into the audit log. */
export const AUDIT_CONSUMER = 'audit';

/**
 * The audit log: schema changes (a durable consumer of the change feed, so a change committed just before a crash is
 * still audited, once: rows name their feed event), token creation and revocation, and later webhooks, members,
 * imports and exports; readable by admins with `audit:read`.
 */
export function createAuditService(db: Queryable, feed: Pick<ChangeFeed, 'consume' | 'drain'>) {
  /** Writes audit rows on `q`: the caller's transaction (recordIn), or the database on its own. */
  async function write(q: Queryable, entries: AuditEntry | AuditEntry[], at: Date): Promise<void> {
    const list = Array.isArray(entries) ? entries : [entries];
    await insertAuditEvents(
      q,
      list.map((e) => ({
        ...e,
        tokenId: e.tokenId ?? null,
        detail: e.detail ?? {},
        requestId: e.requestId ?? null,
        feedEventId: null,
        at,
      })),
    );
  }
  const record = (entries: AuditEntry | AuditEntry[], at = new Date()) => write(db, entries, at);

  feed.consume(
    AUDIT_CONSUMER,
    async (events: FeedEvent[]) => {
      const audited = events.filter((e) => e.kind in TARGET_OF);
      await insertAuditEvents(
        db,
        audited.map((e) => ({
          spaceId: e.spaceId,
          actorId: e.actorId,
          tokenId: e.tokenId,
          action: e.kind,
          targetType: TARGET_OF[e.kind as SchemaEventKind],
          targetId: e.targetId,
          detail: { datasheetId: e.datasheetId, revision: e.revision, ...e.detail },
          requestId: e.requestId,
          feedEventId: e.id,
          at: e.at,
        })),
      );
    },
    { kinds: Object.keys(TARGET_OF) as SchemaEventKind[] },
  );

  async function list(spaceId: string, options: { limit?: number; before?: string | null; action?: string } = {}) {
    const limit = options.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      throw invalidArgument('limit must be an integer from 1 to 1000', { parameter: 'limit' });
    const before = serialCursor(options.before, 'before');
    const rows = await selectAuditEvents(db, spaceId, {
      before: before === null ? null : before.toString(),
      limit: limit + 1,
      action: options.action,
    });
    const page = rows.slice(0, limit);
    return { events: page, nextCursor: rows.length > limit ? page[page.length - 1]!.id : null };
  }

  return {
    record,
    /**
     * Writes audit rows inside the caller's transaction (`asQueryable(tx)`): the change and its audit row commit
     * together or not at all.
     */
    recordIn: (tx: Queryable, entries: AuditEntry | AuditEntry[], at = new Date()) => write(tx, entries, at),
    list,
    /** Resolves when every change committed so far is in the audit log (tests, shutdown). */
    flush: () => feed.drain(),
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
