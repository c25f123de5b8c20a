import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedEvent } from '../../src/domain/events/feed.js';
import { ownerScope, startTestApp, type TestApp } from '../support/app.js';
import { fusion } from '../support/fusion.js';
import { gql } from '../support/graphql.js';

let t: TestApp;
let tokenId: string;
let userId: string;
beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT: 'off' });
  const me = await t.app.services.tokens.authenticate(t.token);
  tokenId = me.tokenId;
  userId = me.userId;
});
afterAll(async () => {
  await t?.close();
});

async function createDatasheet(name: string): Promise<{ id: string; fields: { id: string; name: string }[] }> {
  const created = await fusion<{ id: string; fields: { id: string; name: string }[] }>(
    t.url,
    'POST',
    `/v1/spaces/${t.spaceId}/datasheets`,
    {
      token: t.token,
      body: {
        name,
        fields: [
          { name: 'Title', type: 'SingleText', property: {} },
          { name: 'Count', type: 'Number', property: { precision: 0 } },
        ],
      },
    },
  );
  expect(created.body.success, created.text).toBe(true);
  return created.body.data!;
}

const events = (datasheetId: string) => t.app.services.feed.read(datasheetId, null, 1000);

async function gqlOk<D>(query: string, variables?: Record<string, unknown>) {
  const res = await gql<D>(t.url, query, { token: t.token, variables });
  expect(res.body.errors, res.text).toBeUndefined();
  return { data: res.body.data!, requestId: res.headers.get('request-id') };
}

