/**
 * STAND-IN, replaced by the durable change feed at merge (src/db/feed/*): adapts the in-process ChangeBus to
 * the `ChangeFeed` contract so webhooks can be built and tested before the feed lands. Nothing here is durable:
 * events live in memory, ids come from a counter, and events published before a consumer registered are not
 * seen by it. `read`, `latestSequence` and `subscribe` serve only what this process saw since it started.
 */
import type { ChangeBus, ChangeEvent } from './change-bus.js';
import type { ChangeFeed, FeedCellChange, FeedEvent, FeedSubscription } from './feed.js';

export function createBusFeed(bus: ChangeBus, onError: (error: unknown) => void = () => {}): ChangeFeed {
  let nextId = 0n;
  const sequences = new Map<string, bigint>();
  const history: FeedEvent[] = [];
  const live = new Set<(event: FeedEvent) => void>();
  const queues: { events: FeedEvent[]; running: Promise<void> | null; kick(): void }[] = [];
  let closed = false;

  const toFeed = (event: ChangeEvent): FeedEvent[] => {
    const base = {
      spaceId: event.spaceId,
      datasheetId: event.datasheetId,
      revision: event.revision,
      actorId: event.actorId,
      tokenId: null,
      requestId: null,
      at: event.at,
    };
    const make = (
      kind: FeedEvent['kind'],
      recordIds: string[],
      changes: FeedCellChange[],
      targetId: string | null,
    ): FeedEvent => {
      const sequence = (sequences.get(event.datasheetId) ?? 0n) + 1n;
      sequences.set(event.datasheetId, sequence);
      return {
        ...base,
        id: String(++nextId),
        sequence: String(sequence),
        kind,
        recordIds,
        changes,
        targetId,
        detail: {},
      };
    };
    if (event.type === 'schema.changed')
      return [make(event.change === 'view.changed' ? 'view.updated' : event.change, [], [], event.targetId)];
    const out: FeedEvent[] = [];
    if (event.created.length)
      out.push(
        make(
          'records.created',
          event.created.map((c) => c.recordId),
          event.created.flatMap((c) =>
            Object.entries(c.cells).map(([fieldId, v]) => ({
              recordId: c.recordId,
              fieldId,
              oldValue: null,
              newValue: v,
            })),
          ),
          null,
        ),
      );
    if (event.updated.length)
      out.push(
        make(
          'records.updated',
          event.updated.map((u) => u.recordId),
          event.updated.flatMap((u) => u.changes.map((c) => ({ recordId: u.recordId, ...c }))),
          null,
        ),
      );
    if (event.deleted.length)
      out.push(
        make(
          'records.deleted',
          event.deleted.map((d) => d.recordId),
          event.deleted.flatMap((d) =>
            Object.entries(d.cells).map(([fieldId, v]) => ({
              recordId: d.recordId,
              fieldId,
              oldValue: v,
              newValue: null,
            })),
          ),
          null,
        ),
      );
    return out;
  };

  bus.subscribe((event) => {
    if (closed) return;
    for (const e of toFeed(event)) {
      history.push(e);
      if (history.length > 10_000) history.shift();
      for (const listener of live) listener(e);
      for (const queue of queues) {
        queue.events.push(e);
        queue.kick();
      }
    }
  });

  return {
    async read(datasheetId, after, limit) {
      const from = after === null ? 0n : BigInt(after);
      return history.filter((e) => e.datasheetId === datasheetId && BigInt(e.sequence) > from).slice(0, limit);
    },
    async latestSequence(datasheetId) {
      return String(sequences.get(datasheetId) ?? 0n);
    },
    subscribe(datasheetId, after, listener): FeedSubscription {
      let chain = Promise.resolve();
      const push = (e: FeedEvent) => {
        if (e.datasheetId === datasheetId) chain = chain.then(() => listener(e)).catch(onError);
      };
      if (after !== null) for (const e of history) if (BigInt(e.sequence) > BigInt(after)) push(e);
      live.add(push);
      return { close: () => void live.delete(push) };
    },
    consume(_name, handle) {
      const queue = {
        events: [] as FeedEvent[],
        running: null as Promise<void> | null,
        kick() {
          if (queue.running || closed) return;
          queue.running = (async () => {
            while (queue.events.length > 0 && !closed) {
              const batch = queue.events.slice(0, 100);
              try {
                await handle(batch);
                queue.events.splice(0, batch.length);
              } catch (error) {
                onError(error);
                await new Promise((resolve) => setTimeout(resolve, 200));
              }
            }
          })().finally(() => {
            queue.running = null;
            if (queue.events.length > 0) queue.kick();
          });
        },
      };
      queues.push(queue);
    },
    async drain() {
      while (queues.some((q) => q.running || (q.events.length > 0 && !closed)))
        await Promise.all(queues.map((q) => q.running));
    },
    async close() {
      closed = true;
      live.clear();
      await Promise.all(queues.map((q) => q.running));
    },
  };
}
