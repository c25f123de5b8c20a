/**
 * STAND-IN, replaced at merge by the durable feed (src/db/feed/*): an in-process `ChangeFeed` over the
 * in-process `ChangeBus`, so subscriptions can be built and tested against the `ChangeFeed` contract before the
 * outbox lands. Sequences are per-datasheet counters in memory (lost on restart, one process only); retained
 * events are kept in memory (the last `retain` per datasheet); `consume` is not implemented.
 */
import type { ChangeBus, ChangeEvent, RecordsChangedEvent } from './change-bus.js';
import type { ChangeFeed, FeedCellChange, FeedEvent, FeedEventKind, FeedSubscription } from './feed.js';

type Draft = Omit<FeedEvent, 'id' | 'sequence'>;

/** One bus event as feed events: a mixed batch becomes created, updated, deleted events in that order. */
export function feedEventsOf(event: ChangeEvent): Draft[] {
  const base = {
    spaceId: event.spaceId,
    datasheetId: event.datasheetId,
    revision: event.revision,
    actorId: event.actorId,
    tokenId: null,
    requestId: null,
    at: event.at,
  };
  if (event.type === 'schema.changed') {
    const kind: FeedEventKind = event.change === 'view.changed' ? 'view.updated' : event.change;
    return [{ ...base, kind, recordIds: [], changes: [], targetId: event.targetId, detail: {} }];
  }
  return recordDrafts(event).map((d) => ({ ...base, ...d, targetId: null, detail: {} }));
}

function recordDrafts(event: RecordsChangedEvent) {
  const out: { kind: FeedEventKind; recordIds: string[]; changes: FeedCellChange[] }[] = [];
  if (event.created.length > 0)
    out.push({
      kind: 'records.created',
      recordIds: event.created.map((c) => c.recordId),
      changes: event.created.flatMap((c) =>
        Object.entries(c.cells).map(([fieldId, value]) => ({
          recordId: c.recordId,
          fieldId,
          oldValue: null,
          newValue: value,
        })),
      ),
    });
  if (event.updated.length > 0)
    out.push({
      kind: 'records.updated',
      recordIds: event.updated.map((u) => u.recordId),
      changes: event.updated.flatMap((u) =>
        u.changes.map((c) => ({
          recordId: u.recordId,
          fieldId: c.fieldId,
          oldValue: c.oldValue ?? null,
          newValue: c.newValue ?? null,
        })),
      ),
    });
  if (event.deleted.length > 0)
    out.push({
      kind: 'records.deleted',
      recordIds: event.deleted.map((d) => d.recordId),
      changes: event.deleted.flatMap((d) =>
        Object.entries(d.cells).map(([fieldId, value]) => ({
          recordId: d.recordId,
          fieldId,
          oldValue: value,
          newValue: null,
        })),
      ),
    });
  return out;
}

interface Subscriber {
  listener: (event: FeedEvent) => void | Promise<void>;
  onError?: ((error: unknown) => void) | undefined;
  queue: FeedEvent[];
  running: boolean;
  closed: boolean;
  idle: Promise<void>;
}

export function createBusFeed(bus: ChangeBus, options: { retain?: number } = {}): ChangeFeed {
  const retain = options.retain ?? 10_000;
  let globalId = 0n;
  const logs = new Map<string, FeedEvent[]>();
  const sequences = new Map<string, bigint>();
  const subscribers = new Map<string, Set<Subscriber>>();

  const pump = async (s: Subscriber) => {
    if (s.running) return;
    s.running = true;
    try {
      while (!s.closed && s.queue.length > 0) {
        const next = s.queue.shift()!;
        try {
          await s.listener(next);
        } catch (error) {
          s.closed = true;
          s.onError?.(error);
        }
      }
    } finally {
      s.running = false;
    }
  };
  const deliver = (s: Subscriber, events: FeedEvent[]) => {
    if (s.closed) return;
    s.queue.push(...events);
    s.idle = s.idle.then(() => pump(s));
  };

  const unsubscribe = bus.subscribe((event) => {
    for (const draft of feedEventsOf(event)) {
      const sequence = (sequences.get(draft.datasheetId) ?? 0n) + 1n;
      sequences.set(draft.datasheetId, sequence);
      globalId += 1n;
      const full: FeedEvent = { ...draft, id: String(globalId), sequence: String(sequence) };
      const log = logs.get(draft.datasheetId) ?? [];
      log.push(full);
      if (log.length > retain) log.shift();
      logs.set(draft.datasheetId, log);
      for (const s of subscribers.get(draft.datasheetId) ?? []) deliver(s, [full]);
    }
  });

  const read = (datasheetId: string, after: string | null, limit = Number.POSITIVE_INFINITY) => {
    const from = after === null ? 0n : BigInt(after);
    return (logs.get(datasheetId) ?? []).filter((e) => BigInt(e.sequence) > from).slice(0, limit);
  };

  return {
    async read(datasheetId, after, limit) {
      return read(datasheetId, after, limit);
    },
    async latestSequence(datasheetId) {
      return String(sequences.get(datasheetId) ?? 0n);
    },
    subscribe(datasheetId, after, listener, onError): FeedSubscription {
      const s: Subscriber = { listener, onError, queue: [], running: false, closed: false, idle: Promise.resolve() };
      const set = subscribers.get(datasheetId) ?? new Set();
      set.add(s);
      subscribers.set(datasheetId, set);
      // Synchronous: the backlog and every later event are queued in order, none missed or repeated.
      if (after !== null) deliver(s, read(datasheetId, after));
      return {
        close() {
          s.closed = true;
          set.delete(s);
        },
      };
    },
    consume() {
      throw new Error('consume is not implemented by the in-process stand-in feed');
    },
    async drain() {
      await Promise.all([...subscribers.values()].flatMap((set) => [...set].map((s) => s.idle)));
    },
    async close() {
      unsubscribe();
      for (const set of subscribers.values())
        for (const s of set) {
          s.closed = true;
          s.onError?.(new Error('The change feed closed'));
        }
      subscribers.clear();
    },
  };
}
