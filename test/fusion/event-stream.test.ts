import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { fusion } from '../support/fusion.js';
import { eventSource, subscribe, until, wsClient, type SseMessage } from '../support/live.js';

/**
 * Tokens are re-checked every 200 ms and heartbeats sent every 100 ms, so both are seen within a test; a GraphQL
 * budget of 2 × the plan rate (FREE: 4 cost points a second) shows that subscribing is metered.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({
    SUBSCRIPTION_RECHECK_MS: '200',
    EVENT_STREAM_HEARTBEAT_MS: '100',
    GRAPHQL_COST_PER_REQUEST: '2',
  });
});
afterAll(async () => {
  await t?.close();
});

interface Sheet {
  id: string;
  fields: { id: string; name: string }[];
}

async function createSheet(): Promise<Sheet> {
  const res = await fusion<{ id: string }>(t.url, 'POST', `/v1/spaces/${t.spaceId}/datasheets`, {
    token: t.token,
    body: {
      name: 'Stream',
      fields: [
        { type: 'SingleText', name: 'Item', property: {} },
        { type: 'Number', name: 'Qty', property: { precision: 0 } },
      ],
    },
  });
  expect(res.body.success).toBe(true);
  const fields = await fusion<{ fields: { id: string; name: string }[] }>(
    t.url,
    'GET',
    `/v1/datasheets/${res.body.data!.id}/fields`,
    { token: t.token },
  );
  return { id: res.body.data!.id, fields: fields.body.data!.fields };
}

async function create(sheet: Sheet, fields: Record<string, unknown>): Promise<string> {
  const res = await fusion<{ records: { recordId: string }[] }>(t.url, 'POST', `/v1/datasheets/${sheet.id}/records`, {
    token: t.token,
    body: { records: [{ fields }] },
  });
  expect(res.body.success).toBe(true);
  return res.body.data!.records[0]!.recordId;
}

const streamUrl = (sheet: Sheet, query = '') => `${t.url}/fusion/v1/datasheets/${sheet.id}/events${query}`;

async function open(sheet: Sheet, token = t.token, options: { query?: string; headers?: Record<string, string> } = {}) {
  const source = eventSource(streamUrl(sheet, options.query), token, options.headers);
  await Promise.race([source.opened, source.ended]);
  return source;
}

/** The events' data, each record's cell changes in field id order (the feed keeps no order among one record's cells). */
const data = (messages: SseMessage[]) =>
  messages.map((m) => {
    const event = m.data as Record<string, unknown> & { changes?: { recordId: string; fieldId: string }[] };
    const changes = event.changes?.toSorted(
      (a, b) => a.recordId.localeCompare(b.recordId) || a.fieldId.localeCompare(b.fieldId),
    );
    return changes ? { ...event, changes } : event;
  });

