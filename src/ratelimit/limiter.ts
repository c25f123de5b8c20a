import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { PLANS, type Plan } from '../domain/spaces/plans.js';
import { describeError, type Logger } from '../logger.js';
import { calendarMonth, memoryMonthlyCounter, redisMonthlyCounter } from './quota.js';
import { connectRedis } from './redis-connection.js';

export {
  DEFAULT_RATE_LIMIT_SETTINGS,
  parseRateLimitSettings,
  type RateLimitEnv,
  type RateLimitSettings,
} from './settings.js';
import type { RateLimitSettings } from './settings.js';

/*
 * One limiter for every transport (reference §4). Fixed windows: a bucket's window opens with its first
 * request and lasts windowMs, so a client can get up to 2 × qps across the edge of two windows, as with
 * the reference. Every REST request counts, refused or not (as the reference); a refused GraphQL operation
 * gets its cost back. With Redis, each limiter has an in-memory insurance limiter: while Redis is away the
 * limits hold per process, and the Redis client reconnects by itself.
 */

export interface RateDecision {
  allowed: boolean;
  /** Points per window (QPS, or the GraphQL budget). 0 when limits are off: send no rate headers then. */
  limit: number;
  /** Points left in the current window after this call. */
  remaining: number;
  /** Milliseconds until the current window ends. */
  resetMs: number;
  /** `ceil(resetMs / 1000)`; at least 1 when refused. */
  retryAfterSeconds: number;
}

export interface QuotaDecision {
  allowed: boolean;
  /** API calls per calendar month (UTC); null = unlimited. */
  limit: number | null;
  /** Calls left this month after this one; null = unlimited. */
  remaining: number | null;
}

export interface RateLimiter {
  /** One request against a bucket (e.g. `${tokenId}:${datasheetId}`), with the plan's QPS. Never throws on store errors. */
  consume(bucket: string, plan: Plan, points?: number): Promise<RateDecision>;
  /** One request against a token's overall bucket (all its datasheets and spaces): qps * tokenMultiple per window. */
  consumeToken(tokenId: string, plan: Plan): Promise<RateDecision>;
  /** One request from a client address (no token, or a failed authentication): addressQps per window. */
  consumeAddress(address: string): Promise<RateDecision>;
  /**
   * GraphQL: `cost` points against the token's GraphQL budget (qps * graphqlCostPerRequest per window).
   * A refused operation does not execute, so its cost is given back. A cost above `limit` is never allowed.
   */
  consumeGraphql(tokenId: string, plan: Plan, cost: number): Promise<RateDecision>;
  /** Monthly API calls of a space (calendar month, UTC); counted in the limiter store, never in the database. */
  consumeQuota(spaceId: string, plan: Plan): Promise<QuotaDecision>;
  /** True while the shared store (Redis) is in use, false while falling back to in-memory insurance. */
  readonly shared: boolean;
  close(): Promise<void>;
}

export interface RateLimiterOptions {
  /** Without it every limit is per process (in memory). */
  redisUrl?: string | undefined;
  logger?: Logger | undefined;
  /** Prefix of every store key; default `tablebase:limiter`. */
  keyPrefix?: string | undefined;
  /** Clock for the quota's calendar month (tests). */
  now?: (() => number) | undefined;
}

/** What `consume`/`consumeGraphql` answer while limits are off. */
const UNLIMITED: RateDecision = Object.freeze({
  allowed: true,
  limit: 0,
  remaining: 0,
  resetMs: 0,
  retryAfterSeconds: 0,
});
const QUOTA_UNLIMITED: QuotaDecision = Object.freeze({ allowed: true, limit: null, remaining: null });

