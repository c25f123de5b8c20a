import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerScope, startTestApp, type TestApp } from '../support/app.js';
import { gql } from '../support/graphql.js';

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
      body: JSON.stringify({
        query: 'mutation { createToken(input: { name: "audited", scopes: ["records:read"] }) { token { id } } }',
      }),
    })
  ).json()) as { data: { createToken: { token: { id: string } } } };
  const tokenId = tokenResult.data.createToken.token.id;
  await t.app.services.tokens.revoke(tokenId); // as the CLI does: no acting user
  await t.app.services.audit.flush();

  const list = (await (
    await fetch(`${t.url}/fusion/v1/spaces/${t.spaceId}/audit-events?limit=10`, { headers: auth() })
  ).json()) as {
    data: {
      events: {
        action: string;
        targetId: string;
        actorId: string | null;
        tokenId: string | null;
        requestId: string | null;
        detail: Record<string, unknown>;
        at: number;
      }[];
    };
  };
  const events = list.data.events;
  expect(events.slice(0, 3).map((e) => [e.action, e.targetId])).toEqual([
    ['token.revoked', tokenId],
    ['token.created', tokenId],
    ['datasheet.created', created.data.id],
  ]);
  expect(events[0]).toMatchObject({ actorId: null, tokenId: null });
  expect(events[1]).toMatchObject({
    actorId: me.userId,
    tokenId: me.tokenId,
    detail: { name: 'audited', scopes: ['records:read'] },
  });
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
    body: JSON.stringify({
      query: '{ auditEvents(limit: 1, action: "token.created") { events { action } nextCursor } }',
    }),
  });
  const body = (await response.json()) as {
    data: { auditEvents: { events: { action: string }[]; nextCursor: string | null } };
  };
  expect(body.data.auditEvents.events).toEqual([{ action: 'token.created' }]);
  expect(body.data.auditEvents.nextCursor).toMatch(/^\d+$/);
  const url = `${t.url}/fusion/v1/spaces/${t.spaceId}/audit-events?limit=5&before=${body.data.auditEvents.nextCursor}&action=token.created`;
  const page2 = (await (await fetch(url, { headers: auth() })).json()) as {
    data: { events: { detail: { name: string } }[]; nextCursor: string | null };
  };
  expect(page2.data.events.map((e) => e.detail.name)).toEqual(['audited']);
  expect(page2.data.nextCursor).toBeNull();
});

describe('audit rows are written in the transaction of their change', () => {
  /** Audit inserts of the listed actions fail (a trigger of this test database), as a full disk or a lost connection would. */
  beforeAll(async () => {
    const { prisma } = t.app;
    await prisma.$executeRawUnsafe('CREATE TABLE test_failing_audit_actions (action text PRIMARY KEY)');
    await prisma.$executeRawUnsafe(`CREATE FUNCTION test_fail_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM test_failing_audit_actions WHERE action = NEW.action) THEN RAISE EXCEPTION 'audit insert failed (test trigger)'; END IF;
        RETURN NEW;
      END $$`);
    await prisma.$executeRawUnsafe(
      'CREATE TRIGGER test_fail_audit BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION test_fail_audit()',
    );
  });
  async function failing<T>(action: string, fn: () => Promise<T>): Promise<T> {
    await t.app.prisma.$executeRawUnsafe('INSERT INTO test_failing_audit_actions VALUES ($1)', action);
    try {
      return await fn();
    } finally {
      await t.app.prisma.$executeRawUnsafe('DELETE FROM test_failing_audit_actions');
    }
  }
  const gqlText = async (query: string, variables?: Record<string, unknown>) =>
    (await gql(t.url, query, { token: t.token, variables })).text;
  const embeds = (datasheetId: string) => `${t.url}/fusion/v1/spaces/${t.spaceId}/nodes/${datasheetId}/embedlinks`;

  it('a token whose audit row fails is not created; a revocation whose audit row fails is not made', async () => {
    const text = await failing('token.created', () =>
      gqlText('mutation { createToken(input: { name: "unaudited", scopes: ["records:read"] }) { token { id } } }'),
    );
    expect(JSON.parse(text).data).toBeNull();
    expect(text).not.toContain('test trigger');
    expect(await t.app.prisma.apiToken.count({ where: { name: 'unaudited' } })).toBe(0);

    const { token } = await t.app.services.tokens.create({ spaceId: t.spaceId, name: 'kept' });
    const revoke = await failing('token.revoked', () =>
      gqlText('mutation($id: ID!) { revokeToken(tokenId: $id) { id } }', { id: token.id }),
    );
    expect(JSON.parse(revoke).data).toBeNull();
    expect(revoke).not.toContain('test trigger');
    expect((await t.app.prisma.apiToken.findUniqueOrThrow({ where: { id: token.id } })).revokedAt).toBeNull();
    const audited = await t.app.prisma.$queryRawUnsafe<{ action: string }[]>(
      'SELECT action FROM audit_events WHERE target_id = $1 ORDER BY id',
      token.id,
    );
    expect(audited.map((a) => a.action)).toEqual(['token.created']);
  });

  it('an embed link whose audit row fails is neither created nor deleted', async () => {
    const s = t.app.services;
    const scope = await ownerScope(t);
    const datasheet = await s.datasheets.create(scope, { name: 'Embedded' });
    const post = () =>
      fetch(embeds(datasheet.id), {
        method: 'POST',
        headers: { ...auth(), 'content-type': 'application/json' },
        body: '{}',
      });
    const refused = await failing('embedLink.created', async () => (await post()).text());
    expect(JSON.parse(refused)).toMatchObject({ success: false });
    expect(refused).not.toContain('test trigger');
    expect(await t.app.prisma.embedLink.count({ where: { nodeId: datasheet.id } })).toBe(0);

    const { data } = (await (await post()).json()) as { data: { linkId: string } };
    const removed = await failing('embedLink.deleted', async () =>
      (await fetch(`${embeds(datasheet.id)}/${data.linkId}`, { method: 'DELETE', headers: auth() })).text(),
    );
    expect(JSON.parse(removed)).toMatchObject({ success: false });
    expect(await t.app.prisma.embedLink.count({ where: { id: data.linkId } })).toBe(1);
    const audited = await t.app.prisma.$queryRawUnsafe<{ action: string }[]>(
      `SELECT action FROM audit_events WHERE target_id = $1`,
      data.linkId,
    );
    expect(audited.map((a) => a.action)).toEqual(['embedLink.created']);
  });
});
