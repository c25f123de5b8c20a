import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordsChangedDocument } from '../../graphql/__generated__/operations.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { fusion } from '../support/fusion.js';
import { gql } from '../support/graphql.js';
import { eventSource, subscribe, until, wsClient, type GqlResult } from '../support/live.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ SUBSCRIPTIONS_PER_TOKEN: '3' });
});
afterAll(async () => {
  await t?.close();
});

const RECORDS_CHANGED = `subscription ($id: ID!, $viewId: ID, $after: String) {
  recordsChanged(datasheetId: $id, viewId: $viewId, after: $after) {
    kind sequence datasheetId recordIds
    records { id fields }
    changes { recordId field oldValue newValue }
    author { id }
    at
  }
}`;

interface Sheet {
  id: string;
  fields: { id: string; name: string }[];
}

async function createSheet(token = t.token, spaceId = t.spaceId): Promise<Sheet> {
  const res = await gql(
    t.url,
    `mutation ($spaceId: ID!) { createDatasheet(input: { spaceId: $spaceId, name: "Orders", fields: [
      { name: "Item", type: "SingleText", property: {} }, { name: "Qty", type: "Number", property: { precision: 0 } }
    ] }) { id fields { id name } } }`,
    { token, variables: { spaceId } },
  );
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.createDatasheet as Sheet;
}

const newToken = async (options: { scopes?: string[]; spaceId?: string } = {}) =>
  t.app.services.tokens.create({
    spaceId: options.spaceId ?? t.spaceId,
    ...(options.scopes ? { scopes: options.scopes as never } : {}),
  });

/** Subscribes and waits until the server holds the subscription, so later writes are seen. */
async function live(token: string, query: string, variables: Record<string, unknown>) {
  const before = t.app.openSubscriptions();
  const client = wsClient(t.url, { authorization: `Bearer ${token}` });
  const sub = subscribe(client, query, variables);
  await Promise.race([until(() => t.app.openSubscriptions() > before, 'the subscription'), sub.ended]);
  return Object.assign(sub, { client });
}

const events = (results: GqlResult[]) => results.map((r) => r.data?.recordsChanged as Record<string, unknown>);

/** A view of the sheet holding the records whose Qty is over 2. */
async function bigView(sheet: Sheet): Promise<string> {
  const view = await gql(
    t.url,
    'mutation ($id: ID!, $input: ViewInput!) { createView(datasheetId: $id, input: $input) { id } }',
    {
      token: t.token,
      variables: {
        id: sheet.id,
        input: {
          name: 'Big',
          filter: {
            conjunction: 'and',
            conditions: [{ fieldId: sheet.fields[1]!.id, operator: 'isGreater', value: 2 }],
          },
        },
      },
    },
  );
  return (view.body.data!.createView as { id: string }).id;
}

async function createRecords(sheet: Sheet, records: Record<string, unknown>[]) {
  const res = await gql(
    t.url,
    'mutation ($id: ID!, $r: [RecordInput!]!) { createRecords(datasheetId: $id, records: $r) { id } }',
    { token: t.token, variables: { id: sheet.id, r: records.map((fields) => ({ fields })) } },
  );
  expect(res.body.errors).toBeUndefined();
  return (res.body.data!.createRecords as { id: string }[]).map((r) => r.id);
}

