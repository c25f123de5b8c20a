import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

async function gql(query: string, token?: string) {
  const response = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] } };
}

describe('GraphQL at /graphql', () => {
  it('lists the spaces of the calling token', async () => {
    const res = await gql('{ spaces { id name plan } }', t.token);
    expect(res.body).toEqual({ data: { spaces: [{ id: t.spaceId, name: 'My Space', plan: 'ENTERPRISE' }] } });
  });

  it('answers UNAUTHORIZED without a valid token', async () => {
    for (const token of [undefined, 'tbk_nope']) {
      const res = await gql('{ spaces { id } }', token);
      expect(res.body.errors?.[0]).toMatchObject({ message: 'Unauthorized', extensions: { code: 'UNAUTHORIZED' } });
    }
  });

  it('reports syntax errors as GraphQL errors', async () => {
    const res = await gql('{ spaces { id ', t.token);
    expect(res.body.errors?.[0]?.message).toMatch(/Syntax Error/);
  });
});
