import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerScope, startTestApp, type TestApp } from '../support/app.js';
import { type GqlResponse, gql } from '../support/graphql.js';

/** The schema mutations (datasheets, fields, views) over real HTTP against a real database. */
let t: TestApp;
let scope: { spaceId: string; userId: string };

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT: 'off' });
  scope = await ownerScope(t);
}, 60_000);
afterAll(async () => {
  await t?.close();
});

const run = <D = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}, token = t.token) =>
  gql<D>(t.url, query, { token, variables });

const ok = <D>(r: GqlResponse<D>): D => {
  expect(r.body.errors, JSON.stringify(r.body.errors)).toBeUndefined();
  return r.body.data!;
};
const refused = (r: GqlResponse, code: string, parameter?: string) => {
  expect(r.body.errors?.[0]?.extensions?.code, JSON.stringify(r.body.errors)).toBe(code);
  if (parameter !== undefined) expect(r.body.errors?.[0]?.extensions?.parameter).toBe(parameter);
  expect(Object.values(r.body.data ?? {}).every((v) => v === null)).toBe(true);
};

const DATASHEET = 'id name fields { id name type property isPrimary description } views { id name type }';
const CREATE = `mutation($input: CreateDatasheetInput!, $key: String) {
  createDatasheet(input: $input, idempotencyKey: $key) { ${DATASHEET} } }`;

async function newDatasheet(name: string) {
  const data = ok(
    await run(CREATE, {
      input: {
        spaceId: t.spaceId,
        name,
        fields: [
          { name: 'Name', type: 'SingleText', property: {} },
          { name: 'Qty', type: 'Number', property: { precision: 1 } },
        ],
      },
    }),
  );
  return data.createDatasheet as {
    id: string;
    fields: { id: string; name: string }[];
    views: { id: string; name: string }[];
  };
}

const datasheetCount = () => t.app.prisma.datasheet.count({ where: { spaceId: t.spaceId } });

describe('datasheets', () => {
  it('creates a datasheet with its fields and a Grid view, renames and deletes it', async () => {
    const ds = await newDatasheet('Tasks');
    expect(ds).toMatchObject({
      name: 'Tasks',
      fields: [
        { name: 'Name', type: 'SingleText', isPrimary: true },
        { name: 'Qty', type: 'Number', isPrimary: false, property: { precision: 1 } },
      ],
      views: [{ type: 'Grid' }],
    });
    const renamed = ok(
      await run('mutation($id: ID!) { updateDatasheet(id: $id, name: "Jobs") { id name } }', { id: ds.id }),
    );
    expect(renamed.updateDatasheet).toEqual({ id: ds.id, name: 'Jobs' });
    expect((await t.app.services.datasheets.get(scope, ds.id)).name).toBe('Jobs');
    const deleted = ok(await run('mutation($id: ID!) { deleteDatasheet(id: $id) { id } }', { id: ds.id }));
    expect(deleted.deleteDatasheet).toEqual({ id: ds.id });
    expect(await t.app.prisma.datasheet.count({ where: { id: ds.id } })).toBe(0);
  });

  it('refuses a bad name naming the parameter, and creates nothing', async () => {
    const before = await datasheetCount();
    refused(await run(CREATE, { input: { spaceId: t.spaceId, name: '   ' } }), 'INVALID_ARGUMENT', 'name');
    expect(await datasheetCount()).toBe(before);
    const ds = await newDatasheet('Keep');
    refused(
      await run('mutation($id: ID!) { updateDatasheet(id: $id, name: "") { id } }', { id: ds.id }),
      'INVALID_ARGUMENT',
      'name',
    );
    expect((await t.app.services.datasheets.get(scope, ds.id)).name).toBe('Keep');
  });

  it('answers a missing datasheet as NOT_FOUND naming the id argument', async () => {
    refused(await run('mutation { deleteDatasheet(id: "dstNoSuchSheet00000") { id } }'), 'NOT_FOUND', 'id');
  });

  it('replays createDatasheet with the same idempotency key: the same id, one datasheet', async () => {
    const before = await datasheetCount();
    const variables = { input: { spaceId: t.spaceId, name: 'Once' }, key: 'create-once-1' };
    const first = ok(await run(CREATE, variables)).createDatasheet as { id: string; name: string };
    const second = ok(await run(CREATE, variables)).createDatasheet as { id: string; name: string };
    expect(second.id).toBe(first.id);
    expect(second.name).toBe('Once');
    expect(await datasheetCount()).toBe(before + 1);
    // The same key with other arguments is a conflict, and creates nothing.
    refused(await run(CREATE, { ...variables, input: { spaceId: t.spaceId, name: 'Other' } }), 'CONFLICT');
    expect(await datasheetCount()).toBe(before + 1);
  });
});