describe('recordsChanged over graphql-ws', () => {
  it('delivers exactly the events of REST and GraphQL writes to its datasheet, with values and authors', async () => {
    const sheet = await createSheet();
    const other = await createSheet();
    const [item, qty] = sheet.fields.map((f) => f.id);
    const me = (await t.app.services.tokens.authenticate(t.token)).userId;
    const sub = await live(t.token, RECORDS_CHANGED, { id: sheet.id });

    const [rec] = await createRecords(sheet, [{ Item: 'apple', Qty: 3 }]);
    await createRecords(other, [{ Item: 'elsewhere', Qty: 1 }]);
    const patched = await fusion(t.url, 'PATCH', `/v1/datasheets/${sheet.id}/records`, {
      token: t.token,
      body: { records: [{ recordId: rec, fields: { Qty: 4 } }] },
    });
    expect(patched.body.success).toBe(true);
    await fusion(t.url, 'DELETE', `/v1/datasheets/${sheet.id}/records?recordIds=${rec}`, { token: t.token });

    const got = events(await sub.take(3));
    expect(got.map((e) => [e.kind, e.datasheetId, e.recordIds])).toEqual([
      ['CREATED', sheet.id, [rec]],
      ['UPDATED', sheet.id, [rec]],
      ['DELETED', sheet.id, [rec]],
    ]);
    const sequences = got.map((e) => BigInt(e.sequence as string));
    expect(sequences[1]! - sequences[0]!).toBe(1n);
    expect(sequences[2]! - sequences[1]!).toBe(1n);
    expect(byField(got[0]!.changes)).toEqual(
      byField([
        { recordId: rec, field: item, oldValue: null, newValue: 'apple' },
        { recordId: rec, field: qty, oldValue: null, newValue: 3 },
      ]),
    );
    expect(byField(got[1]!.changes)).toEqual(byField([{ recordId: rec, field: qty, oldValue: 3, newValue: 4 }]));
    expect(byField(got[2]!.changes)).toEqual(
      byField([
        { recordId: rec, field: item, oldValue: 'apple', newValue: null },
        { recordId: rec, field: qty, oldValue: 4, newValue: null },
      ]),
    );
    // Current values: the record as it is when the event is delivered (gone after the delete).
    expect(got[2]!.records).toEqual([]);
    expect(got.every((e) => (e.author as { id: string }).id === me)).toBe(true);
    expect(new Date(got[0]!.at as string).getTime()).toBeGreaterThan(0);
    expect(sub.items).toHaveLength(3);
    sub.close();
    await sub.client.dispose();
  });

  it('answers the records’ current values as Record (the documented RecordsChanged operation)', async () => {
    const sheet = await createSheet();
    const sub = await live(t.token, print(RecordsChangedDocument), { datasheetId: sheet.id });
    const [rec] = await createRecords(sheet, [{ Item: 'pear', Qty: 2 }]);
    const [event] = events(await sub.take(1));
    expect(event!.records).toEqual([{ id: rec, fields: { Item: 'pear', Qty: 2 } }]);
    expect(event!.author).toMatchObject({ name: expect.any(String) });
    sub.close();
    await sub.client.dispose();
  });

  it('with viewId, judges a record updated then deleted before its event is read by its cells as it left', async () => {
    const sheet = await createSheet();
    const viewId = await bigView(sheet);
    const [small, never] = await createRecords(sheet, [
      { Item: 'small', Qty: 0 },
      { Item: 'never', Qty: 0 },
    ]);
    const update = (recordId: string, Qty: number) =>
      fusion(t.url, 'PATCH', `/v1/datasheets/${sheet.id}/records`, {
        token: t.token,
        body: { records: [{ recordId, fields: { Qty } }] },
      });
    await update(small!, 9); // enters the view
    await update(never!, 1); // stays outside
    await fusion(t.url, 'DELETE', `/v1/datasheets/${sheet.id}/records?recordIds=${small},${never}`, { token: t.token });
    // The updates' events read only now, after both records are gone (a subscriber that lags behind the writes).
    const events = await t.app.services.feed.read(sheet.id, null, 100);
    const updates = events.filter((e) => e.kind === 'records.updated');
    expect(updates.map((e) => e.recordIds)).toEqual([[small], [never]]);
    const scope = { spaceId: t.spaceId, userId: null };
    expect(await t.app.services.viewFilter.members(scope, updates[0]!, viewId)).toEqual([small]);
    expect(await t.app.services.viewFilter.members(scope, updates[1]!, viewId)).toEqual([]);
  });

  it('with viewId, shows only records that are or were inside the view’s filter', async () => {
    const sheet = await createSheet();
    const viewId = await bigView(sheet);
    const sub = await live(t.token, RECORDS_CHANGED, { id: sheet.id, viewId });
    const [small, big] = await createRecords(sheet, [
      { Item: 'small', Qty: 1 },
      { Item: 'big', Qty: 5 },
    ]);
    const update = (recordId: string, Qty: number) =>
      fusion(t.url, 'PATCH', `/v1/datasheets/${sheet.id}/records`, {
        token: t.token,
        body: { records: [{ recordId, fields: { Qty } }] },
      });
    await update(small!, 0); // never inside: not shown
    await update(big!, 1); // leaves the view: shown (it was inside)
    await update(small!, 9); // enters the view: shown
    await fusion(t.url, 'DELETE', `/v1/datasheets/${sheet.id}/records?recordIds=${small}`, { token: t.token }); // was inside
    const got = events(await sub.take(4));
    expect(got.map((e) => [e.kind, e.recordIds])).toEqual([
      ['CREATED', [big]],
      ['UPDATED', [big]],
      ['UPDATED', [small]],
      ['DELETED', [small]],
    ]);
    expect(byField(got[0]!.changes)).toEqual(
      byField([
        { recordId: big, field: sheet.fields[0]!.id, oldValue: null, newValue: 'big' },
        { recordId: big, field: sheet.fields[1]!.id, oldValue: null, newValue: 5 },
      ]),
    );
    // A record deleted outside the view is not shown either.
    await fusion(t.url, 'DELETE', `/v1/datasheets/${sheet.id}/records?recordIds=${big}`, { token: t.token });
    const [marker] = await createRecords(sheet, [{ Item: 'marker', Qty: 7 }]);
    const after = events(await sub.take(5));
    expect(after[4]!.recordIds).toEqual([marker]);
    sub.close();
    await sub.client.dispose();
  });

  it('shows each subscriber an event’s records as its own access reads them (a restricted token’s lookups read empty)', async () => {
    const call = async <T>(method: string, path: string, body: unknown) => {
      const res = await fusion<T>(t.url, method, path, { token: t.token, body });
      expect(res.body.success, res.text).toBe(true);
      return res.body.data!;
    };
    const datasheet = (name: string, fields: unknown[]) =>
      call<{ id: string; fields: { id: string; name: string }[] }>('POST', `/v1/spaces/${t.spaceId}/datasheets`, {
        name,
        fields,
      });
    const products = await datasheet('Products', [{ name: 'Name', type: 'SingleText', property: {} }]);
    const [pen] = (
      await call<{ records: { recordId: string }[] }>('POST', `/v1/datasheets/${products.id}/records`, {
        records: [{ fields: { Name: 'pen' } }],
      })
    ).records.map((r) => r.recordId);
    const orders = await datasheet('Orders', [{ name: 'Title', type: 'SingleText', property: {} }]);
    const addField = (field: unknown) =>
      call<{ id: string }>('POST', `/v1/spaces/${t.spaceId}/datasheets/${orders.id}/fields`, field);
    const link = await addField({ name: 'Items', type: 'OneWayLink', property: { foreignDatasheetId: products.id } });
    await addField({
      name: 'Item names',
      type: 'MagicLookUp',
      property: { relatedLinkFieldId: link.id, targetFieldId: products.fields[0]!.id },
    });
    const restricted = await t.app.services.tokens.create({ spaceId: t.spaceId, datasheetIds: [orders.id] });
    const query = `subscription ($id: ID!) { recordsChanged(datasheetId: $id) { records { id fields } } }`;
    const everything = await live(t.token, query, { id: orders.id });
    const limited = await live(restricted.secret, query, { id: orders.id });
    // The same event reaches both subscribers of this process at once.
    await call('POST', `/v1/datasheets/${orders.id}/records`, { records: [{ fields: { Title: 'o', Items: [pen] } }] });
    const cells = async (sub: Awaited<ReturnType<typeof live>>) => {
      const [event] = events(await sub.take(1));
      return (event!.records as { fields: Record<string, unknown> }[])[0]!.fields;
    };
    expect((await cells(everything))['Item names']).toEqual(['pen']);
    expect((await cells(limited))['Item names'] ?? null).not.toEqual(['pen']);
    for (const sub of [everything, limited]) {
      sub.close();
      await sub.client.dispose();
    }
  });

  it('resumes after a sequence with no gap and no repeat', async () => {
    const sheet = await createSheet();
    const first = await live(t.token, RECORDS_CHANGED, { id: sheet.id });
    const [a] = await createRecords(sheet, [{ Item: 'a' }]);
    const [seen] = events(await first.take(1));
    first.close();
    await first.client.dispose();
    await until(() => t.app.openSubscriptions() === 0, 'the subscription to end');
    const [b] = await createRecords(sheet, [{ Item: 'b' }]);
    const [c] = await createRecords(sheet, [{ Item: 'c' }]);
    const again = await live(t.token, RECORDS_CHANGED, { id: sheet.id, after: seen!.sequence });
    const [d] = await createRecords(sheet, [{ Item: 'd' }]);
    const got = events(await again.take(3));
    expect(seen!.recordIds).toEqual([a]);
    expect(got.map((e) => e.recordIds)).toEqual([[b], [c], [d]]);
    expect(got.map((e) => BigInt(e.sequence as string) - BigInt(seen!.sequence as string))).toEqual([1n, 2n, 3n]);
    again.close();
    await again.client.dispose();
  });

  it('refuses another space’s datasheet exactly as a missing one', async () => {
    const sheet = await createSheet();
    const space = await t.app.services.spaces.create({ name: 'Elsewhere' });
    const outsider = await newToken({ spaceId: space.id });
    const ends = async (id: string) => {
      const sub = subscribe(wsClient(t.url, { token: outsider.secret }), RECORDS_CHANGED, { id });
      await sub.ended;
      return sub.items.map((r) => JSON.stringify(r).replaceAll(id, 'ID'));
    };
    const missing = await ends('dstNoSuchDatasheet00');
    expect(missing[0]).toContain('NOT_FOUND');
    expect(await ends(sheet.id)).toEqual(missing);
    expect(t.app.openSubscriptions()).toBe(0);
  });

  it('checks the scope on subscribe (records:read)', async () => {
    const sheet = await createSheet();
    const token = await newToken({ scopes: ['datasheets:read'] });
    const sub = subscribe(wsClient(t.url, { Authorization: `Bearer ${token.secret}` }), RECORDS_CHANGED, {
      id: sheet.id,
    });
    await sub.ended;
    expect(sub.items[0]!.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const anonymous = subscribe(wsClient(t.url, {}), RECORDS_CHANGED, { id: sheet.id });
    await anonymous.ended;
    expect(anonymous.items[0]!.errors?.[0]?.extensions?.code).toBe('UNAUTHORIZED');
  });

  it('ends a revoked token’s subscription with UNAUTHORIZED before delivering a later event', async () => {
    const sheet = await createSheet();
    const token = await newToken();
    const sub = await live(token.secret, RECORDS_CHANGED, { id: sheet.id });
    await createRecords(sheet, [{ Item: 'before' }]);
    await sub.take(1);
    await t.app.services.tokens.revoke(token.token.id);
    await createRecords(sheet, [{ Item: 'after' }]);
    expect(await sub.ended).toEqual({});
    expect(sub.items).toHaveLength(2);
    expect(sub.items[1]).toMatchObject({
      data: { recordsChanged: null },
      errors: [{ message: expect.stringContaining('revoked'), extensions: { code: 'UNAUTHORIZED' } }],
    });
    await until(() => t.app.openSubscriptions() === 0, 'the subscription to be released');
  });

  it('limits open subscriptions per token, and frees a slot when one ends', async () => {
    const sheet = await createSheet();
    const token = await newToken();
    const client = wsClient(t.url, { authorization: `Bearer ${token.secret}` });
    const open = [];
    for (let i = 0; i < 3; i++) {
      const before = t.app.openSubscriptions();
      open.push(subscribe(client, RECORDS_CHANGED, { id: sheet.id }));
      await until(() => t.app.openSubscriptions() > before);
    }
    const refused = subscribe(client, RECORDS_CHANGED, { id: sheet.id });
    await refused.ended;
    expect(refused.items[0]!.errors?.[0]).toMatchObject({ extensions: { code: 'LIMIT_EXCEEDED', limit: 3 } });
    // The REST event stream counts against the same limit.
    const stream = await fusion(t.url, 'GET', `/v1/datasheets/${sheet.id}/events`, { token: token.secret });
    expect([stream.status, stream.body.code, stream.body.success]).toEqual([429, 429, false]);
    open[0]!.close();
    await until(() => t.app.services.live.openOf(token.token.id) === 2);
    const fourth = subscribe(client, RECORDS_CHANGED, { id: sheet.id });
    await until(() => t.app.services.live.openOf(token.token.id) === 3);
    await createRecords(sheet, [{ Item: 'x' }]);
    expect(events(await fourth.take(1))[0]!.kind).toBe('CREATED');
    for (const s of [...open, fourth]) s.close();
    await client.dispose();
  });

  it('applies the operation limits to subscription documents', async () => {
    const sheet = await createSheet();
    const deep = `subscription { recordsChanged(datasheetId: "${sheet.id}") { records { ${'datasheet { space { datasheets { '.repeat(5)} id ${'} } } '.repeat(5)} } } }`;
    const sub = subscribe(wsClient(t.url, { token: t.token }), deep);
    const { error } = await sub.ended;
    expect(JSON.stringify(error ?? sub.items)).toContain('QUERY_TOO_COMPLEX');
  });

  it('datasheetChanged delivers schema changes', async () => {
    const sheet = await createSheet();
    const sub = await live(
      t.token,
      'subscription ($id: ID!) { datasheetChanged(datasheetId: $id) { kind targetId sequence author { id } } }',
      {
        id: sheet.id,
      },
    );
    await createRecords(sheet, [{ Item: 'not a schema change' }]);
    const added = await fusion<{ id: string }>(t.url, 'POST', `/v1/spaces/${t.spaceId}/datasheets/${sheet.id}/fields`, {
      token: t.token,
      body: { type: 'SingleText', name: 'Note', property: {} },
    });
    expect(added.body.success).toBe(true);
    const [event] = await sub.take(1);
    expect(event!.data?.datasheetChanged).toMatchObject({ kind: 'FIELD_CREATED', targetId: added.body.data!.id });
    // Deleting the datasheet is its last event: the subscription then ends as for a missing datasheet.
    const deleted = await gql(t.url, 'mutation ($id: ID!) { deleteDatasheet(id: $id) { id } }', {
      token: t.token,
      variables: { id: sheet.id },
    });
    expect(deleted.body.errors).toBeUndefined();
    await sub.ended;
    expect(sub.items.slice(1).map((r) => r.data?.datasheetChanged ?? r.errors?.[0]?.extensions?.code)).toEqual([
      expect.objectContaining({ kind: 'DATASHEET_DELETED', targetId: sheet.id }),
      'NOT_FOUND',
    ]);
    await sub.client.dispose();
  });
});

describe('recordsChanged over GraphQL SSE (Yoga)', () => {
  it('streams the same events to an EventSource with the Authorization header', async () => {
    const sheet = await createSheet();
    const query = encodeURIComponent(RECORDS_CHANGED);
    const variables = encodeURIComponent(JSON.stringify({ id: sheet.id }));
    const before = t.app.openSubscriptions();
    const source = eventSource(`${t.url}/graphql?query=${query}&variables=${variables}`, t.token);
    await until(() => t.app.openSubscriptions() > before, 'the SSE subscription');
    const [rec] = await createRecords(sheet, [{ Item: 'sse', Qty: 1 }]);
    const [message] = await source.take(1);
    expect((message!.data as GqlResult).data?.recordsChanged).toMatchObject({ kind: 'CREATED', recordIds: [rec] });
    source.close();
    await until(() => t.app.openSubscriptions() === before, 'the SSE subscription to end');
  });
});

/** A record's cell changes in field id order: the feed keeps no order among one record's cells. */
function byField(changes: unknown): unknown[] {
  return (changes as { recordId: string; field: string }[]).toSorted(
    (a, b) => a.recordId.localeCompare(b.recordId) || a.field.localeCompare(b.field),
  );
}
