import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerScope, startTestApp, type TestApp } from '../support/app.js';
import { gql } from '../support/graphql.js';

/** The GraphQL record mutations over real HTTP against a real database. */
let t: TestApp;
let scope: { spaceId: string; userId: string };
let dsId: string;

interface Rec {
  id: string;
  revision: number;
  fields: Record<string, unknown>;
}

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT: 'off' });
  scope = await ownerScope(t);
  const ds = await t.app.services.datasheets.create(scope, {
    name: 'Stock',
    fields: [
      { name: 'Name', type: 'SingleText', property: {} },
      { name: 'Qty', type: 'Number', property: { precision: 0 } },
    ],
  });
  dsId = ds.id;
}, 60_000);
afterAll(async () => {
  await t?.close();
});

const run = <D = Record<string, unknown>>(query: string, variables: Record<string, unknown>, token = t.token) =>
  gql<D>(t.url, query, { token, variables });
const count = (datasheetId = dsId) => t.app.prisma.record.count({ where: { datasheetId } });

const CREATE = `mutation($ds: ID!, $records: [RecordInput!]!, $key: String) {
  createRecords(datasheetId: $ds, records: $records, idempotencyKey: $key) { id revision fields }
}`;

describe('createRecords', () => {
  it('creates 1,000 records in one mutation and answers them as Records', async () => {
    const before = await count();
    const records = Array.from({ length: 1000 }, (_, i) => ({ fields: { Name: `r${i}`, Qty: i } }));
    const res = await run<{ createRecords: Rec[] }>(CREATE, { ds: dsId, records });
    expect(res.body.errors).toBeUndefined();
    const created = res.body.data!.createRecords;
    expect(created).toHaveLength(1000);
    expect(created[750]!.fields).toEqual({ Name: 'r750', Qty: 750 });
    expect(created[0]!.revision).toBeGreaterThan(0);
    expect(await count()).toBe(before + 1000);
  });

  it('writes nothing when one record of 1,000 is bad, and names its index and field', async () => {
    const before = await count();
    const records = Array.from({ length: 1000 }, (_, i) => ({
      fields: { Name: `b${i}`, Qty: i === 750 ? 'many' : i },
    }));
    const res = await run(CREATE, { ds: dsId, records });
    expect(res.body.data).toBeNull();
    expect(res.body.errors![0]!.extensions).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(JSON.stringify(res.body.errors![0]!.extensions)).toContain('records[750].fields.Qty');
    expect(await count()).toBe(before);
  });

  it('answers another cell format through the Record type', async () => {
    const res = await run<{ createRecords: { fields: Record<string, unknown>; byId: Record<string, unknown> }[] }>(
      `mutation($ds: ID!) { createRecords(datasheetId: $ds, records: [{ fields: { Name: "fmt", Qty: 7 } }]) {
        fields(cellFormat: STRING) byId: fields(fieldKey: ID) } }`,
      { ds: dsId },
    );
    expect(res.body.errors).toBeUndefined();
    const [r] = res.body.data!.createRecords;
    expect(r!.fields).toEqual({ Name: 'fmt', Qty: '7' });
    expect(Object.values(r!.byId).sort()).toEqual([7, 'fmt'].sort());
  });
});

describe('updateRecords', () => {
  const UPDATE = `mutation($ds: ID!, $records: [RecordUpdateInput!]!) {
    updateRecords(datasheetId: $ds, records: $records) { id revision fields }
  }`;

  it('updates, and answers CONFLICT (nothing changed) when the revision moved', async () => {
    const created = (
      await run<{ createRecords: Rec[] }>(CREATE, { ds: dsId, records: [{ fields: { Name: 'u', Qty: 1 } }] })
    ).body.data!.createRecords[0]!;
    const ok = await run<{ updateRecords: Rec[] }>(UPDATE, {
      ds: dsId,
      records: [{ id: created.id, fields: { Qty: 2 }, expectedRevision: created.revision }],
    });
    expect(ok.body.errors).toBeUndefined();
    const updated = ok.body.data!.updateRecords[0]!;
    expect(updated.fields).toEqual({ Name: 'u', Qty: 2 });
    expect(updated.revision).toBe(created.revision + 1);

    const stale = await run(UPDATE, {
      ds: dsId,
      records: [{ id: created.id, fields: { Qty: 3 }, expectedRevision: created.revision }],
    });
    expect(stale.body.errors![0]!.extensions!.code).toBe('CONFLICT');
    const row = await t.app.prisma.record.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.revision).toBe(updated.revision);
  });
});

describe('deleteRecords', () => {
  it('deletes and answers the ids', async () => {
    const created = (
      await run<{ createRecords: Rec[] }>(CREATE, {
        ds: dsId,
        records: [{ fields: { Name: 'd1' } }, { fields: { Name: 'd2' } }],
      })
    ).body.data!.createRecords;
    const ids = created.map((r) => r.id);
    const res = await run<{ deleteRecords: string[] }>(
      'mutation($ds: ID!, $ids: [ID!]!) { deleteRecords(datasheetId: $ds, ids: $ids) }',
      { ds: dsId, ids },
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.deleteRecords).toEqual(ids);
    expect(await t.app.prisma.record.count({ where: { id: { in: ids } } })).toBe(0);
  });
});