describe('fields', () => {
  it('creates, updates and deletes a field', async () => {
    const ds = await newDatasheet('Fields');
    const created = ok(
      await run(
        `mutation($ds: ID!) { createField(datasheetId: $ds, input: { name: "Done", type: "Checkbox", property: { icon: "white_check_mark" }, description: "finished?" }) { id name type description isPrimary } }`,
        { ds: ds.id },
      ),
    ).createField as { id: string };
    expect(created).toMatchObject({ name: 'Done', type: 'Checkbox', description: 'finished?', isPrimary: false });
    const updated = ok(
      await run(
        `mutation($ds: ID!, $f: ID!) { updateField(datasheetId: $ds, fieldId: $f, input: { name: "Finished", description: "all done" }) { id name description } }`,
        { ds: ds.id, f: created.id },
      ),
    );
    expect(updated.updateField).toEqual({ id: created.id, name: 'Finished', description: 'all done' });
    const deleted = ok(
      await run('mutation($ds: ID!, $f: ID!) { deleteField(datasheetId: $ds, fieldId: $f) { id } }', {
        ds: ds.id,
        f: created.id,
      }),
    );
    expect(deleted.deleteField).toEqual({ id: created.id });
    expect((await t.app.services.datasheets.get(scope, ds.id)).fields.map((f) => f.name)).toEqual(['Name', 'Qty']);
  });

  it('converts the cells on a type change, each change in the record history by the author', async () => {
    const ds = await newDatasheet('Retype');
    const [name, qty] = ds.fields.map((f) => f.id) as [string, string];
    const [rec] = await t.app.services.records.create(scope, ds.id, [{ Name: 'x', Qty: 2.5 }]);
    // Number → SingleSelect: the cell's text (precision 1) becomes an option.
    const converted = ok(
      await run(
        'mutation($ds: ID!, $f: ID!) { updateField(datasheetId: $ds, fieldId: $f, input: { type: "SingleSelect" }) { id type property } }',
        { ds: ds.id, f: qty },
      ),
    );
    expect(converted.updateField).toMatchObject({
      id: qty,
      type: 'SingleSelect',
      property: { options: [expect.objectContaining({ name: '2.5' })] },
    });
    // Name (SingleText) → Checkbox is refused (not primary-capable); Name → Text converts.
    refused(
      await run(
        'mutation($ds: ID!, $f: ID!) { updateField(datasheetId: $ds, fieldId: $f, input: { type: "Checkbox" }) { id } }',
        { ds: ds.id, f: name },
      ),
      'INVALID_ARGUMENT',
      'type',
    );
    const read = ok(
      await run(
        'query($id: ID!) { record(id: $id) { fields(fieldKey: ID) history { nodes { kind field oldValue newValue author { id } } } } }',
        { id: rec!.id },
      ),
    ) as { record: { fields: Record<string, unknown>; history: { nodes: Record<string, unknown>[] } } };
    expect(read.record.fields[qty]).toBe('2.5');
    expect(read.record.history.nodes[0]).toMatchObject({
      kind: 'updated',
      field: qty,
      oldValue: 2.5,
      newValue: expect.stringMatching(/^opt/),
      author: { id: scope.userId },
    });
  });

  it('refuses bad field input naming the parameter, and changes nothing', async () => {
    const ds = await newDatasheet('Bad fields');
    const qty = ds.fields[1]!.id;
    refused(
      await run('mutation($ds: ID!) { createField(datasheetId: $ds, input: { name: "X", type: "Nope" }) { id } }', {
        ds: ds.id,
      }),
      'INVALID_ARGUMENT',
      'type',
    );
    const retype = await run(
      'mutation($ds: ID!, $f: ID!) { updateField(datasheetId: $ds, fieldId: $f, input: { type: "MagicLookUp" }) { id } }',
      { ds: ds.id, f: qty },
    );
    refused(retype, 'INVALID_ARGUMENT', 'type');
    expect(retype.body.errors?.[0]?.message).toMatch(
      /^Changing the type of field Qty from Number to MagicLookUp is not supported: no field converts into MagicLookUp$/,
    );
    refused(
      await run(
        'mutation($ds: ID!, $f: ID!) { deleteField(datasheetId: $ds, fieldId: $f, conversion: "melt") { id } }',
        { ds: ds.id, f: qty },
      ),
      'INVALID_ARGUMENT',
      'conversion',
    );
    const fields = (await t.app.services.datasheets.get(scope, ds.id)).fields;
    expect(fields.map((f) => [f.name, f.type])).toEqual([
      ['Name', 'SingleText'],
      ['Qty', 'Number'],
    ]);
  });
});