describe('the change feed rows of each kind of write', () => {
  it('records writes over REST: created, updated, deleted with cells, author and request, in sequence', async () => {
    const ds = await createDatasheet('Feed records');
    const [title, count] = ds.fields.map((f) => f.id);
    const created = await fusion<{ records: { recordId: string }[] }>(
      t.url,
      'POST',
      `/v1/datasheets/${ds.id}/records`,
      {
        token: t.token,
        body: { records: [{ fields: { Title: 'a', Count: 1 } }, { fields: { Title: 'b' } }] },
      },
    );
    const [a, b] = created.body.data!.records.map((r) => r.recordId);
    const updated = await fusion(t.url, 'PATCH', `/v1/datasheets/${ds.id}/records`, {
      token: t.token,
      body: { records: [{ recordId: a, fields: { Count: 2 } }] },
    });
    const deleted = await fusion(t.url, 'DELETE', `/v1/datasheets/${ds.id}/records?recordIds=${b}`, { token: t.token });
    expect(deleted.body.success, deleted.text).toBe(true);

    const all = await events(ds.id);
    expect(all.map((e) => [e.sequence, e.kind])).toEqual([
      ['1', 'datasheet.created'],
      ['2', 'records.created'],
      ['3', 'records.updated'],
      ['4', 'records.deleted'],
    ]);
    const [, create, update, remove] = all as [FeedEvent, FeedEvent, FeedEvent, FeedEvent];
    expect(create).toMatchObject({
      spaceId: t.spaceId,
      datasheetId: ds.id,
      recordIds: [a, b],
      targetId: null,
      actorId: userId,
      tokenId,
      requestId: created.headers.get('request-id'),
    });
    expect(create.changes).toEqual(
      expect.arrayContaining([
        { recordId: a, fieldId: title, oldValue: null, newValue: 'a' },
        { recordId: a, fieldId: count, oldValue: null, newValue: 1 },
        { recordId: b, fieldId: title, oldValue: null, newValue: 'b' },
      ]),
    );
    expect(update).toMatchObject({
      recordIds: [a],
      changes: [{ recordId: a, fieldId: count, oldValue: 1, newValue: 2 }],
      tokenId,
      requestId: updated.headers.get('request-id'),
    });
    expect(remove).toMatchObject({
      recordIds: [b],
      changes: [{ recordId: b, fieldId: title, oldValue: 'b', newValue: null }],
      requestId: deleted.headers.get('request-id'),
    });
    // Revisions follow the datasheet's; global ids follow commit order.
    expect(update.revision).toBeGreaterThan(create.revision);
    expect(BigInt(remove.id)).toBeGreaterThan(BigInt(update.id));
    expect(await t.app.services.feed.latestSequence(ds.id)).toBe('4');
    expect(await t.app.services.feed.read(ds.id, '2', 1)).toEqual([update]);
  });

  it('created and updated events read the cells as that write left them, however they changed before being read', async () => {
    const ds = await createDatasheet('Feed created cells');
    const other = await createDatasheet('Feed created cells, moved to');
    const [title, count] = ds.fields.map((f) => f.id);
    const created = await fusion<{ records: { recordId: string }[] }>(
      t.url,
      'POST',
      `/v1/datasheets/${ds.id}/records`,
      {
        token: t.token,
        body: {
          records: [
            { fields: { Title: 'kept' } },
            { fields: { Title: 'changed', Count: 1 } },
            { fields: { Title: 'deleted', Count: 2 } },
            { fields: { Title: 'moved', Count: 3 } },
          ],
        },
      },
    );
    const [kept, changed, deleted, moved] = created.body.data!.records.map((r) => r.recordId);
    // The created records' cells are not stored twice: the event row holds their ids only.
    const [row] = await t.app.database.query<{ changes: unknown }>(
      `SELECT changes FROM change_events WHERE datasheet_id = $1 AND kind = 'records.created'`,
      [ds.id],
    );
    expect(row!.changes).toEqual({});
    for (const fields of [{ Count: 5, Title: 'again' }, { Count: null }]) {
      const res = await fusion(t.url, 'PATCH', `/v1/datasheets/${ds.id}/records`, {
        token: t.token,
        body: { records: [{ recordId: changed, fields }] },
      });
      expect(res.body.success, res.text).toBe(true);
    }
    const removed = await fusion(t.url, 'DELETE', `/v1/datasheets/${ds.id}/records?recordIds=${deleted}`, {
      token: t.token,
    });
    expect(removed.body.success, removed.text).toBe(true);
    await gqlOk(`mutation($ids: [ID!]!, $to: ID!) { moveRecords(ids: $ids, toDatasheetId: $to) { recordIds } }`, {
      ids: [moved],
      to: other.id,
    });
    const moveds = await fusion(t.url, 'PATCH', `/v1/datasheets/${other.id}/records`, {
      token: t.token,
      body: { records: [{ recordId: moved, fields: { Title: 'moved, then changed' } }] },
    });
    expect(moveds.body.success, moveds.text).toBe(true);

    const all = await events(ds.id);
    // Updated events read the changes each update made, not what came after; their rows hold revisions, not cells.
    const updates = all.filter((e) => e.kind === 'records.updated');
    expect(updates.map((e) => e.changes)).toEqual([
      expect.arrayContaining([
        { recordId: changed, fieldId: title, oldValue: 'changed', newValue: 'again' },
        { recordId: changed, fieldId: count, oldValue: 1, newValue: 5 },
      ]),
      [{ recordId: changed, fieldId: count, oldValue: 5, newValue: null }],
    ]);
    expect(updates[0]!.changes).toHaveLength(2);
    const stored = await t.app.database.query<{ changes: unknown }>(
      `SELECT changes FROM change_events WHERE datasheet_id = $1 AND kind = 'records.updated' ORDER BY id`,
      [ds.id],
    );
    expect(stored.map((r) => r.changes)).toEqual([{ [changed!]: 2 }, { [changed!]: 3 }]);
    const create = all.find((e) => e.kind === 'records.created')!;
    expect(create.recordIds).toEqual([kept, changed, deleted, moved]);
    // Cells in record order; a record's fields in no particular order.
    const order = (c: { recordId?: string; fieldId?: string }) =>
      `${create.recordIds.indexOf(c.recordId!)}:${c.fieldId}`;
    expect(create.changes.sort((x, y) => order(x).localeCompare(order(y)))).toEqual([
      { recordId: kept, fieldId: title, oldValue: null, newValue: 'kept' },
      ...[
        { recordId: changed, fieldId: title, oldValue: null, newValue: 'changed' },
        { recordId: changed, fieldId: count, oldValue: null, newValue: 1 },
        { recordId: deleted, fieldId: title, oldValue: null, newValue: 'deleted' },
        { recordId: deleted, fieldId: count, oldValue: null, newValue: 2 },
        { recordId: moved, fieldId: title, oldValue: null, newValue: 'moved' },
        { recordId: moved, fieldId: count, oldValue: null, newValue: 3 },
      ].sort((x, y) => order(x).localeCompare(order(y))),
    ]);
  });

  it('moves, field, view and datasheet changes over GraphQL, with their targets and the GraphQL request', async () => {
    const from = await createDatasheet('Feed from');
    const to = await createDatasheet('Feed to');
    const created = await fusion<{ records: { recordId: string }[] }>(
      t.url,
      'POST',
      `/v1/datasheets/${from.id}/records`,
      {
        token: t.token,
        body: { records: [{ fields: { Title: 'moving' } }] },
      },
    );
    const recordId = created.body.data!.records[0]!.recordId;
    const moved = await gqlOk(
      `mutation($ids: [ID!]!, $to: ID!) { moveRecords(ids: $ids, toDatasheetId: $to) { recordIds } }`,
      {
        ids: [recordId],
        to: to.id,
      },
    );
    const field = await gqlOk<{ createField: { id: string } }>(
      `mutation($ds: ID!) { createField(datasheetId: $ds, input: { name: "Notes", type: "Text" }) { id } }`,
      { ds: to.id },
    );
    const fieldId = field.data.createField.id;
    await gqlOk(
      `mutation($ds: ID!, $f: ID!) { updateField(datasheetId: $ds, fieldId: $f, input: { name: "Memo" }) { id } }`,
      {
        ds: to.id,
        f: fieldId,
      },
    );
    await gqlOk(`mutation($ds: ID!, $f: ID!) { deleteField(datasheetId: $ds, fieldId: $f) { id } }`, {
      ds: to.id,
      f: fieldId,
    });
    const view = await gqlOk<{ createView: { id: string } }>(
      `mutation($ds: ID!) { createView(datasheetId: $ds, input: { name: "Second" }) { id } }`,
      { ds: to.id },
    );
    const viewId = view.data.createView.id;
    await gqlOk(
      `mutation($ds: ID!, $v: ID!) { updateView(datasheetId: $ds, viewId: $v, input: { name: "2nd" }) { id } }`,
      {
        ds: to.id,
        v: viewId,
      },
    );
    await gqlOk(`mutation($ds: ID!, $v: ID!) { deleteView(datasheetId: $ds, viewId: $v) { id } }`, {
      ds: to.id,
      v: viewId,
    });
    await gqlOk(`mutation($ds: ID!) { updateDatasheet(id: $ds, name: "Renamed") { id } }`, { ds: to.id });
    const dropped = await gqlOk(`mutation($ds: ID!) { deleteDatasheet(id: $ds) { id } }`, { ds: to.id });

    const source = await events(from.id);
    expect(source.map((e) => e.kind)).toEqual(['datasheet.created', 'records.created', 'records.moved']);
    expect(source[2]).toMatchObject({
      recordIds: [recordId],
      changes: [],
      detail: { fromDatasheetId: from.id, toDatasheetId: to.id, dropped: [] },
      tokenId,
      requestId: moved.requestId,
    });
    const target = await events(to.id);
    expect(target.map((e) => [e.kind, e.targetId])).toEqual([
      ['datasheet.created', to.id],
      ['records.moved', null],
      ['field.created', fieldId],
      ['field.updated', fieldId],
      ['field.deleted', fieldId],
      ['view.created', viewId],
      ['view.updated', viewId],
      ['view.deleted', viewId],
      ['datasheet.updated', to.id],
      ['datasheet.deleted', to.id],
    ]);
    expect(target.map((e) => e.sequence)).toEqual(target.map((_, i) => String(i + 1)));
    expect(target.at(-1)).toMatchObject({ actorId: userId, tokenId, requestId: dropped.requestId });
  });

  it('a rolled-back batch (one bad record among many) writes no event', async () => {
    const ds = await createDatasheet('Feed rollback');
    const before = await t.app.services.feed.latestSequence(ds.id);
    const records = Array.from({ length: 10 }, (_, i) => ({
      fields: { Title: `r${i}`, Count: i === 7 ? 'seven' : i },
    }));
    const refused = await fusion(t.url, 'POST', `/v1/datasheets/${ds.id}/records`, {
      token: t.token,
      body: { records },
    });
    expect(refused.body.success).toBe(false);
    expect(await t.app.services.feed.latestSequence(ds.id)).toBe(before);
    expect((await events(ds.id)).map((e) => e.kind)).toEqual(['datasheet.created']);
    // The sequence stays gapless: the next write is the next number.
    await fusion(t.url, 'POST', `/v1/datasheets/${ds.id}/records`, {
      token: t.token,
      body: { records: [{ fields: { Title: 'x' } }] },
    });
    expect(await t.app.services.feed.latestSequence(ds.id)).toBe(String(Number(before) + 1));
  });

  it('writes from the services without a request carry the user and no token or request', async () => {
    const ds = await createDatasheet('Feed system');
    await t.app.services.records.create(await ownerScope(t), ds.id, [{ Title: 'direct' }]);
    const last = (await events(ds.id)).at(-1)!;
    expect(last).toMatchObject({ kind: 'records.created', actorId: userId, tokenId: null, requestId: null });
  });
});

