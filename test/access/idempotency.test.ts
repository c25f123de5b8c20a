import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { gql } from '../support/graphql.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT: 'off' });
});
afterAll(async () => {
  await t?.close();
});

function createDatasheet(name: string, key?: string, token = t.token) {
  return fetch(`${t.url}/fusion/v1/spaces/${t.spaceId}/datasheets`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      ...(key ? { 'idempotency-key': key } : {}),
    },
    body: JSON.stringify({ name }),
  });
}

const datasheetsNamed = (name: string) => t.app.prisma.node.count({ where: { spaceId: t.spaceId, name } });

describe('REST Idempotency-Key', () => {
  it('runs concurrent requests with one key once, and answers them all with the same body', async () => {
    const responses = await Promise.all(Array.from({ length: 5 }, () => createDatasheet('Once', 'key-once')));
    const bodies = await Promise.all(responses.map((r) => r.text()));
    expect(new Set(bodies).size).toBe(1);
    expect(JSON.parse(bodies[0]!)).toMatchObject({ success: true, data: { id: expect.stringMatching(/^dst/) } });
    expect(responses.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(4);
    expect(await datasheetsNamed('Once')).toBe(1);
  });

  it('replays later with the identical body and writes nothing', async () => {
    const first = await (await createDatasheet('Later', 'key-later')).text();
    const again = await createDatasheet('Later', 'key-later');
    expect(await again.text()).toBe(first);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await datasheetsNamed('Later')).toBe(1);
  });

  it('refuses the same key with another payload, naming the header', async () => {
    await createDatasheet('Payload A', 'key-payload');
    const response = await createDatasheet('Payload B', 'key-payload');
    expect(await response.json()).toEqual({
      success: false,
      code: 400,
      message: 'This Idempotency-Key was already used with a different request',
    });
    expect(await datasheetsNamed('Payload B')).toBe(0);
  });

  it('keeps keys apart per token, and without a key every call writes', async () => {
    const other = (await t.app.services.tokens.create({ spaceId: t.spaceId })).secret;
    await createDatasheet('Per token', 'key-shared');
    await createDatasheet('Per token', 'key-shared', other);
    await createDatasheet('Per token');
    expect(await datasheetsNamed('Per token')).toBe(3);
  });

  it('replays business errors too, and stores nothing for requests that fail authentication', async () => {
    const bad = await createDatasheet('', 'key-error');
    const body = await bad.text();
    expect(JSON.parse(body)).toMatchObject({ success: false, code: 400 });
    expect(await (await createDatasheet('', 'key-error')).text()).toBe(body);
    const unauthorized = await createDatasheet('Nope', 'key-unauth', 'tbk_invalid');
    expect(unauthorized.status).toBe(401);
    expect(await t.app.prisma.idempotencyKey.count({ where: { key: 'key-unauth' } })).toBe(0);
  });

  it('rejects a malformed key', async () => {
    const response = await createDatasheet('Bad key', 'has space');
    expect(await response.json()).toMatchObject({
      success: false,
      code: 400,
      message: 'Idempotency-Key must be 1 to 255 visible ASCII characters',
    });
  });
});

describe('GraphQL idempotencyKey', () => {
  const mutation =
    'mutation($key: String) { createToken(input: { name: "idem", scopes: ["spaces:read"] }, idempotencyKey: $key) { secret token { id } } }';
  const run = async (key: string) => {
    const response = await gql(t.url, mutation, { token: t.token, variables: { key } });
    return response.body as { data: { createToken: { secret: string | null; token: { id: string } } } };
  };

  it('creates one token for concurrent calls with one key; the secret is never stored or replayed', async () => {
    const results = await Promise.all([run('gql-key'), run('gql-key'), run('gql-key')]);
    const ids = new Set(results.map((r) => r.data.createToken.token.id));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.data.createToken.secret?.startsWith('tbk_'))).toHaveLength(1);
    expect(results.filter((r) => r.data.createToken.secret === null)).toHaveLength(2);
    expect(await t.app.prisma.apiToken.count({ where: { name: 'idem' } })).toBe(1);
    const secret = results.find((r) => r.data.createToken.secret)!.data.createToken.secret!;
    const stored = await t.app.prisma.idempotencyKey.findFirstOrThrow({ where: { key: 'gql-key' } });
    expect(JSON.stringify(stored.responseBody)).not.toContain(secret.slice(12));
  });
});

describe('expiry', () => {
  it('forgets a key after it expired: the request runs again, and expired keys are purged', async () => {
    await createDatasheet('Expiring', 'key-expiring');
    await t.app.prisma.idempotencyKey.updateMany({
      where: { key: 'key-expiring' },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const again = await createDatasheet('Expiring', 'key-expiring');
    expect(again.headers.get('idempotent-replayed')).toBeNull();
    expect(await datasheetsNamed('Expiring')).toBe(2);
    await t.app.prisma.idempotencyKey.updateMany({
      where: { key: 'key-expiring' },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect(await t.app.services.idempotency.purgeExpired()).toBeGreaterThanOrEqual(1);
    expect(await t.app.prisma.idempotencyKey.count({ where: { key: 'key-expiring' } })).toBe(0);
  });
});