export function createRateLimiter(settings: RateLimitSettings, options: RateLimiterOptions = {}): RateLimiter {
  const prefix = options.keyPrefix ?? 'tablebase:limiter';
  const now = options.now ?? Date.now;
  const logger = options.logger;
  const redis = options.redisUrl ? connectRedis(options.redisUrl, logger) : undefined;
  // RateLimiterRedis keeps TTLs in whole seconds; the in-memory store keeps milliseconds.
  const windowMs = redis ? Math.ceil(settings.windowMs / 1000) * 1000 : settings.windowMs;

  const make = (keyPrefix: string, points: number, duration: number): RateLimiterAbstract =>
    redis
      ? new RateLimiterRedis({
          storeClient: redis.client,
          keyPrefix,
          points,
          duration,
          // Not connected: straight to the insurance limiter, no waiting.
          rejectIfRedisNotReady: true,
          insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration }),
        })
      : new RateLimiterMemory({ keyPrefix, points, duration });
  const perPlan = (build: (plan: Plan) => RateLimiterAbstract) =>
    Object.fromEntries(PLANS.map((plan) => [plan, build(plan)])) as Record<Plan, RateLimiterAbstract>;

  const qps = perPlan((plan) => make(`${prefix}:qps:${plan}`, settings.qps[plan], windowMs / 1000));
  const graphql = perPlan((plan) =>
    make(`${prefix}:gql:${plan}`, settings.qps[plan] * settings.graphqlCostPerRequest, windowMs / 1000),
  );
  const overall = perPlan((plan) =>
    make(`${prefix}:token:${plan}`, settings.qps[plan] * settings.tokenMultiple, windowMs / 1000),
  );
  const address = make(`${prefix}:addr`, settings.addressQps, windowMs / 1000);
  // One count per space and month whatever the plan, so a plan change mid-month keeps the count.
  const quota = redis ? redisMonthlyCounter(redis, memoryMonthlyCounter()) : memoryMonthlyCounter();

  let lastFailureLog = 0;
  /** The store and its insurance both failed (should not happen): the request goes through uncounted. */
  function reportFailure(error: unknown): void {
    if (now() - lastFailureLog < 60_000) return;
    lastFailureLog = now();
    logger?.warn({ err: describeError(error) }, 'rate limiter: store failed, request allowed without counting');
  }
  function failOpen(error: unknown, limit: number): RateDecision {
    reportFailure(error);
    return { allowed: true, limit, remaining: limit, resetMs: 0, retryAfterSeconds: 0 };
  }

  async function take(limiter: RateLimiterAbstract, key: string, points: number, limit: number, refund: boolean) {
    let res: RateLimiterRes;
    let allowed = true;
    try {
      res = await limiter.consume(key, points);
    } catch (outcome) {
      if (!(outcome instanceof RateLimiterRes)) return failOpen(outcome, limit);
      res = outcome;
      allowed = false;
    }
    let remaining = res.remainingPoints;
    if (!allowed && refund) {
      await limiter.reward(key, points).catch(() => undefined);
      remaining = Math.max(limit - (res.consumedPoints - points), 0);
    }
    return decision(allowed, limit, remaining, res.msBeforeNext < 0 ? windowMs : res.msBeforeNext);
  }

  return {
    async consume(bucket, plan, points = 1) {
      if (!settings.enabled) return { ...UNLIMITED };
      return take(qps[plan], bucket, wholePoints(points), settings.qps[plan], false);
    },

    async consumeToken(tokenId, plan) {
      if (!settings.enabled) return { ...UNLIMITED };
      return take(overall[plan], tokenId, 1, settings.qps[plan] * settings.tokenMultiple, false);
    },

    async consumeAddress(client) {
      if (!settings.enabled) return { ...UNLIMITED };
      return take(address, client, 1, settings.addressQps, false);
    },

    async consumeGraphql(tokenId, plan, cost) {
      if (!settings.enabled) return { ...UNLIMITED };
      return take(graphql[plan], tokenId, wholePoints(cost), settings.qps[plan] * settings.graphqlCostPerRequest, true);
    },

    async consumeQuota(spaceId, plan) {
      const limit = settings.monthlyQuota[plan];
      if (limit === null) return { ...QUOTA_UNLIMITED };
      const { month, endsAt } = calendarMonth(now());
      let used: number;
      try {
        used = await quota.increment(`${prefix}:quota:${spaceId}:${month}`, month, endsAt);
      } catch (error) {
        reportFailure(error);
        return { allowed: true, limit, remaining: limit };
      }
      return { allowed: used <= limit, limit, remaining: Math.max(limit - used, 0) };
    },

    get shared() {
      return redis?.ready ?? false;
    },

    async close() {
      await redis?.close();
    },
  };
}

function decision(allowed: boolean, limit: number, remaining: number, resetMs: number): RateDecision {
  const reset = Math.max(0, Math.round(resetMs));
  const retry = Math.ceil(reset / 1000);
  return { allowed, limit, remaining, resetMs: reset, retryAfterSeconds: allowed ? retry : Math.max(1, retry) };
}

/** The stores count whole points; anything else (0, fractions, NaN) is rounded up to at least 1. */
function wholePoints(points: number): number {
  return Number.isFinite(points) && points > 1 ? Math.ceil(points) : 1;
}
