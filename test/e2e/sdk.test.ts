import { APITable } from 'apitable';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

/**
 * The official AITable JS SDK (npm `apitable`, pinned) against a started server, unchanged: its own
 * query encodings (qs brackets), bodies and envelope handling.
 */
let t: TestApp;
let api: APITable;
let dst: string;

beforeAll(async () => {
  t = await startTestApp();
  api = new APITable({ token: t.token, host: t.url, fieldKey: 'name', requestTimeout: 20_000 });
});
afterAll(async () => {
  await t?.close();
});

describe('the official JS SDK', () => {
  it('lists spaces, creates a datasheet and a field', async () => {
    const spaces = await api.spaces.list();
    expect(spaces.success).toBe(true);
    expect((spaces.data as { spaces: { id: string }[] }).spaces.map((s) => s.id)).toEqual([t.spaceId]);
    const created = await api.space(t.spaceId).datasheets.create({
      name: 'SDK deals',
      fields: [
        { name: 'Name', type: 'SingleText', property: {} },
        { name: 'Qty', type: 'Number', property: { precision: 0 } },
        { name: 'Stage', type: 'SingleSelect', property: { options: [{ name: 'Lead' }, { name: 'Won' }] } },
      ],
    } as never);
    expect(created.success).toBe(true);
    dst = created.data!.id;
    const field = await api
      .space(t.spaceId)
      .datasheet(dst)
      .fields.create({ name: 'Notes', type: 'Text' } as never);
    expect(field.data).toMatchObject({ id: expect.stringMatching(/^fld/), name: 'Notes' });
  });

  it('creates 25 records in chunks of 10 and refuses a chunk of 11', async () => {
    const records = Array.from({ length: 25 }, (_, i) => ({
      fields: { Name: `deal ${String(i).padStart(2, '0')}`, Qty: i % 7, Stage: i % 2 ? 'Won' : 'Lead' },
    }));
    for (let i = 0; i < records.length; i += 10) {
      const res = await api.datasheet(dst).records.create(records.slice(i, i + 10));
      expect(res.success).toBe(true);
    }
    const tooMany = await api.datasheet(dst).records.create(records.slice(0, 11));
    expect(tooMany).toMatchObject({
      success: false,
      code: 400,
      message: "Can't update/delete/create more than $10  records in one single request",
    });
  });

  it('walks every record with queryAll over two pages of one', async () => {
    const pages: number[] = [];
    for await (const page of api.datasheet(dst).records.queryAll({ maxRecords: 2 } as never)) pages.push(page.length);
    expect(pages).toEqual([2]);
    const all: string[] = [];
    for await (const page of api.datasheet(dst).records.queryAll())
      all.push(...page.map((r) => r.fields.Name as string));
    expect(all).toHaveLength(25);
    const res = await api.datasheet(dst).records.query({ pageSize: 20, pageNum: 2 });
    expect(res.data).toMatchObject({ total: 25, pageNum: 2, pageSize: 5 });
  });

  it('sorts on two fields (the brackets form the reference server gets wrong)', async () => {
    const res = await api.datasheet(dst).records.query({
      sort: [
        { field: 'Qty', order: 'desc' },
        { field: 'Name', order: 'asc' },
      ],
      pageSize: 4,
    });
    expect(res.data!.records.map((r) => [r.fields.Qty, r.fields.Name])).toEqual([
      [6, 'deal 06'],
      [6, 'deal 13'],
      [6, 'deal 20'],
      [5, 'deal 05'],
    ]);
  });

  it('filters by formula', async () => {
    const res = await api.datasheet(dst).records.query({ filterByFormula: 'AND({Qty} = 6, {Stage} = "Won")' });
    expect(res.data!.records.map((r) => r.fields.Name)).toEqual(['deal 13']);
  });

  it('selects fields, record ids, a view, string cells and id keys', async () => {
    const first = await api.datasheet(dst).records.query({ pageSize: 2 });
    const [a, b] = first.data!.records;
    const byIds = await api.datasheet(dst).records.get([b!.recordId, a!.recordId]);
    expect(byIds.data!.records.map((r) => r.recordId)).toEqual([b!.recordId, a!.recordId]);
    const projected = await api.datasheet(dst).records.query({ fields: ['Qty', 'Name'], pageSize: 1 });
    expect(Object.keys(projected.data!.records[0]!.fields)).toEqual(['Qty', 'Name']);
    const views = await api.datasheet(dst).views.list();
    const viewId = views.data!.views[0]!.id;
    expect((await api.datasheet(dst).records.query({ viewId, pageSize: 1 })).success).toBe(true);
    const strings = await api.datasheet(dst).records.query({ cellFormat: 'string', recordIds: [a!.recordId] } as never);
    expect(strings.data!.records[0]!.fields).toMatchObject({ Qty: '0', Stage: 'Lead' });
    const fields = await api.datasheet(dst).fields.list();
    const qtyId = fields.data!.fields.find((f) => f.name === 'Qty')!.id;
    const byId = await api.datasheet(dst).records.query({ fieldKey: 'id', pageSize: 1 });
    expect(byId.data!.records[0]!.fields).toHaveProperty(qtyId);
  });

  it('updates and deletes', async () => {
    const [row] = (await api.datasheet(dst).records.query({ pageSize: 1 })).data!.records;
    const updated = await api
      .datasheet(dst)
      .records.update([{ recordId: row!.recordId, fields: { Name: 'renamed', Qty: null } }]);
    expect(updated.data!.records[0]!.fields).toMatchObject({ Name: 'renamed' });
    expect(updated.data!.records[0]!.fields).not.toHaveProperty('Qty');
    const deleted = await api.datasheet(dst).records.delete([row!.recordId]);
    expect(deleted.success).toBe(true);
    expect((await api.datasheet(dst).records.query({ pageSize: 1 })).data!.total).toBe(24);
  });

  it('lists, gets and searches nodes', async () => {
    const folder = 'fod' + 'SdkFolder000001';
    await t.app.prisma.node.create({
      data: { id: folder, spaceId: t.spaceId, type: 'FOLDER', name: 'Archive', position: -10 },
    });
    await t.app.prisma.node.update({ where: { id: dst }, data: { parentId: folder } });
    const list = await api.nodes.list({ spaceId: t.spaceId });
    expect(list.data!.nodes).toEqual([
      { id: folder, name: 'Archive', type: 'Folder', icon: '', isFav: false, permission: 0 },
    ]);
    const detail = await api.nodes.get({ spaceId: t.spaceId, nodeId: folder });
    expect(detail.data).toMatchObject({
      id: folder,
      type: 'Folder',
      children: [{ id: dst, name: 'SDK deals', type: 'Datasheet' }],
    });
    const found = await api.nodes.search({
      spaceId: t.spaceId,
      type: 'Datasheet' as never,
      permissions: [0, 1],
      query: 'sdk',
    } as never);
    expect(found.data!.nodes).toEqual([expect.objectContaining({ id: dst, parentId: folder, permission: 0 })]);
  });

  it('gets the reference errors: 401 for a bad token, 301 for an unknown datasheet', async () => {
    const bad = new APITable({ token: 'tbk_wrong', host: t.url });
    expect(await bad.spaces.list()).toMatchObject({ success: false, code: 401, message: 'Unauthorized' });
    expect(await api.datasheet('dstNope000000000').records.query()).toMatchObject({
      success: false,
      code: 301,
      message: "Can't find the specified datasheet",
    });
  });
});
