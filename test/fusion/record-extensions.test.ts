import { APITable } from 'apitable';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerScope, startTestApp, type TestApp } from '../support/app.js';
import { fusion } from '../support/fusion.js';

/** Extensions over HTTP: record moves, a record's history, atomic batches, upsert and keyset paging. */
let t: TestApp;
let scope: { spaceId: string; userId: string };

type Rec = { recordId: string; fields: Record<string, unknown> };
const call = <T = Record<string, unknown>>(method: string, path: string, body?: unknown, token = t.token) =>
  fusion<T>(t.url, method, path, { token, body });

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT: 'off' });
  scope = await ownerScope(t);
});
afterAll(async () => {
  await t?.close();
});

async function sheet(name: string, extra: { name: string; type: string; property?: unknown }[] = []) {
  return t.app.services.datasheets.create(scope, {
    name,
    fields: [
      { name: 'Name', type: 'SingleText', property: {} },
      { name: 'Qty', type: 'Number', property: { precision: 0 } },
      ...extra,
    ],
  });
}
const ids = async (datasheetId: string) =>
  (await t.app.services.records.get(scope, datasheetId)).map((r) => r.id).sort();

describe('POST /datasheets/{datasheetId}/records/move', () => {
  it('moves records, keeping ids; answers the fields mapped and dropped', async () => {
    const from = await sheet('From', [{ name: 'Note', type: 'Text' }]);
    const to = await sheet('To');
    const made = await t.app.services.records.create(scope, from.id, [{ Name: 'a', Qty: 1, Note: 'n' }, { Name: 'b' }]);
    const r = await call<{ recordIds: string[]; mapped: unknown[]; dropped: unknown[] }>(
      'POST',
      `/v1/datasheets/${from.id}/records/move`,
      { recordIds: [made[0]!.id], toDatasheetId: to.id },
    );
    expect(r.body).toMatchObject({ success: true, code: 200, message: 'SUCCESS' });
    expect(r.body.data).toEqual({
      recordIds: [made[0]!.id],
      mapped: [
        { fieldId: from.fields[0]!.id, fieldName: 'Name', toFieldId: to.fields[0]!.id },
        { fieldId: from.fields[1]!.id, fieldName: 'Qty', toFieldId: to.fields[1]!.id },
      ],
      dropped: [
        { fieldId: from.fields[2]!.id, fieldName: 'Note', reason: 'no field of that name in the target datasheet' },
      ],
    });
    expect(await ids(to.id)).toEqual([made[0]!.id]);
    expect(await ids(from.id)).toEqual([made[1]!.id]);
  });

  it.each([
    [(_to: string) => ({ recordIds: [], toDatasheetId: _to }), 'recordIds'],
    [(to: string) => ({ recordIds: Array.from({ length: 11 }, (_, i) => `rec${i}`), toDatasheetId: to }), 'records'],
    [(to: string) => ({ recordIds: ['recNOPENOPENOPE'], toDatasheetId: to }), 'recordId'],
    [(_to: string) => ({ recordIds: ['recX'] }), 'toDatasheetId'],
  ])('refuses a bad body (%#) naming %s', async (body, parameter) => {
    const from = await sheet('From bad');
    const to = await sheet('To bad');
    const r = await call('POST', `/v1/datasheets/${from.id}/records/move`, body(to.id));
    expect([r.status, r.body.code, r.body.success]).toEqual([200, 400, false]);
    expect(r.body.message).toContain(parameter);
  });

  it('answers a target outside the token (another space, or beyond a restricted token) as missing', async () => {
    const from = await sheet('From guarded');
    const to = await sheet('To guarded');
    const [rec] = await t.app.services.records.create(scope, from.id, [{ Name: 'stay' }]);
    const restricted = await t.app.services.tokens.create({ spaceId: t.spaceId, datasheetIds: [from.id] });
    const other = await t.app.services.spaces.create({ name: 'Far' });
    const far = await t.app.services.datasheets.create({ spaceId: other.id, userId: other.ownerId }, { name: 'Far' });
    for (const [target, token] of [
      [to.id, restricted.secret],
      [far.id, t.token],
    ] as const) {
      const r = await call(
        'POST',
        `/v1/datasheets/${from.id}/records/move`,
        { recordIds: [rec!.id], toDatasheetId: target },
        token,
      );
      expect(r.body).toEqual({ success: false, code: 301, message: "Can't find the specified datasheet" });
    }
    expect(await ids(from.id)).toEqual([rec!.id]);
  });
});

