import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT: 'off' });
});
afterAll(async () => {
  await t?.close();
});

const auth = () => ({ authorization: `Bearer ${t.token}` });

it('records schema changes and token events with actor, time and details, newest first', async () => {
  const me = await t.app.services.tokens.authenticate(t.token);
  const created = (await (
    await fetch(`${t.url}/fusion/v1/spaces/${t.spaceId}/datasheets`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Audited', fields: [{ name: 'Title', type: 'SingleText', property: {} }] }),
    })
  ).json()) as { data: { id: string } };
  const tokenResult = (await (
    await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'mutation { createToken(input: { name: "audited", scopes: ["records:read"] }) { token { id } } }' }),
    })
  ).json()) as { data: { createToken: { token: { id: string } } } };
  const tokenId = tokenResult.data.createToken.token.id;
  await t.app.services.tokens.revoke(tokenId); // as the CLI does: no acting user
  await t.app.services.audit.flush();

  const list = (await (await fetch(`${t.url}/fusion/v1/spaces/${t.spaceId}/audit-events?limit=10`, { headers: auth() })).json()) as {
    data: { events: { action: string; targetId: string; actorId: string | null; tokenId: string | null; requestId: string | null; detail: Record<string, unknown>; at: number }[] };
  };
  const events = list.data.events;
  expect(events.slice(0, 3).map((e) => [e.action, e.targetId])).toEqual([
    ['token.revoked', tokenId],
    ['token.created', tokenId],
    ['datasheet.created', created.data.id],
  ]);
  expect(events[0]).toMatchObject({ actorId: null, tokenId: null });
  expect(events[1]).toMatchObject({ actorId: me.userId, tokenId: me.tokenId, detail: { name: 'audited', scopes: ['records:read'] } });
  expect(events[1]!.requestId).toMatch(/^[0-9a-f-]{36}$/);
  expect(events[2]).toMatchObject({ actorId: me.userId, detail: { datasheetId: created.data.id } });
  expect(Date.now() - events[2]!.at).toBeLessThan(60_000);
  expect(JSON.stringify(events)).not.toMatch(/tbk_[0-9A-Za-z]{20}/);
});

it('pages and filters by action, on GraphQL too', async () => {
  await t.app.services.tokens.create({ spaceId: t.spaceId, name: 'second' });
  const response = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { ...auth(), 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ auditEvents(limit: 1, action: "token.created") { events { action } nextCursor } }' }),
  });
  const body = (await response.json()) as { data: { auditEvents: { events: { action: string }[]; nextCursor: string | null } } };
  expect(body.data.auditEvents.events).toEqual([{ action: 'token.created' }]);
  expect(body.data.auditEvents.nextCursor).toMatch(/^\d+$/);
  const url = `${t.url}/fusion/v1/spaces/${t.spaceId}/audit-events?limit=5&before=${body.data.auditEvents.nextCursor}&action=token.created`;
  const page2 = (await (await fetch(url, { headers: auth() })).json()) as { data: { events: { detail: { name: string } }[]; nextCursor: string | null } };
  expect(page2.data.events.map((e) => e.detail.name)).toEqual(['audited']);
  expect(page2.data.nextCursor).toBeNull();
});
