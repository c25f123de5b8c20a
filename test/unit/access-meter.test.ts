import { describe, expect, it } from 'vitest';
import { createAccessService, type Limiter, type RateDecision } from '../../src/domain/access/access.service.js';
import type { Actor } from '../../src/domain/context.js';

const actor: Actor = {
  userId: 'usr1',
  tokenId: 'tkn1',
  spaceId: 'spc1',
  spaceName: 'Space',
  scopes: ['spaces:read'],
  datasheetIds: [],
  role: 'owner',
  plan: 'FREE',
};
const allowed: RateDecision = { allowed: true, limit: 2, remaining: 1, resetMs: 1000, retryAfterSeconds: 1 };

/** A limiter that records the order of calls and answers each only when released. */
function recordingLimiter(quotaAllowed: boolean) {
  const calls: string[] = [];
  const pending: (() => void)[] = [];
  const later = <T>(name: string, value: T) => {
    calls.push(name);
    return new Promise<T>((resolve) => pending.push(() => resolve(value)));
  };
  const limiter: Limiter = {
    consume: (bucket) => later(`rate ${bucket}`, allowed),
    consumeToken: (tokenId) => later(`token ${tokenId}`, allowed),
    consumeAddress: (address) => later(`address ${address}`, allowed),
    consumeGraphql: (tokenId, _plan, cost) => later(`graphql ${tokenId} ${cost}`, allowed),
    consumeQuota: (spaceId) =>
      later(`quota ${spaceId}`, { allowed: quotaAllowed, limit: 10, remaining: quotaAllowed ? 5 : 0 }),
  };
  const releaseAll = async () => {
    while (pending.length) {
      pending.splice(0).forEach((release) => release());
      await new Promise((r) => setTimeout(r, 0));
    }
  };
  return { limiter, calls, releaseAll };
}

describe('metering', () => {
  it('asks the quota, the rate bucket and the token’s overall bucket of a REST request at once (one trip to a shared store)', async () => {
    const { limiter, calls, releaseAll } = recordingLimiter(true);
    const admitted = createAccessService({ query: async () => [] }, limiter, { rateLimits: true }).admit(
      actor,
      'spaces:read',
      { spaceId: 'spc1' },
    );
    await new Promise((r) => setTimeout(r, 0));
    expect(calls).toEqual(['quota spc1', 'rate tkn1:spc1', 'token tkn1']);
    await releaseAll();
    expect((await admitted).rate).toEqual(allowed);
  });

  it('refuses a REST request over its quota, its rate still counted (every request counts)', async () => {
    const { limiter, calls, releaseAll } = recordingLimiter(false);
    const admitted = createAccessService({ query: async () => [] }, limiter, { rateLimits: true }).admit(
      actor,
      'spaces:read',
      { spaceId: 'spc1' },
    );
    const outcome = expect(admitted).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED' });
    await releaseAll();
    await outcome;
    expect(calls).toEqual(['quota spc1', 'rate tkn1:spc1', 'token tkn1']);
  });

  it('spends no GraphQL budget on an operation the quota refuses', async () => {
    const { limiter, calls, releaseAll } = recordingLimiter(false);
    const metered = createAccessService({ query: async () => [] }, limiter, { rateLimits: true }).meter(actor, {}, 7);
    const outcome = expect(metered).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED' });
    await releaseAll();
    await outcome;
    expect(calls).toEqual(['quota spc1']);
  });
});