describe('GET /fusion/v1/datasheets/{id}/events', () => {
  it('streams exactly this datasheet’s events, id = sequence, with changes and author', async () => {
    const sheet = await createSheet();
    const other = await createSheet();
    const [item, qty] = sheet.fields.map((f) => f.id);
    const me = (await t.app.services.tokens.authenticate(t.token)).userId;
    const source = await open(sheet);
    const rec = await create(sheet, { Item: 'apple', Qty: 3 });
    await create(other, { Item: 'elsewhere' });
    await fusion(t.url, 'PATCH', `/v1/datasheets/${sheet.id}/records`, {
      token: t.token,
      body: { records: [{ recordId: rec, fields: { Qty: 4 } }] },
    });
    const messages = await source.take(2);
    expect(messages.map((m) => m.id)).toEqual(data(messages).map((d) => d.sequence));
    expect(data(messages)).toEqual([
      {
        kind: 'records.created',
        sequence: messages[0]!.id,
        datasheetId: sheet.id,
        recordIds: [rec],
        changes: [
          { recordId: rec, fieldId: item, oldValue: null, newValue: 'apple' },
          { recordId: rec, fieldId: qty, oldValue: null, newValue: 3 },
        ].toSorted((a, b) => String(a.fieldId).localeCompare(String(b.fieldId))),
        author: me,
        at: expect.any(String),
      },
      {
        kind: 'records.updated',
        sequence: String(BigInt(messages[0]!.id) + 1n),
        datasheetId: sheet.id,
        recordIds: [rec],
        changes: [{ recordId: rec, fieldId: qty, oldValue: 3, newValue: 4 }],
        author: me,
        at: expect.any(String),
      },
    ]);
    source.close();
  });

  it('resumes after Last-Event-ID, or after ?after=, with no gap', async () => {
    const sheet = await createSheet();
    const first = await open(sheet);
    const a = await create(sheet, { Item: 'a' });
    const [seen] = await first.take(1);
    first.close();
    const b = await create(sheet, { Item: 'b' });
    const c = await create(sheet, { Item: 'c' });
    const byHeader = await open(sheet, t.token, { headers: { 'Last-Event-ID': seen!.id } });
    const byQuery = await open(sheet, t.token, { query: `?after=${seen!.id}` });
    const d = await create(sheet, { Item: 'd' });
    for (const source of [byHeader, byQuery]) {
      const got = await source.take(3);
      expect(data(got).map((e) => e.recordIds)).toEqual([[b], [c], [d]]);
      source.close();
    }
    expect((seen!.data as { recordIds: string[] }).recordIds).toEqual([a]);
    const bad = await fusion(t.url, 'GET', `/v1/datasheets/${sheet.id}/events?after=later`, { token: t.token });
    expect(bad.body).toMatchObject({ success: false, code: 400 });
    expect(bad.body.message).toBeTruthy();
  });

  it('answers another space’s datasheet exactly as a missing one, and needs records:read', async () => {
    const sheet = await createSheet();
    const space = await t.app.services.spaces.create({ name: 'Elsewhere' });
    const outsider = (await t.app.services.tokens.create({ spaceId: space.id })).secret;
    const theirs = await fusion(t.url, 'GET', `/v1/datasheets/${sheet.id}/events`, { token: outsider });
    const missing = await fusion(t.url, 'GET', '/v1/datasheets/dstNoSuchDatasheet00/events', { token: outsider });
    expect(theirs.status).toBe(missing.status);
    expect(theirs.body).toEqual(missing.body);
    expect(missing.body).toMatchObject({ success: false, code: 301 });
    const noRead = (await t.app.services.tokens.create({ spaceId: t.spaceId, scopes: ['datasheets:read'] })).secret;
    expect((await fusion(t.url, 'GET', `/v1/datasheets/${sheet.id}/events`, { token: noRead })).status).toBe(403);
    expect((await fusion(t.url, 'GET', `/v1/datasheets/${sheet.id}/events`)).status).toBe(401);
  });

  it('sends heartbeat comments while nothing changes', async () => {
    const sheet = await createSheet();
    const response = await fetch(streamUrl(sheet), { headers: { authorization: `Bearer ${t.token}` } });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.getReader();
    let text = '';
    while ((text.match(/: heartbeat\n\n/g) ?? []).length < 2)
      text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    expect(text.startsWith(': connected\n\n')).toBe(true);
  });

  it('ends a revoked token’s streams with an error, even when nothing changes', async () => {
    const sheet = await createSheet();
    const token = await t.app.services.tokens.create({ spaceId: t.spaceId });
    const source = await open(sheet, token.secret);
    const ws = subscribe(
      wsClient(t.url, { token: token.secret }),
      'subscription ($id: ID!) { recordsChanged(datasheetId: $id) { kind } }',
      {
        id: sheet.id,
      },
    );
    await until(() => t.app.services.live.openOf(token.token.id) === 2, 'both subscriptions');
    await t.app.services.tokens.revoke(token.token.id);
    await source.ended;
    expect(source.items.at(-1)).toMatchObject({ event: 'error', data: { code: 401 } });
    await ws.ended;
    expect(ws.items.at(-1)?.errors?.[0]?.extensions?.code).toBe('UNAUTHORIZED');
    expect(t.app.services.live.openOf(token.token.id)).toBe(0);
  });
});

describe('GraphQL subscriptions are metered', () => {
  it('spends the operation’s cost when subscribing, and refuses one over the budget', async () => {
    // A FREE space: 2 requests a second × 2 = 4 cost points; this subscription costs 6 (it is refused before its
    // resolver runs, so its datasheet does not matter).
    const space = await t.app.services.spaces.create({ name: 'Free', plan: 'FREE' });
    const token = await t.app.services.tokens.create({ spaceId: space.id });
    const wide = subscribe(
      wsClient(t.url, { token: token.secret }),
      'subscription ($id: ID!) { recordsChanged(datasheetId: $id) { kind sequence datasheetId recordIds at } }',
      { id: 'dstNoSuchDatasheet00' },
    );
    await wide.ended;
    expect(wide.items[0]?.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(t.app.services.live.openOf(token.token.id)).toBe(0);
  });
});

describe('shutdown', () => {
  it('ends every subscription and closes every socket', async () => {
    const own = await startTestApp();
    const sheetRes = await fusion<{ id: string }>(own.url, 'POST', `/v1/spaces/${own.spaceId}/datasheets`, {
      token: own.token,
      body: { name: 'S', fields: [{ type: 'SingleText', name: 'Item', property: {} }] },
    });
    const id = sheetRes.body.data!.id;
    const client = wsClient(own.url, { token: own.token });
    const ws = subscribe(client, 'subscription ($id: ID!) { recordsChanged(datasheetId: $id) { kind } }', { id });
    const source = eventSource(`${own.url}/fusion/v1/datasheets/${id}/events`, own.token);
    await until(() => own.app.openSubscriptions() === 2, 'both subscriptions');
    await own.close();
    await Promise.all([ws.ended, source.ended]);
    expect(own.app.openSubscriptions()).toBe(0);
    expect(own.app.openWebSockets()).toBe(0);
    await client.dispose();
  });
});
