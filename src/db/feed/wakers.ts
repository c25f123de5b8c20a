import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';
import pg from 'pg';
import { FEED_CHANNEL } from '../stores/feed.store.js';

// ioredis is loaded on first use, synchronously: a server without REDIS_URL never holds it.
const load = createRequire(import.meta.url);

/** Something that tells this process that another one committed feed rows; `close` stops it. */
export interface Waker {
  /** Tells the other processes (after a local commit); a no-op where the database already does it. */
  announce(): void;
  /** True while it is connected: nothing it carries is being lost. */
  healthy(): boolean;
  close(): Promise<void>;
}

const RECONNECT_MS = 1_000;

/**
 * PostgreSQL LISTEN on a dedicated connection: writers `pg_notify` inside their transaction, delivered at commit.
 * A lost connection is opened again (the slow poll covers what was sent meanwhile); every reconnect wakes once.
 */
export function listenPostgres(
  url: string,
  origin: string,
  wake: () => void,
  onError: (error: unknown) => void,
): Waker {
  let client: pg.Client | undefined;
  let listening = false;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;

  const reconnect = () => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, RECONNECT_MS);
    timer.unref();
  };

  async function connect() {
    const c = new pg.Client({ connectionString: url });
    client = c;
    // This process's own commits woke it already (the payload names the process that wrote).
    c.on('notification', (message) => {
      if (!message.payload?.startsWith(`${origin}:`)) wake();
    });
    c.on('error', (error) => {
      onError(error);
      listening = false;
      if (client === c) client = undefined;
      c.end().catch(() => {});
      reconnect();
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${FEED_CHANNEL}`);
      if (closed) await c.end();
      else {
        listening = true;
        wake();
      }
    } catch (error) {
      onError(error);
      if (client === c) client = undefined;
      c.end().catch(() => {});
      reconnect();
    }
  }
  void connect();

  return {
    announce() {},
    healthy: () => listening,
    async close() {
      closed = true;
      clearTimeout(timer);
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
    },
  };
}

const REDIS_CHANNEL = 'tablebase:feed';

/** Redis pub/sub: a local commit is announced on a channel every process subscribes to. */
export function listenRedis(url: string, origin: string, wake: () => void, onError: (error: unknown) => void): Waker {
  const options = {
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 10), RECONNECT_MS),
  };
  const { Redis: RedisClient } = load('ioredis') as typeof import('ioredis');
  const publisher: Redis = new RedisClient(url, { ...options, enableOfflineQueue: false });
  const subscriber: Redis = new RedisClient(url, options);
  publisher.on('error', () => {});
  subscriber.on('error', () => {});
  subscriber.on('message', (_channel: string, message: string) => {
    if (message !== origin) wake();
  });
  subscriber.on('ready', () => wake());
  subscriber.subscribe(REDIS_CHANNEL).catch(onError);
  return {
    announce() {
      if (publisher.status === 'ready') publisher.publish(REDIS_CHANNEL, origin).catch(() => {});
    },
    healthy: () => subscriber.status === 'ready',
    async close() {
      subscriber.disconnect();
      publisher.disconnect();
    },
  };
}
