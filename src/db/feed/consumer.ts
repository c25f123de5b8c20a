import type { FeedEvent } from '../../domain/events/feed.js';
import type { Queryable } from '../queryable.js';
import type { FeedEventKind } from '../../domain/events/feed.js';
import { inBackground } from '../background.js';
import {
  advanceCursor,
  claimCursor,
  releaseCursor,
  selectEventsAfterId,
  selectHighestId,
} from '../stores/feed.store.js';

/** Events one handler call gets at most. */
const BATCH = 200;
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 30_000;

export interface DurableConsumer {
  name: string;
  /** Reads and hands over whatever is new, up to `upTo` when known (a no-op while a retry is pending). */
  wake(upTo?: string): void;
  /** Whether events of these kinds concern it (a local commit of other kinds need not wake it). */
  wants(kinds: ReadonlySet<string>): boolean;
  /** Whether this consumer has handled every event up to `id`, or another process holds it (it will). */
  caughtUp(id: bigint): boolean;
  /** True while a handler call or a retry is pending. */
  busy(): boolean;
  stop(): Promise<void>;
}

/**
 * A durable consumer: its position is a row of feed_cursors, held by one process at a time through a lease renewed
 * with every batch (another process takes over once the lease ran out: a crashed holder's consumer resumes there).
 * A batch is acknowledged after `handle` resolves; when it throws, the same batch is tried again with exponential
 * backoff. So every event is handled at least once, in id (commit) order.
 */
export function startConsumer(
  db: Queryable,
  name: string,
  handle: (events: FeedEvent[]) => Promise<void>,
  options: {
    owner: string;
    leaseMs: number;
    /** Only these kinds are handed over (the others are acknowledged unseen). */
    kinds?: readonly FeedEventKind[] | undefined;
    /** Only events of the datasheets this answers (asked once a run) are handed over; none read when it is empty. */
    datasheets?: (() => Promise<readonly string[]>) | undefined;
    onError: (error: unknown) => void;
  },
): DurableConsumer {
  /** The last id acknowledged or found nothing after; null before the first read; 'elsewhere' when not held. */
  let position: string | null | 'elsewhere' = null;
  let run: Promise<void> | undefined;
  let again = false;
  let retryMs = 0;
  let retry: NodeJS.Timeout | undefined;
  let stopped = false;
  /** The highest id the dispatcher told of for the next run; read from the table when not told. */
  let known: string | undefined;

  /** The id this consumer acknowledged through, while it holds the cursor (null before the first claim or when elsewhere). */
  const acknowledged = (): string | null => (position === null || position === 'elsewhere' ? null : position);
  /** Until when (ms since the epoch) this process knows it holds the lease without claiming it again. */
  let heldUntil = 0;

  /** The cursor, claimed again only when the lease may be running out (half its length; never with no lease). */
  async function claim(): Promise<string | null> {
    if (acknowledged() !== null && Date.now() < heldUntil) return acknowledged();
    const claimedAt = Date.now();
    const at = await claimCursor(db, name, options.owner, options.leaseMs);
    heldUntil = at === null ? 0 : options.leaseMs === 0 ? Number.POSITIVE_INFINITY : claimedAt + options.leaseMs / 2;
    return at;
  }

  async function loop() {
    for (;;) {
      // Told of nothing past what this consumer acknowledged: no statement at all.
      if (known !== undefined && acknowledged() !== null && BigInt(known) <= BigInt(acknowledged()!)) return;
      const at = await claim();
      position = at ?? 'elsewhere';
      if (at === null || stopped) return;
      const upTo = known ?? (await selectHighestId(db));
      known = undefined;
      if (BigInt(upTo) <= BigInt(at)) return;
      const datasheetIds = options.datasheets ? await options.datasheets() : undefined;
      const events =
        datasheetIds?.length === 0
          ? []
          : await selectEventsAfterId(db, at, upTo, BATCH, { kinds: options.kinds, datasheetIds });
      // A full batch ends at its last event; a shorter one covers everything up to `upTo`.
      const through = events.length === BATCH ? events[events.length - 1]!.id : upTo;
      try {
        if (events.length) await handle(events);
      } catch (error) {
        options.onError(error);
        retryMs = Math.min(MAX_RETRY_MS, Math.max(FIRST_RETRY_MS, retryMs * 2));
        retry = setTimeout(() => {
          retry = undefined;
          wake();
        }, retryMs);
        retry.unref();
        return;
      }
      retryMs = 0;
      if (await advanceCursor(db, name, options.owner, through)) position = through;
      else heldUntil = 0; // the lease went elsewhere: claim (and learn the cursor) again
      if (events.length < BATCH) return;
    }
  }

  function wake(upTo?: string) {
    if (upTo !== undefined && (known === undefined || BigInt(upTo) > BigInt(known))) known = upTo;
    if (stopped || retry) return;
    if (run) {
      again = true;
      return;
    }
    run = inBackground(loop)
      .catch(options.onError)
      .finally(() => {
        run = undefined;
        if (again) {
          again = false;
          wake();
        }
      });
  }

  return {
    name,
    wake,
    caughtUp: (id) => position === 'elsewhere' || (position !== null && BigInt(position) >= id),
    wants: (kinds) => !options.kinds || options.kinds.some((kind) => kinds.has(kind)),
    busy: () => run !== undefined || retry !== undefined || again,
    async stop() {
      stopped = true;
      clearTimeout(retry);
      await run;
      await releaseCursor(db, name, options.owner).catch(() => {});
    },
  };
}
