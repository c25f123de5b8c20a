import { describe, expect, it } from 'vitest';
import { PLANS, type Plan } from '../../src/domain/spaces/plans.js';
import { createRateLimiter, parseRateLimitSettings, type RateLimiter } from '../../src/ratelimit/limiter.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** In-memory limiters (no REDIS_URL): one process, exact millisecond windows. */
function limiter(env: Parameters<typeof parseRateLimitSettings>[0] = {}, now?: () => number): RateLimiter {
  return createRateLimiter(parseRateLimitSettings(env), { now });
}

async function burst(l: RateLimiter, bucket: string, plan: Plan, count: number) {
  const decisions = [];
  for (let i = 0; i < count; i++) decisions.push(await l.consume(bucket, plan));
  return decisions;
}

describe('rate limiter in memory', () => {
  it('allows FREE 2 requests per window, then refuses with remaining 0 and a Retry-After of at least 1 s', async () => {
    const l = limiter();
    const [first, second, third] = await burst(l, 'tok1:dst1', 'FREE', 3);
    expect(first).toMatchObject({ allowed: true, limit: 2, remaining: 1 });
    expect(second).toMatchObject({ allowed: true, limit: 2, remaining: 0 });
    expect(third).toMatchObject({ allowed: false, limit: 2, remaining: 0 });
    expect(third!.resetMs).toBeGreaterThan(0);
    expect(third!.resetMs).toBeLessThanOrEqual(1000);
    expect(third!.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(third!.retryAfterSeconds).toBe(Math.max(1, Math.ceil(third!.resetMs / 1000)));
    expect(l.shared).toBe(false);
    await l.close();
  });

  it.each([
    ['PLUS', 5],
    ['PRO', 10],
    ['ENTERPRISE', 20],
  ] as const)('allows %s exactly %i requests per window', async (plan, qps) => {
    const l = limiter();
    const decisions = await burst(l, `tok:${plan}`, plan, qps + 3);
    expect(decisions.filter((d) => d.allowed)).toHaveLength(qps);
    expect(decisions.slice(0, qps).every((d) => d.allowed)).toBe(true);
    expect(decisions.every((d) => d.limit === qps)).toBe(true);
  });

  it('counts concurrent requests exactly', async () => {
    const l = limiter();
    const decisions = await Promise.all(Array.from({ length: 50 }, () => l.consume('tok:dst', 'PRO')));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(10);
  });

  it('keeps buckets independent', async () => {
    const l = limiter();
    await burst(l, 'tokA:dst1', 'FREE', 3);
    expect((await l.consume('tokA:dst2', 'FREE')).allowed).toBe(true);
    expect((await l.consume('tokB:dst1', 'FREE')).allowed).toBe(true);
    expect((await l.consume('tokA:dst1', 'FREE')).allowed).toBe(false);
  });

  it('takes several points at once when asked', async () => {
    const l = limiter();
    expect(await l.consume('tok', 'FREE', 2)).toMatchObject({ allowed: true, remaining: 0 });
    expect((await l.consume('tok', 'FREE')).allowed).toBe(false);
  });

  it('opens a new window after windowMs (fixed window)', async () => {
    const l = limiter({ RATE_LIMIT_WINDOW_MS: '200' });
    const [first, , refused] = await burst(l, 'tok', 'FREE', 3);
    expect(first!.resetMs).toBeLessThanOrEqual(200);
    expect(refused).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    expect(refused!.resetMs).toBeLessThanOrEqual(200);
    await sleep(refused!.resetMs + 30);
    const again = await burst(l, 'tok', 'FREE', 3);
    expect(again.map((d) => d.allowed)).toEqual([true, true, false]);
  });

  it('uses the configured QPS per plan', async () => {
    const l = limiter({ RATE_LIMIT_QPS: 'FREE=4' });
    expect((await burst(l, 'tok', 'FREE', 6)).filter((d) => d.allowed)).toHaveLength(4);
    expect((await burst(l, 'tok', 'PLUS', 7)).filter((d) => d.allowed)).toHaveLength(5);
  });

  it('spends the GraphQL budget (qps × cost per request) by query cost, apart from REST', async () => {
    const l = limiter();
    // FREE: 2 × 50 = 100 cost points per window and token.
    expect(await l.consumeGraphql('tok', 'FREE', 60)).toMatchObject({ allowed: true, limit: 100, remaining: 40 });
    const refused = await l.consumeGraphql('tok', 'FREE', 60);
    expect(refused).toMatchObject({ allowed: false, limit: 100, remaining: 40 });
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    // A refused operation does not run, so its cost is given back.
    expect(await l.consumeGraphql('tok', 'FREE', 40)).toMatchObject({ allowed: true, remaining: 0 });
    expect((await l.consumeGraphql('tok', 'FREE', 0)).allowed).toBe(false);
    expect((await l.consumeGraphql('other', 'FREE', 150)).allowed).toBe(false);
    expect(await l.consumeGraphql('other', 'ENTERPRISE', 150)).toMatchObject({
      allowed: true,
      limit: 1000,
      remaining: 850,
    });
    // The REST buckets are separate.
    expect((await l.consume('tok', 'FREE')).allowed).toBe(true);
  });

  it('allows everything with RATE_LIMIT=off, reporting limit 0, but still applies quotas', async () => {
    const l = limiter({ RATE_LIMIT: 'off', API_MONTHLY_QUOTA: 'FREE=1' });
    const decisions = await burst(l, 'tok', 'FREE', 50);
    expect(decisions.every((d) => d.allowed && d.limit === 0 && d.retryAfterSeconds === 0)).toBe(true);
    expect(await l.consumeGraphql('tok', 'FREE', 10_000)).toEqual({
      allowed: true,
      limit: 0,
      remaining: 0,
      resetMs: 0,
      retryAfterSeconds: 0,
    });
    expect((await l.consumeQuota('spc1', 'FREE')).allowed).toBe(true);
    expect(await l.consumeQuota('spc1', 'FREE')).toEqual({ allowed: false, limit: 1, remaining: 0 });
  });

  it('counts monthly API calls per space and calendar month (UTC)', async () => {
    let clock = Date.UTC(2025, 0, 31, 23, 59, 59);
    const l = limiter({ API_MONTHLY_QUOTA: 'FREE=3,PLUS=5' }, () => clock);
    const first = [];
    for (let i = 0; i < 4; i++) first.push(await l.consumeQuota('spc1', 'FREE'));
    expect(first).toEqual([
      { allowed: true, limit: 3, remaining: 2 },
      { allowed: true, limit: 3, remaining: 1 },
      { allowed: true, limit: 3, remaining: 0 },
      { allowed: false, limit: 3, remaining: 0 },
    ]);
    expect((await l.consumeQuota('spc2', 'FREE')).allowed).toBe(true);
    // An upgrade mid-month keeps the month's count: 4 calls so far, PLUS allows 5.
    expect(await l.consumeQuota('spc1', 'PLUS')).toEqual({ allowed: true, limit: 5, remaining: 0 });
    expect(await l.consumeQuota('spc1', 'PLUS')).toEqual({ allowed: false, limit: 5, remaining: 0 });
    clock = Date.UTC(2025, 1, 1, 0, 0, 1);
    expect(await l.consumeQuota('spc1', 'FREE')).toEqual({ allowed: true, limit: 3, remaining: 2 });
  });

  it('does not count unlimited plans', async () => {
    const l = limiter({ API_MONTHLY_QUOTA: 'FREE=2' });
    for (let i = 0; i < 5; i++) {
      expect(await l.consumeQuota('spc1', 'PRO')).toEqual({ allowed: true, limit: null, remaining: null });
    }
    expect(await l.consumeQuota('spc1', 'FREE')).toEqual({ allowed: true, limit: 2, remaining: 1 });
    for (const plan of PLANS) expect((await limiter().consumeQuota('spc', plan)).limit).toBeNull();
  });
});
