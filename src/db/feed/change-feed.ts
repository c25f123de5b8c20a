import os from 'node:os';
import type { ChangeFeed, FeedEvent } from '../../domain/events/feed.js';
import type { Queryable } from '../queryable.js';
import {
  pruneEvents,
  selectDatasheetEvents,
  selectEventsAfterId,
  selectHighestId,
  selectLatestSequence,
} from '../stores/feed.store.js';
import { inBackground } from '../background.js';
import { startConsumer, type DurableConsumer } from './consumer.js';
import { createSubscription, type LiveSubscription } from './subscription.js';
import { listenPostgres, listenRedis, type Waker } from './wakers.js';

export interface ChangeFeedOptions {
  /** PostgreSQL: LISTEN for other processes' commits on a connection of its own. */
  databaseUrl?: string | undefined;
  /** Also announce and hear commits over Redis pub/sub. */
  redisUrl?: string | undefined;
  retentionDays: number;
  /** A durable consumer's lease: how long a crashed holder keeps others from taking it over. */
  leaseMs: number;
  /** This process in wake-up messages (its own are ignored): the `origin` its feed writer notifies with. */
  origin: string;
  /** Fallback poll, while a wake-up channel is down (default 1 s); 30 times slower while all are connected. */
  pollMs?: number;
  onError(error: unknown): void;
}

/** The dispatcher as services.ts holds it: the contract plus its life cycle. */
export interface Feed extends ChangeFeed {
  /** Starts hearing other processes (LISTEN, Redis), the fallback poll and the pruning. */
  start(): void;
  /**
   * Reads what is new now; called after every local commit with the kinds it wrote: with no live subscription and
   * no consumer of those kinds, that commit costs nothing more.
   */
  wake(kinds?: readonly string[]): void;
  /**
   * Deletes events older than the retention window before `now` (default: the present; later in tests), see
   * feed.store.ts pruneEvents; answers how many.
   */
  prune(now?: Date): Promise<number>;
}

const PAGE = 500;
const PRUNE_EVERY_MS = 3_600_000;
const DRAIN_STEP_MS = 5;
const CLOSE_DRAIN_MS = 5_000;

/**
 * One dispatcher per process: reads the feed table past the last id it dispatched, in id order (which is commit
 * order, see feed.store.ts insertFeedRows), and hands each event to the live subscriptions of its datasheet; durable
 * consumers read the table on their own cursors. It reads when told: locally after a commit, by LISTEN/NOTIFY or
 * Redis from other processes, and by a slow poll.
 */
