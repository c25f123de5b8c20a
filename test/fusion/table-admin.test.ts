import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.js';
import { PLAN_LIMITS } from '../../src/domain/limits.js';
import { ownerScope, startTestApp, type TestApp } from '../support/app.js';
import { fusion } from '../support/fusion.js';

/** Extensions over HTTP: datasheet detail, rename, row cap and deletion; field updates. */
let t: TestApp;
let scope: { spaceId: string; userId: string };
let editorToken: string;
/** The row cap of the bootstrap space's plan (a datasheet may go below it, never above). */
let planCap: number;

const call = <T = Record<string, unknown>>(method: string, path: string, body?: unknown, token = t.token) =>
  fusion<T>(t.url, method, path, { token, body });

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT: 'off' });
  scope = await ownerScope(t);
  const id = newId('user');
  await t.app.prisma.user.create({ data: { id, name: 'Editor' } });
  await t.app.prisma.spaceMember.create({ data: { spaceId: t.spaceId, userId: id, role: 'editor' } });
  editorToken = (await t.app.services.tokens.create({ spaceId: t.spaceId, userId: id })).secret;
  const space = await t.app.prisma.space.findUniqueOrThrow({ where: { id: t.spaceId } });
  planCap = PLAN_LIMITS[space.plan].rowsPerDatasheet;
});
afterAll(async () => {
  await t?.close();
});

async function sheet(name = 'Admin') {
  return t.app.services.datasheets.create(scope, {
    name,
    fields: [
      { name: 'Name', type: 'SingleText', property: {} },
      { name: 'Qty', type: 'Number', property: { precision: 0 } },
    ],
  });
}