describe('live delivery', () => {
  it('subscribe(after) replays then goes live with no gap or duplicate while writes run concurrently', async () => {
    const ds = await createDatasheet('Feed live');
    const write = (i: number) =>
      fusion(t.url, 'POST', `/v1/datasheets/${ds.id}/records`, {
        token: t.token,
        body: { records: [{ fields: { Title: `w${i}`, Count: i } }] },
      });
    for (let i = 0; i < 5; i++) await write(i);
    const resumeAt = '3';
    const seen: string[] = [];
    const writes = Array.from({ length: 20 }, (_, i) => write(100 + i));
    // Subscribes while those writes commit: the replay and the live events meet at an arbitrary point.
    const subscription = t.app.services.feed.subscribe(ds.id, resumeAt, async (event) => {
      seen.push(event.sequence);
      // A slow listener delays only itself.
      await new Promise((resolve) => setTimeout(resolve, 1));
    });
    await Promise.all(writes);
    await t.app.services.feed.drain();
    subscription.close();
    const latest = Number(await t.app.services.feed.latestSequence(ds.id));
    expect(latest).toBe(26);
    expect(seen).toEqual(Array.from({ length: latest - 3 }, (_, i) => String(4 + i)));
  });

  it('a subscription without a resume point gets only what commits after it, other datasheets none', async () => {
    const ds = await createDatasheet('Feed fresh');
    const other = await createDatasheet('Feed other');
    const got: FeedEvent[] = [];
    const subscription = t.app.services.feed.subscribe(ds.id, null, (event) => void got.push(event));
    await t.app.services.feed.drain();
    await fusion(t.url, 'POST', `/v1/datasheets/${other.id}/records`, {
      token: t.token,
      body: { records: [{ fields: { Title: 'x' } }] },
    });
    await fusion(t.url, 'POST', `/v1/datasheets/${ds.id}/records`, {
      token: t.token,
      body: { records: [{ fields: { Title: 'x' } }] },
    });
    await t.app.services.feed.drain();
    subscription.close();
    subscription.close();
    expect(got.map((e) => [e.datasheetId, e.kind, e.sequence])).toEqual([[ds.id, 'records.created', '2']]);
  });
});

