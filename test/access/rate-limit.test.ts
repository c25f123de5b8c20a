import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

/** QPS tiers and the monthly quota through the real HTTP stack (in-memory counters). */
let t: TestApp;
/** The same limits over a 10 s window: a burst always lands in one window, however slow the machine is. */
let wide: TestApp;
beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_QPS: 'FREE=2,PLUS=3,PRO=4,ENTERPRISE=6', API_MONTHLY_QUOTA: 'PLUS=5' });
  wide = await startTestApp({ RATE_LIMIT_QPS: 'FREE=2,PLUS=3,PRO=4,ENTERPRISE=6', RATE_LIMIT_WINDOW_MS: '10000' });
});
afterAll(async () => {
  await t?.close();
  await wide?.close();
});

async function tokenFor(plan: 'FREE' | 'PLUS' | 'PRO' | 'ENTERPRISE', app: TestApp = t) {
  const space = await app.app.services.spaces.create({ name: `${plan} space`, plan });
  return (await app.app.services.tokens.create({ spaceId: space.id })).secret;
}

const me = (token: string, app: TestApp = t) =>
  fetch(`${app.url}/fusion/v1/me`, { headers: { authorization: `Bearer ${token}` } });

describe('QPS tiers', () => {
  it.each([
    ['FREE', 2],
    ['PRO', 4],
    ['ENTERPRISE', 6],
  ] as const)(
    '%s allows %i requests per second per token, then answers 429 with the reference envelope',
    async (plan, qps) => {
      const token = await tokenFor(plan, wide);
      const responses = await Promise.all(Array.from({ length: qps + 3 }, () => me(token, wide)));
      const ok = responses.filter((r) => r.status === 200);
      const limited = responses.filter((r) => r.status === 429);
      expect([ok.length, limited.length]).toEqual([qps, 3]);
      expect(await limited[0]!.json()).toEqual({
        success: false,
        code: 429,
        message: `The API request rate for the current space is ${qps} queries per second (QPS). Upgrading the space allows for a higher call frequency. Contact us: sales@aitable.ai.`,
      });
      expect(Number(limited[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(limited[0]!.headers.get('x-ratelimit-limit')).toBe(String(qps));
      expect(limited[0]!.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(Number(ok[0]!.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000 - 1);
    },
  );

  it('gives every token its own bucket and refills it after the window', async () => {
    const [a, b] = [await tokenFor('FREE'), await tokenFor('FREE')];
    const burst = async (token: string) =>
      (await Promise.all([me(token), me(token), me(token)])).map((r) => r.status).sort();
    expect(await burst(a)).toEqual([200, 200, 429]);
    expect(await burst(b)).toEqual([200, 200, 429]);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await me(a)).status).toBe(200);
  });

  it('meters GraphQL operations by cost against their own budget', async () => {
    const token = await tokenFor('FREE');
    // FREE: 2 requests × 50 = 100 cost points per second; this operation selects 7 fields, so 14 fit.
    const query = '{ me { user { id name } space { id plan } } }';
    const codes = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const response = await fetch(`${t.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query }),
        });
        const body = (await response.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
        return body.errors?.[0]?.extensions?.code ?? (body.data ? 'OK' : 'NO DATA');
      }),
    );
    expect(codes.filter((c) => c === 'OK')).toHaveLength(14);
    expect(
      codes.filter((c) => c !== 'OK'),
      JSON.stringify(codes),
    ).toEqual(Array(6).fill('RATE_LIMITED'));
    // The REST budget of the same token is untouched.
    expect((await me(token)).status).toBe(200);
  });
});

describe('monthly quota', () => {
  it('refuses with the reference 403 once the space used its monthly API calls', async () => {
    const token = await tokenFor('PLUS');
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      statuses.push((await me(token)).status);
      await new Promise((r) => setTimeout(r, 400)); // stay under PLUS's 3 QPS
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 403, 403]);
    const body = await (await me(token)).json();
    expect(body).toEqual({
      success: false,
      code: 403,
      message: 'Access forbidden because your API usage exceeds the monthly rate',
    });
  });
});
