import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { calendarMonth } from '../../src/ratelimit/quota.js';
import { createRateLimiter, parseRateLimitSettings, type RateLimiter } from '../../src/ratelimit/limiter.js';
import {
  capturingLogger,
  freePort,
  privateRedis,
  waitUntil,
  within,
  type PrivateRedis,
} from '../support/private-redis.js';

/**
 * Two limiter instances stand for two server processes. Each suite runs against a redis-server of its own
 * (spawned here, killed in afterAll), so stopping it disturbs nothing else on the machine.
 */
let server: PrivateRedis;
let inspector: Redis;
const open: RateLimiter[] = [];

beforeAll(async () => {
  server = await privateRedis();
  await server.start();
  inspector = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  inspector.on('error', () => undefined); // it reconnects by itself after the outage test
  await inspector.connect();
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});

afterAll(async () => {
  inspector?.disconnect();
  await server?.stop();
});

async function pair(
  env: Parameters<typeof parseRateLimitSettings>[0] = {},
  logger?: ReturnType<typeof capturingLogger>['logger'],
  redisUrl = server.url,
) {
  const settings = parseRateLimitSettings(env);
  const keyPrefix = `tablebase-test:${randomUUID()}`;
  const a = createRateLimiter(settings, { redisUrl, keyPrefix, logger });
  const b = createRateLimiter(settings, { redisUrl, keyPrefix });
  open.push(a, b);
  await waitUntil(() => a.shared && b.shared, 5000, 'both limiters to connect');
  return { a, b, keyPrefix };
}

const allowedCount = (decisions: Array<{ allowed: boolean }>) => decisions.filter((d) => d.allowed).length;