describe('GET /datasheets/{datasheetId}/records/{recordId}/history', () => {
  it('pages the history newest first with a cursor, ending with the creation', async () => {
    const ds = await sheet('History');
    const [rec] = await t.app.services.records.create(scope, ds.id, [{ Name: 'v0' }]);
    for (const v of ['v1', 'v2', 'v3'])
      await t.app.services.records.update(scope, ds.id, [{ recordId: rec!.id, fields: { Name: v } }]);
    type Page = { changes: { kind: string; newValue: unknown; at: number }[]; nextCursor: string | null };
    const path = `/v1/datasheets/${ds.id}/records/${rec!.id}/history`;
    const first = await call<Page>('GET', `${path}?pageSize=2`);
    expect(first.body.data!.changes.map((c) => [c.kind, c.newValue])).toEqual([
      ['updated', 'v3'],
      ['updated', 'v2'],
    ]);
    expect(typeof first.body.data!.changes[0]!.at).toBe('number');
    const second = await call<Page>('GET', `${path}?pageSize=2&cursor=${first.body.data!.nextCursor}`);
    expect(second.body.data!.changes.map((c) => [c.kind, c.newValue])).toEqual([
      ['updated', 'v1'],
      ['created', 'v0'],
    ]);
    expect(second.body.data!.nextCursor).toBeNull();
  });

  it.each([
    ['pageSize=0', 'pageSize'],
    ['pageSize=abc', 'pageSize'],
    ['cursor=not-a-cursor', 'cursor'],
  ])('refuses %s naming %s', async (query, parameter) => {
    const ds = await sheet('History bad');
    const [rec] = await t.app.services.records.create(scope, ds.id, [{ Name: 'x' }]);
    const r = await call('GET', `/v1/datasheets/${ds.id}/records/${rec!.id}/history?${query}`);
    expect([r.status, r.body.code, r.body.success]).toEqual([200, 400, false]);
    expect(r.body.message + JSON.stringify(r.body)).toContain(parameter);
  });

  it('answers a record of another datasheet (or none) as missing, even one the token reaches', async () => {
    const a = await sheet('History A');
    const b = await sheet('History B');
    const [rec] = await t.app.services.records.create(scope, b.id, [{ Name: 'in b' }]);
    for (const recordId of [rec!.id, 'recNOPENOPENOPE']) {
      const r = await call('GET', `/v1/datasheets/${a.id}/records/${recordId}/history`);
      expect(r.body).toEqual({
        success: false,
        code: 400,
        message: 'The record specified by the recordId does not exist',
      });
    }
    // A deleted record keeps its history through its datasheet.
    await t.app.services.records.delete(scope, b.id, [rec!.id]);
    const gone = await call<{ changes: { kind: string }[] }>(
      'GET',
      `/v1/datasheets/${b.id}/records/${rec!.id}/history`,
    );
    expect(gone.body.data!.changes[0]!.kind).toBe('deleted');
  });
});

describe('POST /datasheets/{datasheetId}/records/batch', () => {
  it('creates, updates and deletes in one call', async () => {
    const ds = await sheet('Batch');
    const [keep, drop] = await t.app.services.records.create(scope, ds.id, [{ Name: 'keep' }, { Name: 'drop' }]);
    type Out = { created: Rec[]; updated: Rec[]; deleted: string[] };
    const r = await call<Out>('POST', `/v1/datasheets/${ds.id}/records/batch`, {
      creates: [{ fields: { Name: 'new', Qty: 2 } }],
      updates: [{ recordId: keep!.id, fields: { Qty: 7 }, expectedRevision: 1 }],
      deletes: [drop!.id],
    });
    expect(r.body).toMatchObject({ success: true, code: 200 });
    expect(r.body.data!.created[0]!.fields).toEqual({ Name: 'new', Qty: 2 });
    expect(r.body.data!.updated).toMatchObject([{ recordId: keep!.id, fields: { Name: 'keep', Qty: 7 } }]);
    expect(r.body.data!.deleted).toEqual([drop!.id]);
    expect(await ids(ds.id)).toEqual([keep!.id, r.body.data!.created[0]!.recordId].sort());
  });

  it.each([
    [false, {}, 'changes'],
    [true, { updates: [{ recordId: 'recNOPENOPENOPE', fields: { Qty: 1 } }] }, 'recordId'],
    [false, { updates: [{ recordId: 'recSAME', fields: { Qty: 1 } }], deletes: ['recSAME'] }, 'updates[0].recordId'],
    [true, { updates: [{ fields: { Qty: 1 } }] }, 'recordId'],
    [true, { creates: [{ fields: { Qty: 'many' } }] }, 'Qty'],
    [false, { creates: Array.from({ length: 501 }, () => ({ fields: {} })) }, '500'],
  ])('refuses %#, naming %s, and writes nothing', async (withDelete, body, named) => {
    const ds = await sheet('Batch bad');
    const [rec] = await t.app.services.records.create(scope, ds.id, [{ Name: 'still here' }]);
    const r = await call('POST', `/v1/datasheets/${ds.id}/records/batch`, {
      ...body,
      ...(withDelete ? { deletes: [rec!.id] } : {}),
    });
    expect([r.status, r.body.code, r.body.success]).toEqual([200, 400, false]);
    expect(r.body.message).toContain(named);
    expect(await ids(ds.id)).toEqual([rec!.id]);
  });

  it('is all or nothing: a stale expectedRevision fails the whole batch', async () => {
    const ds = await sheet('Batch stale');
    const [rec] = await t.app.services.records.create(scope, ds.id, [{ Name: 'x' }]);
    const r = await call('POST', `/v1/datasheets/${ds.id}/records/batch`, {
      creates: [{ fields: { Name: 'not created' } }],
      updates: [{ recordId: rec!.id, fields: { Qty: 1 }, expectedRevision: 9 }],
    });
    expect(r.body).toMatchObject({ success: false, code: 400 });
    expect(await ids(ds.id)).toEqual([rec!.id]);
  });
});

