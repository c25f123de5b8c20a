import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { gql } from '../support/graphql.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('GraphQL at /graphql', () => {
  it('lists the spaces of the calling token', async () => {
    const res = await gql(t.url, '{ spaces { id name plan } }', { token: t.token });
    expect(res.body).toEqual({ data: { spaces: [{ id: t.spaceId, name: 'My Space', plan: 'ENTERPRISE' }] } });
  });

  it('answers UNAUTHORIZED without a valid token', async () => {
    for (const token of [undefined, 'tbk_nope']) {
      const res = await gql(t.url, '{ spaces { id } }', { token });
      expect(res.body.errors?.[0]).toMatchObject({ message: 'Unauthorized', extensions: { code: 'UNAUTHORIZED' } });
    }
  });

  it('reports syntax errors as GraphQL errors', async () => {
    const res = await gql(t.url, '{ spaces { id ', { token: t.token });
    expect(res.body.errors?.[0]?.message).toMatch(/Syntax Error/);
  });
});
