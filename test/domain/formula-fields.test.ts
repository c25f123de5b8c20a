import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFieldsForApi } from '../../src/domain/schema/field-api.js';
import { domainFixture } from '../support/domain.js';

/** Formula fields: computed by every query (never stored), sortable, filterable, formatted for cellFormat=string. */
let f: Awaited<ReturnType<typeof domainFixture>>;
let ds: Awaited<ReturnType<typeof f.services.datasheets.create>>;
const fieldId = (name: string) => ds.fields.find((x) => x.name === name)!.id;
const formula = async (name: string, expression: string, format?: Record<string, unknown>) =>
  f.services.fields.add(f.scope, ds.id, {
    name,
    type: 'Formula',
    property: { expression, ...(format ? { format } : {}) },
  });
const apiField = async (name: string) =>
  listFieldsForApi(await f.services.datasheets.get(f.scope, ds.id), { canWrite: true }).find((x) => x.name === name)!;
const column = async (name: string, query: Parameters<typeof f.services.records.query>[2] = {}) =>
  (await f.services.records.query(f.scope, ds.id, query)).records.map((r) => r.fields[name]);

beforeAll(async () => {
  f = await domainFixture();
  ds = await f.services.datasheets.create(f.scope, {
    name: 'Formulas',
    fields: [
      { name: 'Name', type: 'SingleText', property: {} },
      { name: 'Qty', type: 'Number', property: { precision: 0 } },
      { name: 'Price', type: 'Currency', property: { precision: 2, symbol: '$' } },
    ],
  });
  await f.services.records.create(f.scope, ds.id, [
    { Name: 'bolt', Qty: 3, Price: 1.5 },
    { Name: 'nut', Qty: 10, Price: 0.25 },
    { Name: 'gear', Price: 12 },
    { Name: 'axle', Qty: 1, Price: 40 },
  ]);
  await formula('Total', '{Qty} * Price', { precision: 2, symbol: '€' });
  await formula('Label', 'UPPER({Name}) & "!"');
  await formula('Big', '{Total} > 20');
  await formula('Rank', 'IF({Big}, "high", "low") & "-" & {Label}');
});
afterAll(async () => {
  await f?.inst.dispose();
});

describe('values', () => {
  it('are computed in the query, typed by the result (json) and formatted by the field (string)', async () => {
    expect(await column('Total')).toEqual([4.5, 2.5, 0, 40]);
    expect(await column('Total', { cellFormat: 'string' })).toEqual(['€4.50', '€2.50', '€0.00', '€40.00']);
    expect(await column('Label')).toEqual(['BOLT!', 'NUT!', 'GEAR!', 'AXLE!']);
    expect(await column('Big')).toEqual([false, false, false, true]);
  });

  it('follow formulas that read other formula fields', async () => {
    expect(await column('Rank')).toEqual(['low-BOLT!', 'low-NUT!', 'low-GEAR!', 'high-AXLE!']);
  });

  it('are current after every write, and in the write answers', async () => {
    const [created] = await f.services.records.create(f.scope, ds.id, [{ Name: 'cog', Qty: 2, Price: 11 }]);
    const [rendered] = await f.services.records.render(f.scope, ds.id, [created!]);
    expect(rendered!.fields).toMatchObject({ Total: 22, Label: 'COG!', Big: true, Rank: 'high-COG!' });
    const [updated] = await f.services.records.update(f.scope, ds.id, [{ recordId: created!.id, fields: { Qty: 1 } }]);
    const [again] = await f.services.records.render(f.scope, ds.id, [updated!]);
    expect(again!.fields).toMatchObject({ Total: 11, Big: false, Rank: 'low-COG!' });
    await f.services.records.delete(f.scope, ds.id, [created!.id]);
  });

  it('store the expression with field ids and the inferred value type', async () => {
    const total = await apiField('Total');
    expect(total.type).toBe('Formula');
    expect(total.property).toMatchObject({
      expression: `{${fieldId('Qty')}} * {${fieldId('Price')}}`,
      valueType: 'Number',
      hasError: false,
    });
    expect((await apiField('Label')).property).toMatchObject({ valueType: 'String' });
    expect((await apiField('Big')).property).toMatchObject({ valueType: 'Boolean' });
  });

  it('format dates in the field format', async () => {
    const due = await formula('Due', 'DATEADD(DATETIME_PARSE("2024-03-01 10:00"), {Qty}, "days")', {
      dateFormat: 'YYYY-MM-DD',
    });
    expect((await apiField('Due')).property).toMatchObject({ valueType: 'DateTime' });
    expect(await column('Due')).toEqual([
      Date.UTC(2024, 2, 4, 10),
      Date.UTC(2024, 2, 11, 10),
      Date.UTC(2024, 2, 1, 10),
      Date.UTC(2024, 2, 2, 10),
    ]);
    expect(await column('Due', { cellFormat: 'string' })).toEqual([
      '2024-03-04',
      '2024-03-11',
      '2024-03-01',
      '2024-03-02',
    ]);
    await f.services.fields.remove(f.scope, ds.id, due.id);
  });
});