export function createChangeFeed(db: Queryable, options: ChangeFeedOptions): Feed {
  const owner = `${os.hostname()}:${process.pid}:${options.origin}`;
  const subscriptions = new Map<string, Set<LiveSubscription>>();
  const consumers: DurableConsumer[] = [];
  const wakers: Waker[] = [];
  const timers: NodeJS.Timeout[] = [];
  let highest: Promise<string> | string = selectHighestId(db);
  let pumping: Promise<void> | undefined;
  let again = false;
  let closed = false;
  let announcing = false;
  /** Kinds of the local commits since the last wake-up (undefined: anything, e.g. not told). */
  let localKinds: Set<string> | undefined = new Set();

  /** Reads only what live subscriptions want: the events of their datasheets, up to the highest id committed. */
  async function pump() {
    let after = await highest;
    const upTo = await selectHighestId(db);
    if (BigInt(upTo) <= BigInt(after)) return;
    const datasheetIds = [...subscriptions.keys()];
    while (datasheetIds.length) {
      const events = await selectEventsAfterId(db, after, upTo, PAGE, { datasheetIds });
      for (const event of events) {
        for (const subscription of subscriptions.get(event.datasheetId) ?? []) subscription.push(event);
        after = event.id;
      }
      if (events.length < PAGE) break;
    }
    highest = upTo;
    for (const consumer of consumers) consumer.wake(upTo);
  }

  function wake() {
    if (closed) return;
    if (pumping) {
      again = true;
      return;
    }
    pumping = inBackground(pump)
      .catch(options.onError)
      .finally(() => {
        pumping = undefined;
        if (again) {
          again = false;
          wake();
        }
      });
  }

  const read = (datasheetId: string, after: string | null, limit: number) =>
    selectDatasheetEvents(db, datasheetId, after, limit);

  async function prune(now = new Date()) {
    const retentionMs = options.retentionDays * 86_400_000;
    const before = new Date(now.getTime() - retentionMs);
    let total = 0;
    for (;;) {
      const deleted = await pruneEvents(db, before, retentionMs, 10_000);
      total += deleted;
      if (deleted < 10_000) return total;
    }
  }

  const settled = () =>
    !pumping &&
    !again &&
    [...subscriptions.values()].every((set) => [...set].every((s) => s.idle())) &&
    consumers.every((c) => !c.busy());

  async function drain() {
    const target = BigInt(await selectHighestId(db));
    for (;;) {
      if (closed) return;
      const dispatched = BigInt(await highest);
      const consumed = consumers.every((c) => c.caughtUp(target));
      if (dispatched >= target && consumed && settled()) return;
      if (dispatched < target || !consumed) wake();
      await new Promise((resolve) => setTimeout(resolve, DRAIN_STEP_MS));
    }
  }

  return {
    read(datasheetId, after, limit) {
      return read(datasheetId, after, limit);
    },
    latestSequence: (datasheetId) => selectLatestSequence(db, datasheetId),
    subscribe(datasheetId, after, listener, onError) {
      const set = subscriptions.get(datasheetId) ?? new Set<LiveSubscription>();
      subscriptions.set(datasheetId, set);
      const subscription = createSubscription(
        datasheetId,
        after,
        (from, limit) => read(datasheetId, from, limit),
        () => selectLatestSequence(db, datasheetId),
        listener,
        onError,
        () => {
          set.delete(subscription);
          if (set.size === 0 && subscriptions.get(datasheetId) === set) subscriptions.delete(datasheetId);
        },
      );
      set.add(subscription);
      if (closed) subscription.fail(new Error('the change feed is closed'));
      return subscription;
    },
    consume(name, handle, consumeOptions) {
      if (consumers.some((c) => c.name === name)) throw new Error(`feed consumer ${name} is already registered`);
      const consumer = startConsumer(db, name, handle, {
        owner,
        leaseMs: options.leaseMs,
        kinds: consumeOptions?.kinds,
        datasheets: consumeOptions?.datasheets,
        onError: options.onError,
      });
      consumers.push(consumer);
      consumer.wake();
    },
    drain,
    wake(kinds) {
      if (!kinds) localKinds = undefined;
      else for (const kind of kinds) localKinds?.add(kind);
      // The events of one commit arrive together: one read and one announcement for all of them.
      if (announcing) return;
      announcing = true;
      queueMicrotask(() => {
        announcing = false;
        const told = localKinds;
        localKinds = new Set();
        for (const waker of wakers) waker.announce();
        if (!told || subscriptions.size > 0) return wake();
        for (const consumer of consumers) if (consumer.wants(told)) consumer.wake();
      });
    },
    prune,
    start() {
      if (closed || timers.length) return;
      if (options.databaseUrl) wakers.push(listenPostgres(options.databaseUrl, options.origin, wake, options.onError));
      if (options.redisUrl) wakers.push(listenRedis(options.redisUrl, options.origin, wake, options.onError));
      // Every process's commits reach it through a connected channel; the poll covers a channel that is down (and
      // anything lost while it reconnected), and, slowly, what no channel carried.
      const pollMs = options.pollMs ?? 1_000;
      let ticks = 0;
      const poll = () => {
        ticks++;
        if (ticks % 30 === 0 || !wakers.every((w) => w.healthy())) wake();
      };
      timers.push(setInterval(poll, pollMs));
      timers.push(setInterval(() => void prune().catch(options.onError), PRUNE_EVERY_MS));
      timers.push(setTimeout(() => void prune().catch(options.onError), 10_000));
      for (const timer of timers) timer.unref();
      wake();
    },
    async close() {
      if (closed) return;
      // What was committed so far reaches subscribers and consumers, within a bound (a failing consumer resumes on
      // the next start, from its cursor).
      await Promise.race([drain(), new Promise((resolve) => setTimeout(resolve, CLOSE_DRAIN_MS).unref())]);
      closed = true;
      for (const timer of timers) clearInterval(timer);
      await Promise.all(wakers.map((w) => w.close()));
      await pumping;
      await Promise.all(consumers.map((c) => c.stop()));
      const error = new Error('the change feed is closed');
      for (const set of [...subscriptions.values()]) for (const s of [...set]) s.fail(error);
    },
  };
}

export type { FeedEvent };