describe('durable consumers', () => {
  it('get every event once acknowledged, in commit order, retried after a throw', async () => {
    const ds = await createDatasheet('Feed consumer');
    const batches: string[][] = [];
    let failures = 1;
    t.app.services.feed.consume('test-consumer', async (events) => {
      const mine = events.filter((e) => e.datasheetId === ds.id);
      if (mine.length && failures-- > 0) throw new Error('receiver down');
      batches.push(mine.map((e) => e.sequence));
    });
    await fusion(t.url, 'POST', `/v1/datasheets/${ds.id}/records`, {
      token: t.token,
      body: { records: [{ fields: { Title: 'x' } }] },
    });
    await t.app.services.feed.drain();
    const seen = batches.flat();
    expect(seen).toEqual(['1', '2']);
    const [cursor] = await t.app.database.query<{ last_id: string }>(
      `SELECT last_id::text AS last_id FROM feed_cursors WHERE consumer = 'test-consumer'`,
    );
    const [highest] = await t.app.database.query<{ id: string }>('SELECT max(id)::text AS id FROM change_events');
    expect(cursor!.last_id).toBe(highest!.id);
  });

  it('the audit log is written once per schema event, even when the feed delivers it again', async () => {
    const ds = await createDatasheet('Feed audited');
    await t.app.services.audit.flush();
    const count = async () =>
      (
        await t.app.database.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM audit_events WHERE detail->>'datasheetId' = $1`,
          [ds.id],
        )
      )[0]!.n;
    expect(await count()).toBe(1);
    const [row] = await t.app.database.query<{ token_id: string; request_id: string | null }>(
      `SELECT token_id, request_id FROM audit_events WHERE detail->>'datasheetId' = $1`,
      [ds.id],
    );
    expect(row!.token_id).toBe(tokenId);
    // Redelivery: rewind the audit consumer to the start and let it run again.
    await t.app.database.query(`UPDATE feed_cursors SET last_id = 0 WHERE consumer = 'audit'`);
    await fusion(t.url, 'POST', `/v1/datasheets/${ds.id}/records`, {
      token: t.token,
      body: { records: [{ fields: { Title: 'x' } }] },
    });
    await t.app.services.audit.flush();
    expect(await count()).toBe(1);
  });
});

describe('retention', () => {
  it('prunes events past the window, but none a live durable consumer has still to read', async () => {
    const ds = await createDatasheet('Feed pruned');
    await t.app.services.feed.drain();
    let stuck = true;
    t.app.services.feed.consume('stuck-consumer', async (events) => {
      if (stuck && events.some((e) => e.datasheetId === ds.id)) throw new Error('stuck');
    });
    await fusion(t.url, 'POST', `/v1/datasheets/${ds.id}/records`, {
      token: t.token,
      body: { records: [{ fields: { Title: 'x' } }] },
    });
    const later = new Date(Date.now() + 8 * 86_400_000);
    await t.app.services.feed.prune(later);
    // The stuck consumer still needs the datasheet's events: they are kept (and anything after them).
    expect((await events(ds.id)).length).toBe(2);
    stuck = false;
    await t.app.database.query(`UPDATE feed_cursors SET last_id = (SELECT max(id) FROM change_events)`);
    await t.app.services.feed.prune(later);
    expect(await events(ds.id)).toEqual([]);
    // The sequence goes on past pruned events; a resume point older than the window reads from the oldest retained.
    await fusion(t.url, 'POST', `/v1/datasheets/${ds.id}/records`, {
      token: t.token,
      body: { records: [{ fields: { Title: 'x' } }] },
    });
    expect((await t.app.services.feed.read(ds.id, '0', 10)).map((e) => e.sequence)).toEqual(['3']);
  });
});
