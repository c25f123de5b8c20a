import type { RedisConnection } from './redis-connection.js';

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
        const replies = await redis.client.multi().incr(key).pexpireat(key, expireAtMs).exec();
        const [error, count] = replies?.[0] ?? [new Error('transaction discarded'), null];
        if (error || typeof count !== 'number') throw error ?? new Error('unexpected INCR reply');
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
