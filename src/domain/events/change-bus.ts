import type { Queryable } from '../../db/queryable.js';
import type { FeedAppendRows } from '../../db/stores/feed.store.js';
import type { SchemaEventKind } from './feed.js';

/** Writes a transaction's change events into the feed, in that transaction (outbox.ts feedWriter). */
export interface FeedWriter {
  /** Writes the events' feed rows in `tx` (one statement). */
  write(tx: Queryable, events: readonly ChangeEvent[]): Promise<void>;
  /** The events' feed rows, for a write that appends them in its own last statement (feed.store.ts feedAppend). */
  rows(events: readonly ChangeEvent[]): FeedAppendRows;
}

/**
 * Changes as the services describe them. A writing transaction `record`s its events into the durable change feed
 * (the transactional outbox, feed.ts) as its last work before COMMIT, and `publish`es them on this in-process bus
 * after the commit (the local feed dispatcher wakes on it; the view index manager listens).
 */
export interface CellChange {
  fieldId: string;
  oldValue: unknown;
  newValue: unknown;
}

export interface RecordsChangedEvent {
  type: 'records.changed';
  spaceId: string;
  datasheetId: string;
  /** The datasheet's revision after this batch. */
  revision: number;
  actorId: string | null;
  at: Date;
  created: { recordId: string; fieldIds: string[]; cells: Record<string, unknown> }[];
  updated: { recordId: string; revision: number; changes: CellChange[] }[];
  deleted: { recordId: string; cells: Record<string, unknown> }[];
  /** Set when the records moved between datasheets (on both sides' events): the feed writes one `records.moved`. */
  moved?: {
    fromDatasheetId: string;
    toDatasheetId: string;
    mapped: { fromFieldId: string; toFieldId: string }[];
    dropped: { fieldId: string; fieldName: string; reason: string }[];
  };
}

export interface SchemaChangedEvent {
  type: 'schema.changed';
  spaceId: string;
  datasheetId: string;
  revision: number;
  actorId: string | null;
  at: Date;
  change: SchemaEventKind;
  targetId: string;
  detail?: Record<string, unknown>;
}

export type ChangeEvent = RecordsChangedEvent | SchemaChangedEvent;

export type ChangeListener = (event: ChangeEvent) => void;

export interface ChangeBus {
  /** Writes `events` into the change feed inside the caller's transaction (its last statements before COMMIT). */
  record(tx: Queryable, events: readonly ChangeEvent[]): Promise<void>;
  /**
   * The feed rows of `events`, for a write whose last statement appends them itself (saving the feed its round trip;
   * feed.store.ts feedAppend): `record` then skips these events. Undefined when no feed is written (FEED=off).
   */
  takeFeedRows(events: readonly ChangeEvent[]): FeedAppendRows | undefined;
  /** After commit: tells in-process listeners. */
  publish(events: readonly ChangeEvent[]): void;
  subscribe(listener: ChangeListener): () => void;
}

export interface ChangeBusOptions {
  onListenerError?: (error: unknown) => void;
  /** Writes a transaction's events into the change feed (outbox.ts feedWriter); absent: none are written. */
  feed?: FeedWriter | undefined;
}

export function createChangeBus(options: ChangeBusOptions = {}): ChangeBus {
  const onListenerError = options.onListenerError ?? (() => {});
  const listeners = new Set<ChangeListener>();
  /** Events whose rows a write appended itself (takeFeedRows). */
  const taken = new WeakSet<ChangeEvent>();
  return {
    async record(tx, events) {
      const left = events.filter((e) => !taken.has(e));
      if (options.feed && left.length) await options.feed.write(tx, left);
    },
    takeFeedRows(events) {
      if (!options.feed) return undefined;
      for (const event of events) taken.add(event);
      return options.feed.rows(events);
    },
    publish(events) {
      for (const event of events) {
        for (const listener of listeners) {
          // A failing subscriber must not break the writer (the write already committed) or other subscribers.
          try {
            listener(event);
          } catch (error) {
            onListenerError(error);
          }
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
