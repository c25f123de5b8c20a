import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';
import { describeError, type Logger } from '../logger.js';

// ioredis (about 20 MB resident) is loaded on first use, synchronously: a server without REDIS_URL never holds it.
const load = createRequire(import.meta.url);

/** A Redis connection for the limiter store that never queues, never crashes the process and reconnects. */
export interface RedisConnection {
  readonly client: Redis;
  /** True while commands can be sent (status `ready`). */
  readonly ready: boolean;
  close(): Promise<void>;
}

/** Longest pause between reconnection attempts while Redis is away. */
const MAX_RECONNECT_DELAY_MS = 1000;
/** A Redis that accepts the connection but does not answer must not hold requests for long. */
const COMMAND_TIMEOUT_MS = 500;

export function connectRedis(url: string, logger?: Logger): RedisConnection {
  const { Redis: RedisClient } = load('ioredis') as typeof import('ioredis');
  const client = new RedisClient(url, {
    // Commands fail at once while disconnected; rate-limiter-flexible then asks its insurance limiter.
    enableOfflineQueue: false,
    // Commands issued in the same tick (a request's quota and rate counters) go out in one write.
    enableAutoPipelining: true,
    maxRetriesPerRequest: 1,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: 2000,
    // Never give up: keep trying so the shared store is used again as soon as Redis is back.
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 10), MAX_RECONNECT_DELAY_MS),
  });
  let closing = false;
  let degraded = false;
  let everReady = false;

  const reportOutage = (error?: unknown) => {
    if (closing || degraded) return;
    degraded = true;
    logger?.warn(
      { err: error === undefined ? undefined : redactUrl(describeError(error)), redis: safeUrl(url) },
      everReady
        ? 'rate limiter: lost the Redis connection, using per-process limits until it is back'
        : 'rate limiter: Redis is unreachable, using per-process limits until it is reachable',
    );
  };
  client.on('error', (error: unknown) => reportOutage(error));
  client.on('close', () => {
    if (everReady) reportOutage();
  });
  client.on('ready', () => {
    everReady = true;
    if (degraded) logger?.info({ redis: safeUrl(url) }, 'rate limiter: Redis is back, limits are shared again');
    degraded = false;
  });

  return {
    client,
    get ready() {
      return !closing && client.status === 'ready';
    },
    async close() {
      closing = true;
      if (client.status === 'ready') {
        const quit = client.quit().then(
          () => undefined,
          () => undefined,
        );
        const timedOut = await Promise.race([quit.then(() => false), delay(1000).then(() => true)]);
        if (!timedOut) return;
      }
      client.disconnect(false);
    },
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** The URL without user name and password, for log lines. */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '[unparseable Redis URL]';
  }
}

function redactUrl<T extends { message: string }>(described: T): T {
  return { ...described, message: described.message.replace(/(\w+:\/\/)[^@\s/]*@/g, '$1[redacted]@') };
}