const VIEW = 'id name type filter sort hiddenFieldIds fieldOrder';

describe('views', () => {
  it('creates, updates, moves and deletes a view', async () => {
    const ds = await newDatasheet('Views');
    const [name, qty] = ds.fields.map((f) => f.id) as [string, string];
    const created = ok(
      await run(`mutation($ds: ID!, $input: ViewInput!) { createView(datasheetId: $ds, input: $input) { ${VIEW} } }`, {
        ds: ds.id,
        input: {
          name: 'Big ones',
          filter: { conjunction: 'and', conditions: [{ fieldId: qty, operator: 'isGreater', value: 2 }] },
          sort: [{ fieldId: qty, desc: true }],
          hiddenFieldIds: [qty],
          fieldOrder: [qty, name],
        },
      }),
    ).createView as { id: string };
    expect(created).toMatchObject({
      name: 'Big ones',
      type: 'Grid',
      sort: [{ fieldId: qty, desc: true }],
      hiddenFieldIds: [qty],
      fieldOrder: [qty, name],
    });
    const updated = ok(
      await run(
        `mutation($ds: ID!, $v: ID!) { updateView(datasheetId: $ds, viewId: $v, input: { name: "All", filter: null, hiddenFieldIds: [] }) { ${VIEW} } }`,
        { ds: ds.id, v: created.id },
      ),
    );
    expect(updated.updateView).toMatchObject({ id: created.id, name: 'All', filter: null, hiddenFieldIds: [] });
    const moved = ok(
      await run(
        'mutation($ds: ID!, $v: ID!) { moveView(datasheetId: $ds, viewId: $v, index: 0) { id views { id } } }',
        {
          ds: ds.id,
          v: created.id,
        },
      ),
    );
    expect((moved.moveView as { views: unknown }).views).toEqual([{ id: created.id }, { id: ds.views[0]!.id }]);
    const deleted = ok(
      await run('mutation($ds: ID!, $v: ID!) { deleteView(datasheetId: $ds, viewId: $v) { id } }', {
        ds: ds.id,
        v: created.id,
      }),
    );
    expect(deleted.deleteView).toEqual({ id: created.id });
    expect((await t.app.services.datasheets.get(scope, ds.id)).views.map((v) => v.id)).toEqual([ds.views[0]!.id]);
  });

  it('refuses bad view input naming the GraphQL argument, and changes nothing', async () => {
    const ds = await newDatasheet('Bad views');
    const viewId = ds.views[0]!.id;
    const update = `mutation($ds: ID!, $v: ID!, $input: ViewInput!) { updateView(datasheetId: $ds, viewId: $v, input: $input) { id } }`;
    const primary = ds.fields[0]!.id;
    refused(
      await run(update, { ds: ds.id, v: viewId, input: { hiddenFieldIds: [primary] } }),
      'INVALID_ARGUMENT',
      'hiddenFieldIds',
    );
    const bad = await run(update, { ds: ds.id, v: viewId, input: { fieldOrder: ['fldNoSuchField0000'] } });
    refused(bad, 'INVALID_ARGUMENT', 'fieldOrder');
    expect(bad.body.errors?.[0]?.message).toContain('fieldOrder');
    refused(await run(update, { ds: ds.id, v: viewId, input: { type: 'Pie' } }), 'INVALID_ARGUMENT', 'type');
    refused(
      await run('mutation($ds: ID!, $v: ID!) { moveView(datasheetId: $ds, viewId: $v, index: 5) { id } }', {
        ds: ds.id,
        v: viewId,
      }),
      'INVALID_ARGUMENT',
      'index',
    );
    refused(
      await run('mutation($ds: ID!, $v: ID!) { deleteView(datasheetId: $ds, viewId: $v) { id } }', {
        ds: ds.id,
        v: viewId,
      }),
      'INVALID_ARGUMENT',
      'viewId',
    );
    const views = (await t.app.services.datasheets.get(scope, ds.id)).views;
    expect(views).toHaveLength(1);
    expect(views[0]).toMatchObject({ id: viewId, type: 'Grid', hiddenFields: [] });
  });
});