describe('rate limiter over Redis (two processes)', () => {
  it('shares one budget: together the instances get exactly qps per window', async () => {
    const { a, b, keyPrefix } = await pair();
    const decisions = await Promise.all(
      Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? a : b).consume('tok:dst1', 'PRO')),
    );
    expect(allowedCount(decisions)).toBe(10);
    const refused = decisions.find((d) => !d.allowed)!;
    expect(refused).toMatchObject({ limit: 10, remaining: 0 });
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    // The count lives in Redis, not in either process.
    expect(await inspector.get(`${keyPrefix}:qps:PRO:tok:dst1`)).toBe('30');

    // FREE, strictly alternating: a, b, a, b → exactly 2 allowed.
    const free = [
      await a.consume('tok:dst2', 'FREE'),
      await b.consume('tok:dst2', 'FREE'),
      await a.consume('tok:dst2', 'FREE'),
      await b.consume('tok:dst2', 'FREE'),
    ];
    expect(free.map((d) => d.allowed)).toEqual([true, true, false, false]);

    // And the window ends for both.
    await new Promise((resolve) => setTimeout(resolve, free[3]!.resetMs + 50));
    expect((await b.consume('tok:dst2', 'FREE')).allowed).toBe(true);
  });

  it('shares the GraphQL budget and the monthly quota', async () => {
    const { a, b, keyPrefix } = await pair({ API_MONTHLY_QUOTA: 'FREE=3' });
    expect(await a.consumeGraphql('tok', 'FREE', 70)).toMatchObject({ allowed: true, remaining: 30 });
    expect(await b.consumeGraphql('tok', 'FREE', 40)).toMatchObject({ allowed: false, remaining: 30 });
    expect(await b.consumeGraphql('tok', 'FREE', 30)).toMatchObject({ allowed: true, remaining: 0 });

    const quota = [
      await a.consumeQuota('spc1', 'FREE'),
      await b.consumeQuota('spc1', 'FREE'),
      await a.consumeQuota('spc1', 'FREE'),
      await b.consumeQuota('spc1', 'FREE'),
    ];
    expect(quota.map((q) => q.allowed)).toEqual([true, true, true, false]);
    const { month, endsAt } = calendarMonth(Date.now());
    const key = `${keyPrefix}:quota:spc1:${month}`;
    expect(await inspector.get(key)).toBe('4');
    const ttl = await inspector.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(endsAt - Date.now() + 1000);
  });

  it('rounds windows shorter than a second up to one second (Redis keeps TTLs in seconds)', async () => {
    const { a } = await pair({ RATE_LIMIT_WINDOW_MS: '200' });
    const first = await a.consume('tok', 'FREE');
    expect(first.resetMs).toBeGreaterThan(200);
    expect(first.resetMs).toBeLessThanOrEqual(1000);
  });

  it('keeps serving with per-process limits while Redis is down, and shares again once it is back', async () => {
    const log = capturingLogger();
    const { a, b, keyPrefix } = await pair({}, log.logger);
    expect((await a.consume('tok:before', 'FREE')).allowed).toBe(true);

    await server.stop();
    // Right after the crash: no throw, no hang.
    const during = await within(a.consume('tok:crash', 'FREE'), 1500);
    expect(during.allowed).toBe(true);
    await waitUntil(() => !a.shared && !b.shared, 3000, 'both limiters to notice the outage');

    // Limits still apply, per instance (each has its own insurance budget).
    const fromA = await within(Promise.all([1, 2, 3].map(() => a.consume('tok:outage', 'FREE'))), 1500);
    const fromB = await within(Promise.all([1, 2, 3].map(() => b.consume('tok:outage', 'FREE'))), 1500);
    expect(fromA.map((d) => d.allowed)).toEqual([true, true, false]);
    expect(fromB.map((d) => d.allowed)).toEqual([true, true, false]);
    expect(fromA[2]!.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect((await within(a.consumeGraphql('tok', 'FREE', 60), 1500)).allowed).toBe(true);

    // One warning per outage, however many connection errors.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const warnings = log.lines().filter((line) => line.level === 40);
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0]!.msg)).toMatch(/per-process limits/);

    await server.start();
    await waitUntil(() => a.shared && b.shared, 5000, 'both limiters to reconnect');
    const after = [
      await a.consume('tok:after', 'FREE'),
      await b.consume('tok:after', 'FREE'),
      await a.consume('tok:after', 'FREE'),
    ];
    expect(after.map((d) => d.allowed)).toEqual([true, true, false]);
    expect(await inspector.get(`${keyPrefix}:qps:FREE:tok:after`)).toBe('3');
    expect(log.lines().some((line) => line.level === 30 && /back/.test(String(line.msg)))).toBe(true);
  });

  it('starts without Redis, applies per-process limits and never logs the password', async () => {
    const port = await freePort();
    const log = capturingLogger();
    const l = createRateLimiter(parseRateLimitSettings({ API_MONTHLY_QUOTA: 'FREE=1' }), {
      redisUrl: `redis://admin:s3cret-pw@127.0.0.1:${port}`,
      logger: log.logger,
    });
    open.push(l);
    const decisions = await within(Promise.all([1, 2, 3].map(() => l.consume('tok', 'FREE'))), 1500);
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, false]);
    expect((await l.consumeQuota('spc', 'FREE')).allowed).toBe(true);
    expect((await l.consumeQuota('spc', 'FREE')).allowed).toBe(false);
    await waitUntil(() => log.lines().length > 0, 3000, 'a warning');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(l.shared).toBe(false);
    expect(log.lines().filter((line) => line.level === 40)).toHaveLength(1);
    expect(log.raw()).not.toContain('s3cret-pw');
    expect(log.raw()).toContain(`127.0.0.1:${port}`);
    await within(l.close(), 2000);
  });

  it('close() quits the Redis connection', async () => {
    const clients = async () =>
      String(await inspector.client('LIST'))
        .trim()
        .split('\n').length;
    const { a, b } = await pair();
    expect(await clients()).toBe(3);
    await within(Promise.all([a.close(), b.close()]), 2000);
    expect(a.shared).toBe(false);
    const deadline = Date.now() + 2000;
    while ((await clients()) > 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await clients()).toBe(1);
    // A closed limiter still answers (in memory) rather than throwing.
    expect((await within(a.consume('tok', 'FREE'), 1000)).allowed).toBe(true);
  });

  // The machine's Redis too when REDIS_URL is set (unique key prefix); the private server always.
  const targets: Array<[string, () => string]> = [['the private redis-server', () => server.url]];
  if (process.env.REDIS_URL) targets.push(['REDIS_URL', () => process.env.REDIS_URL!]);
  it.each(targets)('two instances over %s share exactly qps per window', async (_, url) => {
    const { a, b } = await pair({}, undefined, url());
    const decisions = await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).consume('tok:dst', 'PLUS')),
    );
    expect(allowedCount(decisions)).toBe(5);
  });
});
