import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DatasheetSchemaDocument,
  type DatasheetSchemaQuery,
  GetRecordDocument,
  type GetRecordQuery,
  ListRecordsDocument,
  type ListRecordsQuery,
  SpaceNodesDocument,
  type SpaceNodesQuery,
} from '../../graphql/__generated__/operations.js';
import { newId } from '../../src/domain/ids.js';
import { ownerScope, startTestApp, type TestApp } from '../support/app.js';
import { type GqlResponse, gql } from '../support/graphql.js';

/** The read half of the GraphQL API over real HTTP, through the documented operations (graphql/operations). */
let t: TestApp;
let scope: { spaceId: string; userId: string };
let big: { id: string };
let small: { id: string; fieldIds: Record<string, string>; viewId: string };
let folderId: string;
const ROWS = 2_500;

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT: 'off' });
  const s = t.app.services;
  scope = await ownerScope(t);
  folderId = newId('folder');
  await t.app.prisma.node.create({
    data: { id: folderId, spaceId: t.spaceId, type: 'FOLDER', name: 'Projects', position: 99 },
  });
  const ds = await s.datasheets.create(scope, {
    name: 'Tasks',
    folderId,
    fields: [
      { name: 'Name', type: 'SingleText', property: {} },
      { name: 'Qty', type: 'Number', property: { precision: 1 } },
    ],
  });
  small = {
    id: ds.id,
    fieldIds: Object.fromEntries(ds.fields.map((f) => [f.name, f.id])),
    viewId: ds.views[0]!.id,
  };
  await s.records.create(scope, ds.id, [
    { Name: 'apple', Qty: 3 },
    { Name: 'pear', Qty: 1 },
    { Name: 'fig', Qty: 2 },
    { Name: 'kiwi', Qty: 5 },
  ]);
  big = await s.datasheets.create(scope, {
    name: 'Big',
    fields: [{ name: 'N', type: 'Number', property: { precision: 0 } }],
  });
  for (let i = 0; i < ROWS; i += 1000) {
    const n = Math.min(1000, ROWS - i);
    await s.records.create(
      scope,
      big.id,
      Array.from({ length: n }, (_, k) => ({ N: (i + k) % 7 })),
    );
  }
}, 120_000);
afterAll(async () => {
  await t?.close();
});

const run = <D>(doc: Parameters<typeof print>[0], variables: Record<string, unknown>, token = t.token) =>
  gql<D>(t.url, print(doc), { token, variables });

