import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { fusion } from '../support/fusion.js';

/** The token's overall bucket (over all its datasheets) and the per-address bucket of requests without a valid token. */

let t: TestApp;
beforeAll(async () => {
  // A window far longer than the test: every count below lands in one window.
  t = await startTestApp({
    RATE_LIMIT_QPS: 'FREE=2,PLUS=2,PRO=2,ENTERPRISE=2',
    RATE_LIMIT_TOKEN_MULTIPLE: '3',
    RATE_LIMIT_ADDRESS_QPS: '4',
    RATE_LIMIT_WINDOW_MS: '600000',
  });
});
afterAll(async () => {
  await t?.close();
});

describe('rate buckets', () => {
  it('caps a token over all its datasheets at plan rate × RATE_LIMIT_TOKEN_MULTIPLE', async () => {
    const token = (await t.app.services.tokens.create({ spaceId: t.spaceId })).secret;
    const datasheets = await Promise.all(
      [1, 2, 3, 4, 5, 6].map(
        async (i) =>
          (
            await t.app.services.datasheets.create(
              { spaceId: t.spaceId, userId: t.app.bootstrapped!.userId },
              { name: `Bucket ${i}` },
            )
          ).id,
      ),
    );
    const statuses: number[] = [];
    for (const id of datasheets.slice(0, 5)) {
      for (let i = 0; i < 2; i++)
        statuses.push((await fusion(t.url, 'GET', `/v1/datasheets/${id}/records`, { token })).status);
    }
    // 5 datasheets × 2 each would all pass per datasheet; the token's 2 × 3 = 6 stop the rest.
    expect(statuses.filter((s) => s === 200)).toHaveLength(6);
    // A datasheet it never read: its own bucket is full, the token's is not.
    const refused = await fusion(t.url, 'GET', `/v1/datasheets/${datasheets[5]}/records`, { token });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(refused.body.message).toContain('over all its datasheets');
    // Another token has its own overall bucket.
    const other = (await t.app.services.tokens.create({ spaceId: t.spaceId })).secret;
    expect((await fusion(t.url, 'GET', `/v1/datasheets/${datasheets[0]}/records`, { token: other })).status).toBe(200);
  });

  it('meters failed authentications per client address: past the limit 429 with Retry-After, not 401', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await fusion(t.url, 'GET', '/v1/spaces', { token: `tbk_guess${i}` })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
    const limited = await fusion(t.url, 'GET', '/v1/spaces', { authorization: 'Basic nope' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    // A valid token is not held back by the address's failures.
    expect((await fusion(t.url, 'GET', '/v1/spaces', { token: t.token })).status).toBe(200);
    // Requests without a token share the address's bucket: attachment downloads and upload URLs answer 429 too.
    const download = await fetch(`${t.url}/attachments/unknown-token`);
    expect(download.status).toBe(429);
    expect(download.headers.get('retry-after')).toMatch(/^\d+$/);
    const upload = await fetch(`${t.url}/fusion/v1/uploads/unknown-upload`, { method: 'PUT', body: 'bytes' });
    expect(upload.status).toBe(429);
    const embed = await fetch(`${t.url}/fusion/v1/embed/embUnknown`);
    expect(embed.status).toBe(429);
  });
});
