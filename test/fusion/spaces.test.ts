import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { fusion } from '../support/fusion.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('GET /fusion/v1/spaces', () => {
  it('answers the Fusion envelope with the spaces the token can act in', async () => {
    const res = await fusion(t.url, 'GET', '/v1/spaces', { token: t.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      code: 200,
      success: true,
      data: { spaces: [{ id: t.spaceId, name: 'My Space', isAdmin: true }] },
      message: 'SUCCESS',
    });
    expect(Object.keys(res.body)).toEqual(['code', 'success', 'data', 'message']);
    expect(res.headers.get('cache-control')).toBe('no-cache,no-store,must-revalidate');
  });

  it('does not list spaces of other tokens, and omits isAdmin for non-admins', async () => {
    const other = await t.app.services.spaces.create({ name: 'Other' });
    const { secret } = await t.app.services.tokens.create({ spaceId: other.id });
    const mine = await fusion<{ spaces: { id: string }[] }>(t.url, 'GET', '/v1/spaces', { token: t.token });
    expect(mine.body.data?.spaces.map((s) => s.id)).toEqual([t.spaceId]);
    const theirs = await fusion<{ spaces: { id: string }[] }>(t.url, 'GET', '/v1/spaces', { token: secret });
    expect(theirs.body.data?.spaces).toEqual([{ id: other.id, name: 'Other', isAdmin: true }]);
  });

  it.each([
    ['no header', undefined],
    ['a lower-case scheme', 'bearer '],
    ['a Basic scheme', 'Basic abc'],
    ['an unknown token', 'Bearer tbk_unknown'],
    ['a token without the prefix', 'Bearer 123456'],
  ])('refuses %s with 401 Unauthorized', async (_label, header) => {
    const token = header === 'bearer ' ? `bearer ${t.token}` : header;
    const res = await fusion(t.url, 'GET', '/v1/spaces', token ? { authorization: token } : {});
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ success: false, code: 401, message: 'Unauthorized' });
  });

  it('refuses a revoked token at once', async () => {
    const { secret, token } = await t.app.services.tokens.create({ spaceId: t.spaceId, name: 'short-lived' });
    expect((await fusion(t.url, 'GET', '/v1/spaces', { token: secret })).status).toBe(200);
    await t.app.services.tokens.revoke(token.id);
    expect((await fusion(t.url, 'GET', '/v1/spaces', { token: secret })).status).toBe(401);
  });
});

describe('Fusion transport', () => {
  it('answers unknown routes with the reference 404 envelope', async () => {
    const res = await fusion(t.url, 'GET', '/v1/nowhere', { token: t.token });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ success: false, code: 404, message: 'The API does not exist' });
  });

  it('puts a distinct request-id header on every response', async () => {
    const a = await fusion(t.url, 'GET', '/v1/spaces', { token: t.token });
    const b = await fusion(t.url, 'GET', '/v1/spaces');
    const c = await fetch(`${t.url}/healthz`);
    const ids = [a.headers.get('request-id'), b.headers.get('request-id'), c.headers.get('request-id')];
    expect(ids.every((id) => typeof id === 'string' && id.length >= 16)).toBe(true);
    expect(new Set(ids).size).toBe(3);
  });

  it('reports health and readiness', async () => {
    const health = await fetch(`${t.url}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }]);
    const ready = await fetch(`${t.url}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready' }]);
  });
});

describe('API documents', () => {
  it('serves the generated OpenAPI document and a console that keeps no token', async () => {
    const spec = (await (await fetch(`${t.url}/fusion/v1/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toContain('/v1/datasheets/{datasheetId}/records');
    const page = await (await fetch(`${t.url}/fusion/docs`)).text();
    expect(page).toContain('persistAuthorization: false');
    const bundle = await fetch(`${t.url}/fusion/docs/assets/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    for (const path of ['/fusion/v1/OpenAPI.json', '/fusion/docs/'])
      expect((await fetch(`${t.url}${path}`)).status, path).toBe(200);
  });

  it('hashes no answer for an ETag: every answer is dynamic and no-store', async () => {
    const res = await fetch(`${t.url}/fusion/v1/spaces`, { headers: { authorization: `Bearer ${t.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBeNull();
    expect(res.headers.get('cache-control')).toBe('no-cache,no-store,must-revalidate');
  });
});