describe('access', () => {
  it('refuses a token without datasheets:write, and changes nothing', async () => {
    const ds = await newDatasheet('Read only');
    const reader = (
      await t.app.services.tokens.create({
        spaceId: t.spaceId,
        scopes: ['spaces:read', 'datasheets:read', 'records:read', 'records:write'],
      })
    ).secret;
    const before = await datasheetCount();
    refused(await run(CREATE, { input: { spaceId: t.spaceId, name: 'Nope' } }, reader), 'FORBIDDEN');
    refused(
      await run('mutation($id: ID!) { updateDatasheet(id: $id, name: "X") { id } }', { id: ds.id }, reader),
      'FORBIDDEN',
    );
    refused(
      await run(
        'mutation($ds: ID!) { createField(datasheetId: $ds, input: { name: "X", type: "SingleText", property: {} }) { id } }',
        {
          ds: ds.id,
        },
        reader,
      ),
      'FORBIDDEN',
    );
    refused(
      await run(
        'mutation($ds: ID!) { createView(datasheetId: $ds, input: { name: "X" }) { id } }',
        { ds: ds.id },
        reader,
      ),
      'FORBIDDEN',
    );
    expect(await datasheetCount()).toBe(before);
    const schema = await t.app.services.datasheets.get(scope, ds.id);
    expect([schema.name, schema.fields.length, schema.views.length]).toEqual(['Read only', 2, 1]);
  });

  it('keeps a restricted token to its datasheet', async () => {
    const mine = await newDatasheet('Mine');
    const other = await newDatasheet('Other');
    const restricted = (await t.app.services.tokens.create({ spaceId: t.spaceId, datasheetIds: [mine.id] })).secret;
    ok(
      await run(
        'mutation($ds: ID!) { createField(datasheetId: $ds, input: { name: "Ok", type: "SingleText", property: {} }) { id } }',
        {
          ds: mine.id,
        },
        restricted,
      ),
    );
    const touch = [
      ['mutation($ds: ID!) { updateDatasheet(id: $ds, name: "X") { id } }', 'id'],
      ['mutation($ds: ID!) { deleteDatasheet(id: $ds) { id } }', 'id'],
      [
        'mutation($ds: ID!) { createField(datasheetId: $ds, input: { name: "X", type: "SingleText", property: {} }) { id } }',
        'datasheetId',
      ],
      [`mutation($ds: ID!) { deleteField(datasheetId: $ds, fieldId: "${other.fields[1]!.id}") { id } }`, 'datasheetId'],
      ['mutation($ds: ID!) { createView(datasheetId: $ds, input: { name: "X" }) { id } }', 'datasheetId'],
      [
        `mutation($ds: ID!) { moveView(datasheetId: $ds, viewId: "${other.views[0]!.id}", index: 0) { id } }`,
        'datasheetId',
      ],
    ] as const;
    for (const [query, parameter] of touch) {
      const response = await run(query, { ds: other.id }, restricted);
      refused(response, 'NOT_FOUND', parameter);
      expect(response.text).not.toContain('Other');
    }
    // Creating a datasheet acts on the whole space: a restricted token may not.
    refused(await run(CREATE, { input: { spaceId: t.spaceId, name: 'More' } }, restricted), 'FORBIDDEN');
    const schema = await t.app.services.datasheets.get(scope, other.id);
    expect([schema.name, schema.fields.length, schema.views.length]).toEqual(['Other', 2, 1]);
  });
});
