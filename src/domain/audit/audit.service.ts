import type { Queryable } from '../../db/client.js';
import { insertAuditEvents, selectAuditEvents, type AuditRow } from '../../db/stores/audit.store.js';
import { invalidArgument } from '../errors.js';
import { serialCursor } from '../limits.js';
import type { ChangeBus, SchemaChangedEvent } from '../events/change-bus.js';

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

const TARGET_OF: Record<SchemaChangedEvent['change'], string> = {
  'datasheet.created': 'datasheet',
  'datasheet.updated': 'datasheet',
  'datasheet.deleted': 'datasheet',
  'field.created': 'field',
  'field.updated': 'field',
  'field.deleted': 'field',
  'view.changed': 'view',
};

/**
 * The audit log: schema changes (from the change bus, after commit), token creation and revocation, and
 * later webhooks, members, imports and exports; readable by admins with `audit:read`.
 */
export function createAuditService(db: Queryable, bus: ChangeBus, onError: (error: unknown) => void = () => {}) {
  /** Writes audit rows on `q`: the caller's transaction (recordIn), or the database on its own. */
  async function write(q: Queryable, entries: AuditEntry | AuditEntry[], at: Date): Promise<void> {
    const list = Array.isArray(entries) ? entries : [entries];
    await insertAuditEvents(
      q,
      list.map((e) => ({ ...e, tokenId: e.tokenId ?? null, detail: e.detail ?? {}, requestId: e.requestId ?? null })),
      at,
    );
  }
  const record = (entries: AuditEntry | AuditEntry[], at = new Date()) => write(db, entries, at);

  const pending = new Set<Promise<void>>();
  bus.subscribe((event) => {
    if (event.type !== 'schema.changed') return;
    const write = record(
      {
        spaceId: event.spaceId,
        actorId: event.actorId,
        action: event.change,
        targetType: TARGET_OF[event.change],
        targetId: event.targetId,
        detail: { datasheetId: event.datasheetId, revision: event.revision },
      },
      event.at,
    )
      .catch(onError)
      .finally(() => pending.delete(write));
    pending.add(write);
  });

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
    /** Resolves when audit writes started by bus events so far have finished (tests, shutdown). */
    flush: async () => {
      await Promise.all([...pending]);
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