describe('upsertRecords', () => {
  it('updates the matched record and creates the rest', async () => {
    await run(CREATE, { ds: dsId, records: [{ fields: { Name: 'upsert-me', Qty: 1 } }] });
    const res = await run<{ upsertRecords: { created: string[]; updated: string[]; records: Rec[] } }>(
      `mutation($ds: ID!, $records: [RecordInput!]!) {
        upsertRecords(datasheetId: $ds, records: $records, fieldsToMergeOn: ["Name"]) { created updated records { id fields } }
      }`,
      { ds: dsId, records: [{ fields: { Name: 'upsert-me', Qty: 9 } }, { fields: { Name: 'upsert-new', Qty: 4 } }] },
    );
    expect(res.body.errors).toBeUndefined();
    const p = res.body.data!.upsertRecords;
    expect(p.updated).toHaveLength(1);
    expect(p.created).toHaveLength(1);
    expect(p.records.map((r) => r.fields)).toEqual([
      { Name: 'upsert-me', Qty: 9 },
      { Name: 'upsert-new', Qty: 4 },
    ]);
    expect(p.records.map((r) => r.id)).toEqual([p.updated[0], p.created[0]]);
  });
});

describe('applyRecordChanges', () => {
  it('creates, updates and deletes in one mutation', async () => {
    const [a, b] = (
      await run<{ createRecords: Rec[] }>(CREATE, {
        ds: dsId,
        records: [{ fields: { Name: 'a' } }, { fields: { Name: 'b' } }],
      })
    ).body.data!.createRecords;
    const res = await run<{ applyRecordChanges: { created: Rec[]; updated: Rec[]; deleted: string[] } }>(
      `mutation($ds: ID!, $creates: [RecordInput!], $updates: [RecordUpdateInput!], $deletes: [ID!]) {
        applyRecordChanges(datasheetId: $ds, creates: $creates, updates: $updates, deletes: $deletes) {
          created { id fields } updated { id fields } deleted
        }
      }`,
      {
        ds: dsId,
        creates: [{ fields: { Name: 'c' } }],
        updates: [{ id: a!.id, fields: { Qty: 5 } }],
        deletes: [b!.id],
      },
    );
    expect(res.body.errors).toBeUndefined();
    const p = res.body.data!.applyRecordChanges;
    expect(p.created.map((r) => r.fields)).toEqual([{ Name: 'c' }]);
    expect(p.updated).toEqual([{ id: a!.id, fields: { Name: 'a', Qty: 5 } }]);
    expect(p.deleted).toEqual([b!.id]);
    expect(await t.app.prisma.record.count({ where: { id: b!.id } })).toBe(0);
  });
});

describe('moveRecords', () => {
  it('moves records to another datasheet and reports the dropped fields', async () => {
    const target = await t.app.services.datasheets.create(scope, {
      name: 'Archive',
      fields: [{ name: 'Name', type: 'SingleText', property: {} }],
    });
    const [m] = (
      await run<{ createRecords: Rec[] }>(CREATE, { ds: dsId, records: [{ fields: { Name: 'm', Qty: 3 } }] })
    ).body.data!.createRecords;
    const res = await run<{ moveRecords: { recordIds: string[]; dropped: { fieldName: string }[] } }>(
      'mutation($ids: [ID!]!, $to: ID!) { moveRecords(ids: $ids, toDatasheetId: $to) { recordIds dropped { fieldName reason } } }',
      { ids: [m!.id], to: target.id },
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.moveRecords.recordIds).toEqual([m!.id]);
    expect(res.body.data!.moveRecords.dropped.map((d) => d.fieldName)).toEqual(['Qty']);
    const row = await t.app.prisma.record.findUniqueOrThrow({ where: { id: m!.id } });
    expect(row.datasheetId).toBe(target.id);
  });
});

describe('idempotencyKey', () => {
  it('replays the same answer and writes once', async () => {
    const before = await count();
    const variables = { ds: dsId, records: [{ fields: { Name: 'once', Qty: 1 } }], key: 'gql-create-once' };
    const first = await run(CREATE, variables);
    const again = await run(CREATE, variables);
    expect(first.body.errors).toBeUndefined();
    expect(again.body).toEqual(first.body);
    expect(await count()).toBe(before + 1);
  });
});

describe('access', () => {
  it('answers FORBIDDEN without records:write and changes nothing', async () => {
    const { secret } = await t.app.services.tokens.create({
      spaceId: t.spaceId,
      scopes: ['spaces:read', 'datasheets:read', 'records:read'],
    });
    const before = await count();
    const res = await run(CREATE, { ds: dsId, records: [{ fields: { Name: 'no' } }] }, secret);
    expect(res.body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    const del = await run(
      'mutation($ds: ID!) { deleteRecords(datasheetId: $ds, ids: ["recX"]) }',
      { ds: dsId },
      secret,
    );
    expect(del.body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect(await count()).toBe(before);
  });
});