describe('GET /datasheets/{datasheetId}', () => {
  it('answers the name, record count and the row cap in force', async () => {
    const ds = await sheet('Detailed');
    await t.app.services.records.create(scope, ds.id, [{ Name: 'a' }, { Name: 'b' }]);
    const r = await call('GET', `/v1/datasheets/${ds.id}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      success: true,
      code: 200,
      message: 'SUCCESS',
      data: { id: ds.id, name: 'Detailed', recordCount: 2, rowCap: planCap, rowCapOverride: null, parentId: null },
    });
    expect(typeof (r.body.data as { createdAt: unknown }).createdAt).toBe('number');
  });

  it('answers an unknown datasheet with code 301', async () => {
    const r = await call('GET', '/v1/datasheets/dstNOPENOPENOPENOPE');
    expect([r.status, r.body]).toEqual([
      200,
      { success: false, code: 301, message: "Can't find the specified datasheet" },
    ]);
  });
});

describe('PATCH /datasheets/{datasheetId}', () => {
  it('renames, and sets then clears the row cap, which binds the next write', async () => {
    const ds = await sheet();
    const renamed = await call('PATCH', `/v1/datasheets/${ds.id}`, { name: 'Renamed' });
    expect(renamed.body).toMatchObject({ success: true, data: { name: 'Renamed', rowCap: planCap } });
    expect((await t.app.services.datasheets.get(scope, ds.id)).name).toBe('Renamed');

    const capped = await call('PATCH', `/v1/datasheets/${ds.id}`, { rowCap: 1 });
    expect(capped.body).toMatchObject({ success: true, data: { rowCap: 1, rowCapOverride: 1 } });
    const records = (n: number) => ({ records: Array.from({ length: n }, (_, i) => ({ fields: { Name: `r${i}` } })) });
    expect((await call('POST', `/v1/datasheets/${ds.id}/records`, records(1))).body.success).toBe(true);
    const over = await call('POST', `/v1/datasheets/${ds.id}/records`, records(1));
    expect([over.status, over.body.code, over.body.success]).toEqual([500, 304, false]);

    const cleared = await call('PATCH', `/v1/datasheets/${ds.id}`, { rowCap: null });
    expect(cleared.body).toMatchObject({ success: true, data: { rowCap: planCap, rowCapOverride: null } });
    expect((await call('POST', `/v1/datasheets/${ds.id}/records`, records(1))).body.success).toBe(true);
  });

  it.each([
    [{}, 'name'],
    [{ name: '' }, 'name'],
    [{ rowCap: 0 }, 'rowCap'],
    [{ rowCap: 1.5 }, 'rowCap'],
    [{ rowCap: 'one more than the plan' }, 'rowCap'],
    [{ rowCap: 'many' }, 'rowCap'],
  ])('refuses %j naming %s, changing nothing', async (body, parameter) => {
    const ds = await sheet('Unchanged');
    const sent = (body as { rowCap?: unknown }).rowCap === 'one more than the plan' ? { rowCap: planCap + 1 } : body;
    const r = await call('PATCH', `/v1/datasheets/${ds.id}`, sent);
    expect([r.status, r.body.code, r.body.success]).toEqual([200, 400, false]);
    expect(r.body.message).toContain(parameter);
    expect(await t.app.services.datasheets.detail(scope, ds.id)).toMatchObject({
      name: 'Unchanged',
      rowCapOverride: null,
    });
  });

  it('checks both before writing either: a bad cap leaves the name', async () => {
    const ds = await sheet('Kept');
    const r = await call('PATCH', `/v1/datasheets/${ds.id}`, { name: 'New', rowCap: -1 });
    expect(r.body).toMatchObject({ success: false, code: 400 });
    expect((await t.app.services.datasheets.detail(scope, ds.id)).name).toBe('Kept');
  });

  it("is an admin's: an editor's token is denied (code 602) and nothing changes", async () => {
    const ds = await sheet('Guarded');
    const r = await call('PATCH', `/v1/datasheets/${ds.id}`, { rowCap: 5 }, editorToken);
    expect([r.status, r.body]).toEqual([200, { success: false, code: 602, message: 'Operation denied' }]);
    expect((await t.app.services.datasheets.detail(scope, ds.id)).rowCapOverride).toBeNull();
    // The editor still reads the detail.
    expect((await call('GET', `/v1/datasheets/${ds.id}`, undefined, editorToken)).body.success).toBe(true);
  });
});

describe('DELETE /datasheets/{datasheetId}', () => {
  it('deletes the datasheet with its records; then it answers 301', async () => {
    const ds = await sheet('Doomed');
    await t.app.services.records.create(scope, ds.id, [{ Name: 'gone' }]);
    const r = await call('DELETE', `/v1/datasheets/${ds.id}`);
    expect(r.body).toEqual({ code: 200, success: true, data: {}, message: 'SUCCESS' });
    expect((await call('GET', `/v1/datasheets/${ds.id}/records`)).body.code).toBe(301);
    expect((await call('DELETE', `/v1/datasheets/${ds.id}`)).body.code).toBe(301);
  });

  it('is refused to an editor (602), leaving the datasheet', async () => {
    const ds = await sheet('Kept too');
    const r = await call('DELETE', `/v1/datasheets/${ds.id}`, undefined, editorToken);
    expect(r.body).toEqual({ success: false, code: 602, message: 'Operation denied' });
    expect((await call('GET', `/v1/datasheets/${ds.id}`)).body.success).toBe(true);
  });
});

describe('PATCH /datasheets/{datasheetId}/fields/{fieldId}', () => {
  it('renames a field, sets its description and property; reads keep working under the new name', async () => {
    const ds = await sheet('Fields');
    const qty = ds.fields[1]!;
    await t.app.services.records.create(scope, ds.id, [{ Name: 'x', Qty: 3 }]);
    const r = await call('PATCH', `/v1/datasheets/${ds.id}/fields/${qty.id}`, {
      name: 'Quantity',
      description: 'how many',
      property: { precision: 2 },
    });
    expect(r.body).toMatchObject({
      success: true,
      data: { id: qty.id, name: 'Quantity', type: 'Number', desc: 'how many', property: { precision: 2 } },
    });
    const page = await call<{ records: { fields: Record<string, unknown> }[] }>(
      'GET',
      `/v1/datasheets/${ds.id}/records`,
    );
    expect(page.body.data!.records[0]!.fields).toMatchObject({ Quantity: 3 });
  });

  it.each([
    [{ name: '' }, 'name'],
    [{ type: 'Formula', property: { expression: '1' } }, 'type'],
    [{ type: 'NoSuchType' }, 'type'],
    [{ property: { precision: 'lots' } }, 'precision'],
    [{}, 'name'],
    [{ records: [{ fields: { Name: 'x' } }] }, 'name'],
    [[], 'body'],
  ])('refuses %j naming %s', async (body, parameter) => {
    const ds = await sheet('Bad fields');
    const r = await call('PATCH', `/v1/datasheets/${ds.id}/fields/${ds.fields[1]!.id}`, body);
    expect([r.status, r.body.code, r.body.success]).toEqual([200, 400, false]);
    expect(r.body.message.toLowerCase()).toContain(parameter.toLowerCase());
    expect((await t.app.services.datasheets.get(scope, ds.id)).fields[1]).toMatchObject({
      name: 'Qty',
      type: 'Number',
    });
  });

  it('converts the cells on a type change (field-conversion.test.ts has each conversion)', async () => {
    const ds = await sheet('Retype');
    const qty = ds.fields[1]!;
    await t.app.services.records.create(scope, ds.id, [{ Name: 'x', Qty: 3 }]);
    const r = await call('PATCH', `/v1/datasheets/${ds.id}/fields/${qty.id}`, { type: 'Text' });
    expect(r.body).toMatchObject({ success: true, data: { id: qty.id, name: 'Qty', type: 'Text' } });
    const page = await call<{ records: { fields: Record<string, unknown> }[] }>(
      'GET',
      `/v1/datasheets/${ds.id}/records`,
    );
    expect(page.body.data!.records[0]!.fields).toMatchObject({ Qty: '3' });
  });

  it('refuses a type change it does not support, naming type and the pair', async () => {
    const ds = await sheet('No retype');
    const r = await call('PATCH', `/v1/datasheets/${ds.id}/fields/${ds.fields[1]!.id}`, { type: 'AutoNumber' });
    expect(r.body).toEqual({
      success: false,
      code: 400,
      message:
        'Changing the type of field Qty from Number to AutoNumber is not supported: no field converts into AutoNumber',
    });
  });

  it('answers an unknown field naming fieldId', async () => {
    const ds = await sheet('No field');
    const r = await call('PATCH', `/v1/datasheets/${ds.id}/fields/fldNOPENOPENOP`, { name: 'x' });
    expect(r.body).toEqual({ success: false, code: 400, message: 'fieldId "fldNOPENOPENOP" does not exist' });
  });
});

describe('DELETE …/fields/{fieldId} of a two-way link', () => {
  async function linked() {
    const a = await sheet('Orders');
    const b = await sheet('Customers');
    const link = await t.app.services.fields.add(scope, a.id, {
      name: 'Customer',
      type: 'TwoWayLink',
      property: { foreignDatasheetId: b.id },
    });
    const sibling = (link.property as { brotherFieldId: string }).brotherFieldId;
    const [ann, bob] = await t.app.services.records.create(scope, b.id, [{ Name: 'Ann' }, { Name: '' }]);
    await t.app.services.records.create(scope, a.id, [
      { Name: 'o1', Customer: [ann!.id] },
      { Name: 'o2', Customer: [ann!.id, bob!.id] },
    ]);
    return { a, b, link, sibling, ann: ann!, bob: bob! };
  }
  const remove = (datasheetId: string, fieldId: string, body?: unknown) =>
    call('DELETE', `/v1/spaces/${t.spaceId}/datasheets/${datasheetId}/fields/${fieldId}`, body);

  it('with keepText turns the sibling into a text field of the titles it linked', async () => {
    const { a, b, link, sibling, ann, bob } = await linked();
    expect((await remove(a.id, link.id, { conversion: 'keepText' })).body).toMatchObject({ success: true, data: {} });
    const fields = await call<{ fields: { id: string; type: string }[] }>('GET', `/v1/datasheets/${b.id}/fields`);
    expect(fields.body.data!.fields.find((f) => f.id === sibling)).toMatchObject({ type: 'Text' });
    const page = await call<{ records: { recordId: string; fields: Record<string, unknown> }[] }>(
      'GET',
      `/v1/datasheets/${b.id}/records?fieldKey=id`,
    );
    const byId = new Map(page.body.data!.records.map((r) => [r.recordId, r.fields[sibling]]));
    expect(byId.get(ann.id)).toBe('o1, o2');
    expect(byId.get(bob.id)).toBe('o2');
    // The text field takes text writes like any other.
    const write = await call('PATCH', `/v1/datasheets/${b.id}/records`, {
      records: [{ recordId: bob.id, fields: { [sibling]: 'typed' } }],
      fieldKey: 'id',
    });
    expect(write.body.success).toBe(true);
  });

  it('with delete removes the sibling; without a conversion the sibling becomes a one-way link', async () => {
    const first = await linked();
    await remove(first.a.id, first.link.id, { conversion: 'delete' });
    expect((await t.app.services.datasheets.get(scope, first.b.id)).fields.some((f) => f.id === first.sibling)).toBe(
      false,
    );
    const second = await linked();
    await remove(second.a.id, second.link.id);
    expect(
      (await t.app.services.datasheets.get(scope, second.b.id)).fields.find((f) => f.id === second.sibling),
    ).toMatchObject({ type: 'OneWayLink' });
  });

  it('refuses another conversion naming it', async () => {
    const { a, link } = await linked();
    const r = await remove(a.id, link.id, { conversion: 'melt' });
    expect(r.body).toMatchObject({ success: false, code: 400 });
    expect(r.body.message).toMatch(/^Invalid value for conversion/);
  });
});
