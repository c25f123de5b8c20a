import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

/**
 * The GraphQL body as the server reads it (graphql/body.ts): a JSON object is handed to Yoga parsed, anything else
 * as the bytes read, so Yoga answers every other body exactly as it would have (a bad one with its own error).
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT: 'off' });
}, 120_000);
afterAll(async () => {
  await t?.close();
});

type Answer = { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };

async function post(body: string, contentType = 'application/json') {
  const res = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': contentType, authorization: `Bearer ${t.token}` },
    body,
  });
  return { status: res.status, body: (await res.json()) as Answer };
}

describe('GraphQL request bodies', () => {
  it('runs a JSON object body, with or without a charset', async () => {
    for (const type of ['application/json', 'application/json; charset=utf-8', 'application/graphql+json']) {
      const res = await post(JSON.stringify({ query: '{ spaces { id } }' }), type);
      expect(res.status, type).toBe(200);
      expect(res.body.errors, type).toBeUndefined();
      expect(res.body.data, type).toMatchObject({ spaces: [{ id: t.spaceId }] });
    }
  });

  it('answers a body that is not JSON with BAD_REQUEST, as Yoga does', async () => {
    const res = await post('{"query": "{ spaces { id } }"');
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]).toMatchObject({
      message: 'POST body sent invalid JSON.',
      extensions: { code: 'BAD_REQUEST' },
    });
  });

  it('answers JSON that is no operation (an empty object, an array, a string) with BAD_REQUEST, as Yoga does', async () => {
    const answers: [string, number, string][] = [
      ['{}', 200, 'Must provide query string.'],
      ['[]', 400, 'Batching is not supported.'],
      ['"{ spaces { id } }"', 400, 'POST body is expected to be object but received string'],
    ];
    for (const [body, status, message] of answers) {
      const res = await post(body);
      expect(res.status, body).toBe(status);
      expect(res.body.errors?.[0], body).toMatchObject({ message, extensions: { code: 'BAD_REQUEST' } });
      expect(res.body.data, body).toBeUndefined();
    }
  });
});