describe('queries', () => {
  it('sort by a formula field (numbers numerically), the user sort first', async () => {
    expect(await column('Name', { sort: [{ field: 'Total', order: 'desc' }] })).toEqual([
      'axle',
      'bolt',
      'nut',
      'gear',
    ]);
    expect(await column('Name', { sort: [{ field: 'Label', order: 'asc' }] })).toEqual(['axle', 'bolt', 'gear', 'nut']);
    expect(
      await column('Name', {
        sort: [
          { field: 'Big', order: 'desc' },
          { field: 'Name', order: 'asc' },
        ],
      }),
    ).toEqual(['axle', 'bolt', 'gear', 'nut']);
  });

  it('filter by a formula field in filterByFormula and in a view filter', async () => {
    expect(await column('Name', { filterByFormula: '{Total} >= 2.5' })).toEqual(['bolt', 'nut', 'axle']);
    expect(await column('Name', { filterByFormula: 'FIND("high", {Rank})' })).toEqual(['axle']);
    const schema = await f.services.datasheets.get(f.scope, ds.id);
    const id = (name: string) => schema.fields.find((x) => x.name === name)!.id;
    const view = await f.services.views.add(f.scope, ds.id, {
      name: 'Cheap',
      filter: {
        conjunction: 'and',
        conditions: [
          { fieldId: id('Total'), operator: 'isLess', value: 5 },
          { fieldId: id('Label'), operator: 'contains', value: 't' },
        ],
      },
      sort: [{ fieldId: id('Total'), desc: false }],
    });
    expect(await column('Name', { viewId: view.id })).toEqual(['nut', 'bolt']);
    const booleanView = await f.services.views.add(f.scope, ds.id, {
      name: 'Big ones',
      filter: { conjunction: 'and', conditions: [{ fieldId: id('Big'), operator: 'is', value: true }] },
    });
    expect(await column('Name', { viewId: booleanView.id })).toEqual(['axle']);
    expect((await f.services.records.query(f.scope, ds.id, { viewId: view.id, withTotal: true })).total).toBe(2);
  });

  it('page by keyset cursor over a formula sort', async () => {
    const first = await f.services.records.query(f.scope, ds.id, {
      sort: [{ field: 'Total', order: 'asc' }],
      pageSize: 3,
      after: null,
    });
    const second = await f.services.records.query(f.scope, ds.id, {
      sort: [{ field: 'Total', order: 'asc' }],
      pageSize: 3,
      after: first.nextCursor!,
    });
    expect([...first.records, ...second.records].map((r) => r.fields.Name)).toEqual(['gear', 'nut', 'bolt', 'axle']);
  });
});

describe('schema changes', () => {
  it('keep working when a referenced field is renamed, and recompute when the expression changes', async () => {
    await f.services.fields.update(f.scope, ds.id, fieldId('Qty'), { name: 'Quantity' });
    expect(await column('Total')).toEqual([4.5, 2.5, 0, 40]);
    const schema = await f.services.datasheets.get(f.scope, ds.id);
    const total = schema.fields.find((x) => x.name === 'Total')!;
    await f.services.fields.update(f.scope, ds.id, total.id, { property: { expression: '{Quantity} + 100' } });
    expect(await column('Total')).toEqual([103, 110, 100, 101]);
    expect(await column('Rank')).toEqual(['high-BOLT!', 'high-NUT!', 'high-GEAR!', 'high-AXLE!']);
  });

  it('mark a formula whose field was deleted as an error, whose cells read empty, without breaking queries', async () => {
    await f.services.fields.remove(f.scope, ds.id, fieldId('Qty'));
    expect((await apiField('Total')).property).toMatchObject({ hasError: true });
    expect(await column('Total')).toEqual([undefined, undefined, undefined, undefined]);
    // Formulas reading it fail too (a runtime error: empty cell, and a filter over it keeps no row).
    expect(await column('Big')).toEqual([undefined, undefined, undefined, undefined]);
    expect(await column('Rank')).toEqual([undefined, undefined, undefined, undefined]);
    expect(await column('Label')).toEqual(['BOLT!', 'NUT!', 'GEAR!', 'AXLE!']);
    expect(await column('Name', { filterByFormula: 'NOT({Big})' })).toEqual([]);
    expect(
      await column('Name', { sort: [{ field: 'Total', order: 'desc' }], filterByFormula: '{Label} != ""' }),
    ).toEqual(['bolt', 'nut', 'gear', 'axle']);
  });

  it('refuse an expression that reads itself or closes a cycle, naming the problem', async () => {
    const schema = await f.services.datasheets.get(f.scope, ds.id);
    const label = schema.fields.find((x) => x.name === 'Label')!;
    await expect(
      f.services.fields.update(f.scope, ds.id, label.id, { property: { expression: '{Rank} & ""' } }),
    ).rejects.toThrow(/circular reference: Label → Rank → Label/);
    await expect(formula('Self', '{Self} + 1')).rejects.toThrow(/property\.expression/);
  });
});