describe('POST /datasheets/{datasheetId}/records with fieldsToMergeOn (upsert)', () => {
  it('updates the record matching the merge fields and creates the rest, answering ids as Airtable', async () => {
    const ds = await sheet('Upsert');
    const [ann] = await t.app.services.records.create(scope, ds.id, [{ Name: 'Ann', Qty: 1 }]);
    type Out = { records: Rec[]; createdRecords: string[]; updatedRecords: string[] };
    const r = await call<Out>('POST', `/v1/datasheets/${ds.id}/records`, {
      records: [{ fields: { Name: 'Ann', Qty: 5 } }, { fields: { Name: 'Bob', Qty: 2 } }],
      fieldsToMergeOn: ['Name'],
    });
    expect(r.body).toMatchObject({ success: true, code: 200, message: 'SUCCESS' });
    const data = r.body.data!;
    expect(data.updatedRecords).toEqual([ann!.id]);
    expect(data.createdRecords).toEqual([data.records[1]!.recordId]);
    expect(data.records.map((x) => x.fields)).toEqual([
      { Name: 'Ann', Qty: 5 },
      { Name: 'Bob', Qty: 2 },
    ]);
  });

  it.each([
    [{ fieldsToMergeOn: ['Nope'] }, 'Nope'],
    [{ fieldsToMergeOn: [] }, 'fieldsToMergeOn'],
    [{ fieldsToMergeOn: [''] }, 'fieldsToMergeOn[0]'],
    [{ fieldsToMergeOn: [{ name: 'Name' }] }, 'fieldsToMergeOn'],
  ])('refuses %j naming %s', async (extra, named) => {
    const ds = await sheet('Upsert bad');
    const r = await call('POST', `/v1/datasheets/${ds.id}/records`, { records: [{ fields: { Name: 'x' } }], ...extra });
    expect([r.status, r.body.code, r.body.success]).toEqual([200, 400, false]);
    expect(r.body.message).toContain(named);
    expect(await ids(ds.id)).toEqual([]);
  });

  it('takes 10 records per request, like every Fusion write', async () => {
    const ds = await sheet('Upsert many');
    const records = Array.from({ length: 11 }, (_, i) => ({ fields: { Name: `n${i}` } }));
    const r = await call('POST', `/v1/datasheets/${ds.id}/records`, { records, fieldsToMergeOn: ['Name'] });
    expect(r.body).toMatchObject({ success: false, code: 400 });
    expect(await ids(ds.id)).toEqual([]);
  });

  it('leaves the plain create (and the official SDK) unchanged', async () => {
    const ds = await sheet('Plain');
    const api = new APITable({ token: t.token, host: t.url, requestTimeout: 20_000 });
    const created = await api.datasheet(ds.id).records.create([{ fields: { Name: 'sdk' } }]);
    expect(created.success).toBe(true);
    expect(Object.keys(created.data!)).toEqual(['records']);
  });
});

describe('GET /datasheets/{datasheetId}/records with cursor', () => {
  it('pages by keyset from cursor= to nextCursor null, with every record once', async () => {
    const ds = await sheet('Keyset');
    await t.app.services.records.create(
      scope,
      ds.id,
      Array.from({ length: 5 }, (_, i) => ({ Name: `r${i}`, Qty: i })),
    );
    const seen: string[] = [];
    let cursor = '';
    for (let pages = 0; pages < 5; pages++) {
      const r = await call<{ records: Rec[]; nextCursor: string | null; total: number }>(
        'GET',
        `/v1/datasheets/${ds.id}/records?pageSize=2&sort[][field]=Qty&sort[][order]=desc&cursor=${cursor}`,
      );
      expect(r.body).toMatchObject({ success: true, data: { total: 5 } });
      seen.push(...r.body.data!.records.map((x) => String(x.fields.Name)));
      if (r.body.data!.nextCursor === null) break;
      cursor = r.body.data!.nextCursor;
    }
    expect(seen).toEqual(['r4', 'r3', 'r2', 'r1', 'r0']);
  });

  it.each([
    ['cursor=&pageNum=2', 'cursor and pageNum'],
    ['cursor=&pageSize=-1', 'cursor and pageSize'],
    ['cursor=garbage', 'cursor'],
  ])('refuses %s naming %s', async (query, named) => {
    const ds = await sheet('Keyset bad');
    const r = await call('GET', `/v1/datasheets/${ds.id}/records?${query}`);
    expect([r.status, r.body.code, r.body.success]).toEqual([200, 400, false]);
    expect(r.body.message).toContain(named);
  });
});
