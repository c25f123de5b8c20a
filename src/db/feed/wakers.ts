import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';
import { listenChannel } from '../pg-listen.js';
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
 * PostgreSQL LISTEN on a dedicated connection (pg-listen.ts): writers `pg_notify` inside their transaction, delivered
 * at commit. A lost connection is opened again (the slow poll covers what was sent meanwhile); every reconnect wakes
 * once.
 */
export function listenPostgres(
  url: string,
  origin: string,
  wake: () => void,
  onError: (error: unknown) => void,
): Waker {
  const listening = listenChannel(url, FEED_CHANNEL, {
    // This process's own commits woke it already (the payload names the process that wrote).
    onNotification: (payload) => {
      if (!payload?.startsWith(`${origin}:`)) wake();
    },
    onListening: (on) => on && wake(),
    onError,
  });
  return {
    announce() {},
    healthy: () => listening.listening,
    close: () => listening.close(),
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
