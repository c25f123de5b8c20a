import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { fusion } from '../support/fusion.js';

/**
 * A failed database must not read as a bad token: the token lookup failing answers 503 (Fusion envelope,
 * GraphQL SERVICE_UNAVAILABLE), never 401, and /readyz says unavailable. Real HTTP, real database closed
 * under the running server (PGlite closed, or the PostgreSQL pool ended).
 */
describe('database failure over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close().catch(() => {});
  });

  it('answers 401 for a bad token and 200 for a good one while the database is up', async () => {
    expect((await fusion(t.url, 'GET', '/v1/spaces', { token: 'usk_bogus' })).status).toBe(401);
    expect((await fusion(t.url, 'GET', '/v1/spaces', { token: t.token })).status).toBe(200);
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
  });

  it('answers 503, not 401, when the token lookup cannot reach the database', async () => {
    // A token never used before: on PostgreSQL a token already verified is answered from memory (token-cache.ts).
    const token = (await t.app.services.tokens.create({ spaceId: t.spaceId })).secret;
    await t.app.database.close();

    const rest = await fusion(t.url, 'GET', '/v1/spaces', { token });
    expect(rest.status).toBe(503);
    expect(rest.body).toMatchObject({ success: false, code: 503 });
    expect(rest.body.message).toMatch(/database is unavailable/i);
    expect(JSON.stringify(rest.body)).not.toMatch(/select|from|"token"|stack/i);

    const gql = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(gql.status).toBe(503);
    const body = (await gql.json()) as { errors?: { message: string; extensions?: { code?: string } }[] };
    expect(body.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect(body.errors?.[0]?.message).toMatch(/database is unavailable/i);

    const ready = await fetch(`${t.url}/readyz`);
    expect(ready.status).toBe(503);
  });
});
