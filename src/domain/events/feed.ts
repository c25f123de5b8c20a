/**
 * The durable change feed (transactional outbox): every committed change writes its event rows in the same
 * transaction as the change, and a dispatcher hands them, in commit order, to live subscribers (GraphQL
 * subscriptions, the REST event stream), to durable consumers (audit log, webhooks) and wakes other server
 * processes (PostgreSQL LISTEN/NOTIFY, or Redis when REDIS_URL is set).
 *
 * This file is the contract between the feed (src/db/feed/*, wired in services.ts as `services.feed`) and its
 * users (graphql/modules/subscriptions.ts, rest event stream, webhooks). Transports use only this interface.
 */

export const RECORD_EVENT_KINDS = ['records.created', 'records.updated', 'records.deleted', 'records.moved'] as const;
export const SCHEMA_EVENT_KINDS = [
  'datasheet.created',
  'datasheet.updated',
  'datasheet.deleted',
  'field.created',
  'field.updated',
  'field.deleted',
  'view.created',
  'view.updated',
  'view.deleted',
] as const;
export type RecordEventKind = (typeof RECORD_EVENT_KINDS)[number];
export type SchemaEventKind = (typeof SCHEMA_EVENT_KINDS)[number];
export type FeedEventKind = RecordEventKind | SchemaEventKind;

/** One changed cell: `fieldId` with its value before and after (null on the side that did not exist). */
export interface FeedCellChange {
  recordId: string;
  fieldId: string;
  oldValue: unknown;
  newValue: unknown;
}

export interface FeedEvent {
  /** Global position in the feed (commit order), a decimal string of a bigint. */
  id: string;
  /** Position within the datasheet's own feed: 1, 2, 3 … with no gaps; what clients resume `after`. */
  sequence: string;
  spaceId: string;
  datasheetId: string;
  kind: FeedEventKind;
  /** The datasheet's revision after the change. */
  revision: number;
  /** Records the change touched (record events); empty for schema events. */
  recordIds: string[];
  /**
   * Cell changes: for updates the changed fields with old and new values; for creates every written cell with
   * oldValue null; for deletes every cell with newValue null; for moves empty.
   */
  changes: FeedCellChange[];
  /** The field or view a schema event is about (the datasheet for datasheet.*); null for record events. */
  targetId: string | null;
  /** Extra facts of the kind (moves: { toDatasheetId, mapped, dropped }). */
  detail: Record<string, unknown>;
  actorId: string | null;
  tokenId: string | null;
  requestId: string | null;
  at: Date;
}

export interface FeedSubscription {
  /** Stops delivery; idempotent. */
  close(): void;
}

export interface ChangeFeed {
  /**
   * Events of one datasheet with `sequence > after` (all retained ones when `after` is null), in order, at most
   * `limit`. A resume point older than the retention window reads from the oldest retained event.
   */
  read(datasheetId: string, after: string | null, limit: number): Promise<FeedEvent[]>;
  /** The datasheet's latest sequence ('0' when it has none yet). */
  latestSequence(datasheetId: string): Promise<string>;
  /**
   * Live delivery for one datasheet: first the retained events after `after` (when given), then every newly
   * committed one, each exactly once and in sequence order, whichever process wrote it. `listener` is awaited
   * (a slow listener delays only its own subscription). `onError` ends the subscription (e.g. feed closed).
   */
  subscribe(
    datasheetId: string,
    after: string | null,
    listener: (event: FeedEvent) => void | Promise<void>,
    onError?: (error: unknown) => void,
  ): FeedSubscription;
  /**
   * A durable consumer: `handle` gets batches of events of every datasheet in commit order, from where this
   * consumer last acknowledged (stored in the database, so a restart resumes without loss); a batch is
   * acknowledged when `handle` resolves, retried when it throws. Handlers must be idempotent by event id
   * (delivery is at least once). One process at a time runs a consumer of a given name (a lease in the database; a
   * crashed holder's consumer is taken over when its lease runs out, FEED_LEASE_SECONDS). With `kinds`, only events of
   * those kinds are handed over (the others are acknowledged unseen; cheaper than filtering in `handle`); with
   * `datasheets`, asked once a run, only events of the datasheets it answers (none read at all when it is empty).
   */
  consume(
    name: string,
    handle: (events: FeedEvent[]) => Promise<void>,
    options?: { kinds?: readonly FeedEventKind[]; datasheets?: () => Promise<readonly string[]> },
  ): void;
  /** Resolves when every event committed so far has reached every consumer and subscriber (tests, shutdown). */
  drain(): Promise<void>;
  close(): Promise<void>;
}
