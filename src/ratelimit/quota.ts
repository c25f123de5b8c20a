import type { Redis } from 'ioredis';
import type { RedisConnection } from './redis-connection.js';

const INCREMENT_UNTIL = `local n = redis.call('INCR', KEYS[1])
redis.call('PEXPIREAT', KEYS[1], ARGV[1])
return n`;

/** INCR then PEXPIREAT of one key, atomically (EVALSHA, loading the script when Redis does not know it). */
function incrementUntil(client: Redis, key: string, expireAtMs: number): Promise<unknown> {
  const custom = client as Redis & { tablebaseIncrementUntil?: (key: string, at: number) => Promise<unknown> };
  if (!custom.tablebaseIncrementUntil)
    client.defineCommand('tablebaseIncrementUntil', { numberOfKeys: 1, lua: INCREMENT_UNTIL });
  return custom.tablebaseIncrementUntil!(key, expireAtMs);
}

/**
 * Counts API calls per key and calendar month. Not a rate-limiter-flexible limiter: its in-memory store
 * expires keys with one `setTimeout` each, and Node cannot wait longer than ~24.8 days, so a month-long
 * key would vanish at once.
 */
export interface MonthlyCounter {
  /** Adds one call to `key` (which names its month) and answers the month's total so far. */
  increment(key: string, month: string, expireAtMs: number): Promise<number>;
}

/** Per process; forgets the previous month's keys when a newer month starts. */
export function memoryMonthlyCounter(): MonthlyCounter {
  let current = '';
  const counts = new Map<string, number>();
  return {
    async increment(key, month) {
      if (month > current) {
        current = month;
        counts.clear();
      }
      const count = (counts.get(key) ?? 0) + 1;
      counts.set(key, count);
      return count;
    },
  };
}

/** In Redis (shared by every process); while Redis is away, per process in memory (like the QPS insurance). */
export function redisMonthlyCounter(redis: RedisConnection, insurance: MonthlyCounter): MonthlyCounter {
  return {
    async increment(key, month, expireAtMs) {
      if (!redis.ready) return insurance.increment(key, month, expireAtMs);
      try {
        // One command (a script: INCR and PEXPIREAT atomically), so it shares a write with the request's
        // rate counter (auto-pipelining) instead of a MULTI/EXEC of its own.
        const count = await incrementUntil(redis.client, key, expireAtMs);
        if (typeof count !== 'number') throw new Error('unexpected INCR reply');
        return count;
      } catch {
        return insurance.increment(key, month, expireAtMs);
      }
    },
  };
}

/** `YYYY-MM` of a UTC instant and the instant the next month begins. */
export function calendarMonth(at: number): { month: string; endsAt: number } {
  const date = new Date(at);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  return { month: `${year}-${String(month + 1).padStart(2, '0')}`, endsAt: Date.UTC(year, month + 1, 1) };
}