describe('records', () => {
  it('pages to the end of a few thousand records with no duplicates or gaps', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const res: GqlResponse<ListRecordsQuery> = await run<ListRecordsQuery>(ListRecordsDocument, {
        datasheetId: big.id,
        first: 1000,
        after,
        withTotal: pages === 0,
      });
      expect(res.body.errors).toBeUndefined();
      const page = res.body.data!.records;
      if (pages === 0) expect(page.totalCount).toBe(ROWS);
      seen.push(...page.edges.map((e) => e.node.id));
      expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)!.cursor);
      pages += 1;
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(seen).toHaveLength(ROWS);
    expect(new Set(seen).size).toBe(ROWS);
    const all = await t.app.services.records.get(scope, big.id);
    expect(new Set(seen)).toEqual(new Set(all.map((r) => r.id)));
  });

  it('continues after any edge’s cursor', async () => {
    const first = await run<ListRecordsQuery>(ListRecordsDocument, { datasheetId: small.id, first: 4 });
    const edges = first.body.data!.records.edges;
    const rest = await run<ListRecordsQuery>(ListRecordsDocument, { datasheetId: small.id, after: edges[1]!.cursor });
    expect(rest.body.data!.records.edges.map((e) => e.node.id)).toEqual(edges.slice(2).map((e) => e.node.id));
  });

  it('filters and sorts in the domain (filterByFormula, sort)', async () => {
    const res = await run<ListRecordsQuery>(ListRecordsDocument, {
      datasheetId: small.id,
      filterByFormula: '{Qty} >= 2',
      sort: [{ field: 'Qty', order: 'DESC' }],
      withTotal: true,
    });
    const records = res.body.data!.records;
    expect(records.edges.map((e) => (e.node.fields as { Name: string }).Name)).toEqual(['kiwi', 'apple', 'fig']);
    expect(records.totalCount).toBe(3);
  });

  it('keys and formats cells as asked (fieldKey, cellFormat), on the page and per record', async () => {
    const res = await gql<{ records: { edges: { node: Record<string, unknown> }[] } }>(
      t.url,
      `query($id: ID!) { records(datasheetId: $id, first: 1, fieldKey: ID, cellFormat: STRING, sort: [{ field: "${small.fieldIds.Qty}" }]) {
        edges { node { asPage: fields(fieldKey: ID, cellFormat: STRING) byName: fields json: fields(fieldKey: ID) cell(field: "Qty") } } } }`,
      { token: t.token, variables: { id: small.id } },
    );
    expect(res.body.errors).toBeUndefined();
    const node = res.body.data!.records.edges[0]!.node;
    expect(node.asPage).toEqual({ [small.fieldIds.Name!]: 'pear', [small.fieldIds.Qty!]: '1.0' });
    expect(node.byName).toEqual({ Name: 'pear', Qty: 1 });
    expect(node.json).toEqual({ [small.fieldIds.Name!]: 'pear', [small.fieldIds.Qty!]: 1 });
    expect(node.cell).toBe(1);
  });

  it('refuses first beyond 1..1000 and a cursor of another query, naming the argument', async () => {
    for (const first of [0, 1001]) {
      const res = await run(ListRecordsDocument, { datasheetId: small.id, first });
      expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_ARGUMENT', parameter: 'first' });
    }
    const page = await run<ListRecordsQuery>(ListRecordsDocument, { datasheetId: small.id, first: 1 });
    const res = await run(ListRecordsDocument, {
      datasheetId: small.id,
      after: page.body.data!.records.pageInfo.endCursor,
      filterByFormula: '{Qty} > 0',
    });
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_ARGUMENT', parameter: 'after' });
  });

  it('answers NOT_FOUND for a datasheet that does not exist', async () => {
    const res = await run(ListRecordsDocument, { datasheetId: 'dstNOPE1234567' });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

describe('record, history and schema', () => {
  it('reads one record with its authors, datasheet and history after updates', async () => {
    const [rec] = await t.app.services.records.create(scope, small.id, [{ Name: 'plum', Qty: 1 }]);
    await t.app.services.records.update(scope, small.id, [{ recordId: rec!.id, fields: { Qty: 2 } }]);
    await t.app.services.records.update(scope, small.id, [{ recordId: rec!.id, fields: { Qty: 4, Name: 'Plum' } }]);
    const res = await run<GetRecordQuery>(GetRecordDocument, { id: rec!.id });
    expect(res.body.errors).toBeUndefined();
    const r = res.body.data!.record!;
    expect(r).toMatchObject({
      id: rec!.id,
      revision: 3,
      createdBy: { id: scope.userId },
      updatedBy: { id: scope.userId },
      datasheet: { id: small.id, name: 'Tasks' },
      fields: { Name: 'Plum', Qty: 4 },
    });
    expect(typeof r.createdBy!.name).toBe('string');
    const changes = r.history.nodes.map((c) => [c.kind, c.field, c.oldValue, c.newValue]);
    expect(changes).toEqual(
      expect.arrayContaining([
        ['updated', small.fieldIds.Qty, 2, 4],
        ['updated', small.fieldIds.Name, 'plum', 'Plum'],
        ['updated', small.fieldIds.Qty, 1, 2],
        ['created', small.fieldIds.Qty, null, 1],
        ['created', small.fieldIds.Name, null, 'plum'],
      ]),
    );
    expect(changes).toHaveLength(5);
    expect(r.history.pageInfo.hasNextPage).toBe(false);

    const paged = await run<GetRecordQuery>(GetRecordDocument, { id: rec!.id, historyFirst: 1 });
    const h = paged.body.data!.record!.history;
    expect(h.pageInfo.hasNextPage).toBe(true);
    const next = await gql<{ record: { history: { nodes: { kind: string }[] } } }>(
      t.url,
      'query($id: ID!, $after: String) { record(id: $id) { history(first: 10, after: $after) { nodes { kind } } } }',
      { token: t.token, variables: { id: rec!.id, after: h.pageInfo.endCursor } },
    );
    expect(next.body.data!.record.history.nodes.map((n) => n.kind)).toEqual([
      'updated',
      'updated',
      'created',
      'created',
    ]);
  });

  it('describes a datasheet: fields with Fusion types, views, record count, space', async () => {
    const res = await run<DatasheetSchemaQuery>(DatasheetSchemaDocument, { id: small.id });
    expect(res.body.errors).toBeUndefined();
    const d = res.body.data!.datasheet!;
    expect(d).toMatchObject({ id: small.id, name: 'Tasks', space: { id: t.spaceId } });
    expect(d.recordCount).toBeGreaterThanOrEqual(4);
    expect(d.fields).toEqual([
      { id: small.fieldIds.Name, name: 'Name', type: 'SingleText', property: {}, isPrimary: true, description: null },
      expect.objectContaining({ name: 'Qty', type: 'Number', isPrimary: false, property: expect.any(Object) }),
    ]);
    expect(d.views[0]).toMatchObject({ id: small.viewId, type: 'Grid', hiddenFieldIds: [], sort: [] });
    expect(d.views[0]!.fieldOrder).toEqual(expect.arrayContaining(Object.values(small.fieldIds)));
  });

  it('reads nulls for ids that do not exist, and `node`/`nodes` by any prefixed id', async () => {
    const { body } = await gql<{ nodes: unknown[]; datasheet: null; record: null; space: null }>(
      t.url,
      `query($ids: [ID!]!) { datasheet(id: "dstNOPE1234567") { id } record(id: "recNOPE1234567") { id }
        space(id: "spcNOPE1234567") { id }
        nodes(ids: $ids) { __typename id ... on Datasheet { name } ... on Field { name } ... on View { name } ... on Folder { name } ... on Space { name } } }`,
      {
        token: t.token,
        variables: { ids: [t.spaceId, folderId, small.id, small.fieldIds.Qty, small.viewId, 'recNOPE1234567', 'xyz'] },
      },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data).toMatchObject({ datasheet: null, record: null, space: null });
    expect(body.data!.nodes).toEqual([
      { __typename: 'Space', id: t.spaceId, name: 'My Space' },
      { __typename: 'Folder', id: folderId, name: 'Projects' },
      { __typename: 'Datasheet', id: small.id, name: 'Tasks' },
      { __typename: 'Field', id: small.fieldIds.Qty, name: 'Qty' },
      { __typename: 'View', id: small.viewId, name: 'Grid view' },
      null,
      null,
    ]);
  });
});

describe('spaces and nodes', () => {
  it('lists the root, a folder’s children, a search and every datasheet', async () => {
    const root = await run<SpaceNodesQuery>(SpaceNodesDocument, { spaceId: t.spaceId });
    expect(root.body.errors).toBeUndefined();
    const space = root.body.data!.space!;
    expect(space.nodes).toContainEqual({ __typename: 'Folder', id: folderId, name: 'Projects', parent: null });
    expect(space.nodes).toContainEqual({ __typename: 'Datasheet', id: big.id, name: 'Big' });
    expect(space.nodes.map((n: { id: string }) => n.id)).not.toContain(small.id);
    expect(space.datasheets.map((d: { id: string }) => d.id)).toEqual(expect.arrayContaining([small.id, big.id]));
    const inFolder = await run<SpaceNodesQuery>(SpaceNodesDocument, {
      spaceId: t.spaceId,
      parentId: folderId,
    });
    expect(inFolder.body.data!.space!.nodes).toEqual([{ __typename: 'Datasheet', id: small.id, name: 'Tasks' }]);
    const search = await run<SpaceNodesQuery>(SpaceNodesDocument, {
      spaceId: t.spaceId,
      query: 'task',
      type: 'DATASHEET',
    });
    expect(search.body.data!.space!.nodes).toEqual([{ __typename: 'Datasheet', id: small.id, name: 'Tasks' }]);
  });
});

describe('access', () => {
  it('reads another space’s and a restricted token’s unreachable ids as null, and refuses a missing scope', async () => {
    const s = t.app.services;
    const other = await s.spaces.create({ name: 'Elsewhere' });
    const otherToken = (await s.tokens.create({ spaceId: other.id })).secret;
    const restricted = (await s.tokens.create({ spaceId: t.spaceId, datasheetIds: [big.id] })).secret;
    const [rec] = await s.records.get(scope, small.id);
    const query = `query($d: ID!, $r: ID!, $f: ID!) { datasheet(id: $d) { id } record(id: $r) { id } node(id: $f) { id } }`;
    const variables = { d: small.id, r: rec!.id, f: small.fieldIds.Qty };
    for (const token of [otherToken, restricted]) {
      const res = await gql(t.url, query, { token, variables });
      expect(res.body).toEqual({ data: { datasheet: null, record: null, node: null } });
      const list = await run(ListRecordsDocument, { datasheetId: small.id }, token);
      expect(list.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }
    const reach = await gql<{ datasheet: { id: string } }>(t.url, '{ datasheet(id: "' + big.id + '") { id } }', {
      token: restricted,
    });
    expect(reach.body.data?.datasheet).toEqual({ id: big.id });
    const noRecords = (await s.tokens.create({ spaceId: t.spaceId, scopes: ['spaces:read', 'datasheets:read'] }))
      .secret;
    const refused = await gql(t.url, query, { token: noRecords, variables });
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const schemaOnly = await gql<{ datasheet: { records: unknown } }>(
      t.url,
      `{ datasheet(id: "${small.id}") { name records(first: 1) { totalCount } } }`,
      { token: noRecords },
    );
    expect(schemaOnly.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
