import type { FeedEvent, FeedSubscription } from '../../domain/events/feed.js';

/** How many events one catch-up read takes at a time. */
const PAGE = 500;

export interface LiveSubscription extends FeedSubscription {
  datasheetId: string;
  /** An event of this datasheet the dispatcher read (in id order). */
  push(event: FeedEvent): void;
  /** True when nothing is queued or being delivered. */
  idle(): boolean;
  /** Ends the subscription with `error` (feed closed). */
  fail(error: unknown): void;
}

/**
 * One subscriber's delivery: events are handed over one at a time, awaited, in sequence order, each once. The last
 * delivered sequence decides: an event at or below it is a duplicate (skipped); one past the next expected sequence
 * means events were missed (the subscription started `after` an older point, or was behind), which are read from the
 * feed table first. So replay and live delivery meet without gap or duplicate, whatever order they arrive in.
 */
export function createSubscription(
  datasheetId: string,
  after: string | null,
  read: (after: string | null, limit: number) => Promise<FeedEvent[]>,
  latest: () => Promise<string>,
  listener: (event: FeedEvent) => void | Promise<void>,
  onError: ((error: unknown) => void) | undefined,
  onClose: () => void,
): LiveSubscription {
  let last: bigint | null = after === null ? null : BigInt(after);
  let catchUp = after !== null;
  // Without a resume point, it starts after the datasheet's latest event as of now.
  let starting: Promise<void> | undefined =
    after === null
      ? latest().then((sequence) => {
          last = BigInt(sequence);
          starting = undefined;
        })
      : undefined;
  const queue: FeedEvent[] = [];
  let running = false;
  let closed = false;

  async function deliver(event: FeedEvent) {
    await listener(event);
    last = BigInt(event.sequence);
  }

  /** Delivers what the table holds past `last`; answers how many it delivered. */
  async function readMissed(): Promise<number> {
    let delivered = 0;
    for (;;) {
      const page = await read(last === null ? null : last.toString(), PAGE);
      for (const event of page) {
        if (closed) return delivered;
        if (last !== null && BigInt(event.sequence) <= last) continue;
        await deliver(event);
        delivered++;
      }
      if (page.length < PAGE) return delivered;
    }
  }

  async function run() {
    if (running || closed) return;
    running = true;
    try {
      await starting;
      while (!closed) {
        if (catchUp) {
          catchUp = false;
          await readMissed();
          continue;
        }
        const event = queue.shift();
        if (!event) break;
        const sequence = BigInt(event.sequence);
        if (last !== null && sequence <= last) continue;
        // Missed events: read them (the event itself is among them, or read again after them).
        if (last !== null && sequence > last + 1n && (await readMissed()) > 0) continue;
        // Nothing older is retained (pruned): this event is the next one there is.
        await deliver(event);
      }
    } catch (error) {
      end(error);
    } finally {
      running = false;
    }
  }

  function end(error: unknown) {
    if (closed) return;
    closed = true;
    queue.length = 0;
    onClose();
    onError?.(error);
  }

  const subscription: LiveSubscription = {
    datasheetId,
    push(event) {
      if (closed) return;
      queue.push(event);
      void run();
    },
    idle: () => closed || (!running && queue.length === 0 && !catchUp && !starting),
    fail: end,
    close() {
      if (closed) return;
      closed = true;
      queue.length = 0;
      onClose();
    },
  };
  if (catchUp || starting) void run();
  return subscription;
}
