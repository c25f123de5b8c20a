import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { domainFixture } from '../support/domain.js';

/** MagicLookUp cells: computed on read from the linked records (never stored), rolled up, filtered, sorted, limited. */
let f: Awaited<ReturnType<typeof domainFixture>>;
type Sheet = { id: string; fields: { id: string; name: string }[] };
let products: Sheet;
let orders: Sheet;
let ids: Record<string, string>;
const pid = (name: string) => products.fields.find((x) => x.name === name)!.id;
const linkId = () => orders.fields.find((x) => x.name === 'Items')!.id;
const lookup = (name: string, target: string, property: Record<string, unknown> = {}) =>
  f.services.fields.add(f.scope, orders.id, {
    name,
    type: 'MagicLookUp',
    property: { relatedLinkFieldId: linkId(), targetFieldId: pid(target), ...property },
  });
const column = async (name: string, query: Parameters<typeof f.services.records.query>[2] = {}) =>
  (await f.services.records.query(f.scope, orders.id, query)).records.map((r) => r.fields[name]);

beforeAll(async () => {
  f = await domainFixture();
  products = await f.services.datasheets.create(f.scope, {
    name: 'Products',
    fields: [
      { name: 'Name', type: 'SingleText', property: {} },
      { name: 'Price', type: 'Currency', property: { precision: 2, symbol: '$' } },
      { name: 'Kind', type: 'SingleSelect', property: { options: [{ name: 'Tool' }, { name: 'Part' }] } },
      { name: 'Tags', type: 'MultiSelect', property: { options: [{ name: 'red' }, { name: 'blue' }] } },
    ],
  });
  const made = await f.services.records.create(f.scope, products.id, [
    { Name: 'bolt', Price: 0.1, Kind: 'Part', Tags: ['red'] },
    { Name: 'hammer', Price: 25, Kind: 'Tool', Tags: ['red', 'blue'] },
    { Name: 'nut', Price: 0.2, Kind: 'Part' },
    { Name: 'saw', Kind: 'Tool' },
  ]);
  ids = Object.fromEntries(made.map((r) => [r.cells[pid('Name')] as string, r.id]));
  orders = await f.services.datasheets.create(f.scope, {
    name: 'Orders',
    fields: [{ name: 'Title', type: 'SingleText', property: {} }],
  });
  await f.services.fields.add(f.scope, orders.id, {
    name: 'Items',
    type: 'OneWayLink',
    property: { foreignDatasheetId: products.id },
  });
  orders = await f.services.datasheets.get(f.scope, orders.id);
  await f.services.records.create(f.scope, orders.id, [
    { Title: 'A', Items: [ids.nut!, ids.bolt!] },
    { Title: 'B', Items: [ids.hammer!, ids.saw!, ids.bolt!] },
    { Title: 'C' },
  ]);
  await lookup('Names', 'Name');
  await lookup('Total', 'Price', { rollupFunction: 'SUM', format: { precision: 2, symbol: '€' } });
  await lookup('Kinds', 'Kind');
  await lookup('AllTags', 'Tags');
  await lookup('Count', 'Price', { rollupFunction: 'COUNT' });
  await lookup('CountAll', 'Price', { rollupFunction: 'COUNTALL' });
  await lookup('Cheapest', 'Price', { rollupFunction: 'MIN' });
  await lookup('Joined', 'Name', { rollupFunction: 'ARRAYJOIN' });
  await lookup('UniqueKinds', 'Kind', { rollupFunction: 'ARRAYUNIQUE' });
  await lookup('Dearest', 'Name', {
    enableFilterSort: true,
    sortInfo: { rules: [{ fieldId: pid('Price'), desc: true }] },
    lookUpLimit: 'FIRST',
  });
  await lookup('Tools', 'Name', {
    enableFilterSort: true,
    filterInfo: { conjunction: 'and', conditions: [{ fieldId: pid('Kind'), operator: 'is', value: 'Tool' }] },
  });
});
afterAll(async () => {
  await f?.inst.dispose();
});

describe('lookup values', () => {
  it('are the linked records’ target values in link order, as the target renders them', async () => {
    expect(await column('Names')).toEqual([['nut', 'bolt'], ['hammer', 'saw', 'bolt'], undefined]);
    expect(await column('Kinds')).toEqual([['Part', 'Part'], ['Tool', 'Tool', 'Part'], undefined]);
    // Array targets are flattened; empty cells are left out.
    expect(await column('AllTags')).toEqual([['red'], ['red', 'blue', 'red'], undefined]);
  });

  it('roll up through the formula functions of the same names (decimal sums included)', async () => {
    // A record linking nothing rolls up an empty list: SUM and COUNT of nothing are 0.
    expect(await column('Total')).toEqual([0.3, 25.1, 0]);
    expect(await column('Count')).toEqual([2, 2, 0]);
    // COUNTALL counts the saw's empty price too.
    expect(await column('CountAll')).toEqual([2, 3, 0]);
    expect(await column('Cheapest')).toEqual([0.1, 0.1, undefined]);
    expect(await column('Joined')).toEqual(['nut, bolt', 'hammer, saw, bolt', undefined]);
    expect(await column('UniqueKinds')).toEqual([['Part'], ['Tool', 'Part'], undefined]);
  });

  it('read as text for cellFormat=string, in the lookup’s number format', async () => {
    expect(await column('Names', { cellFormat: 'string' })).toEqual(['nut, bolt', 'hammer, saw, bolt', undefined]);
    expect(await column('Total', { cellFormat: 'string' })).toEqual(['€0.30', '€25.10', '€0.00']);
  });

  it('follow the lookup’s filter, sort and limit (enableFilterSort)', async () => {
    expect(await column('Dearest')).toEqual([['nut'], ['hammer'], undefined]);
    expect(await column('Tools')).toEqual([undefined, ['hammer', 'saw'], undefined]);
  });

  it('are current after the linked records change, and in write answers', async () => {
    await f.services.records.update(f.scope, products.id, [
      { recordId: ids.nut!, fields: { Name: 'locknut', Price: 1 } },
    ]);
    expect(await column('Names')).toEqual([['locknut', 'bolt'], ['hammer', 'saw', 'bolt'], undefined]);
    expect(await column('Total')).toEqual([1.1, 25.1, 0]);
    const [created] = await f.services.records.create(f.scope, orders.id, [
      { Title: 'D', Items: [ids.saw!, ids.hammer!] },
    ]);
    const [rendered] = await f.services.records.render(f.scope, orders.id, [created!]);
    expect(rendered!.fields).toMatchObject({
      Names: ['saw', 'hammer'],
      Total: 25,
      Dearest: ['hammer'],
      Tools: ['saw', 'hammer'],
    });
    await f.services.records.delete(f.scope, orders.id, [created!.id]);
  });

  it('read empty when the target field is gone, without breaking the read', async () => {
    const extra = await f.services.fields.add(f.scope, products.id, { name: 'Note', type: 'SingleText', property: {} });
    products = await f.services.datasheets.get(f.scope, products.id);
    await lookup('Notes', 'Note');
    await f.services.fields.remove(f.scope, products.id, extra.id);
    expect(await column('Notes')).toEqual([undefined, undefined, undefined]);
    expect(await column('Names')).toEqual([['locknut', 'bolt'], ['hammer', 'saw', 'bolt'], undefined]);
  });
});

describe('lookup fields refused at create', () => {
  const add = (property: Record<string, unknown>) =>
    f.services.fields.add(f.scope, orders.id, {
      name: `L${Math.random()}`,
      type: 'MagicLookUp',
      property: { relatedLinkFieldId: linkId(), targetFieldId: pid('Name'), ...property },
    });

  it('name the field that is not a link, and the sort and filter fields that are missing or cannot serve', async () => {
    const title = orders.fields.find((x) => x.name === 'Title')!.id;
    await expect(add({ relatedLinkFieldId: title })).rejects.toThrow(
      `The field ID "${title}" associated with the lookup field is not a link field.`,
    );
    await expect(add({ targetFieldId: 'fldNowhere00001' })).rejects.toThrow(
      'The field ID "fldNowhere00001" referenced by the lookup field does not exist.',
    );
    await expect(add({ sortInfo: { rules: [{ fieldId: 'fldNowhere00001', desc: true }] } })).rejects.toThrow(
      'The sorting field ID "fldNowhere00001" specified by the lookup field does not exist.',
    );
    await expect(
      add({ filterInfo: { conjunction: 'and', conditions: [{ fieldId: 'fldNowhere00001', operator: 'isEmpty' }] } }),
    ).rejects.toThrow('The filtering field ID "fldNowhere00001" specified by the lookup field does not exist.');
    await expect(
      add({
        filterInfo: { conjunction: 'and', conditions: [{ fieldId: pid('Price'), operator: 'contains', value: '1' }] },
      }),
    ).rejects.toThrow(
      `The filtering field ID "${pid('Price')}" specified by the lookup field does not support the "contains" operator.`,
    );
  });
});

describe('filtering and sorting by lookup fields (computed in SQL)', () => {
  const fid = (name: string) => orders.fields.find((x) => x.name === name)!.id;
  const titles = async (query: Parameters<typeof f.services.records.query>[2]) =>
    (await f.services.records.query(f.scope, orders.id, query)).records.map((r) => r.fields.Title);
  const viewWhere = async (filter: Record<string, unknown>) => {
    orders = await f.services.datasheets.get(f.scope, orders.id);
    const view = await f.services.views.add(f.scope, orders.id, { name: `v${Math.random()}`, filter });
    return view.id;
  };
  beforeAll(async () => {
    orders = await f.services.datasheets.get(f.scope, orders.id);
  });

  it('sort by the joined text and by numeric roll-ups, with keyset paging', async () => {
    expect(await titles({ sort: [{ field: 'Names', order: 'asc' }] })).toEqual(['C', 'B', 'A']);
    expect(await titles({ sort: [{ field: 'Total', order: 'desc' }] })).toEqual(['B', 'A', 'C']);
    const first = await f.services.records.query(f.scope, orders.id, {
      sort: [{ field: 'Names', order: 'desc' }],
      pageSize: 2,
      after: null,
    });
    const second = await f.services.records.query(f.scope, orders.id, {
      sort: [{ field: 'Names', order: 'desc' }],
      pageSize: 2,
      after: first.nextCursor!,
    });
    expect([...first.records, ...second.records].map((r) => r.fields.Title)).toEqual(['A', 'B', 'C']);
  });

  it('filter in a view by the values, the roll-up, and the lookup’s own filter and limit', async () => {
    const contains = await viewWhere({
      conjunction: 'and',
      conditions: [{ fieldId: fid('Names'), operator: 'contains', value: 'saw' }],
    });
    expect(await titles({ viewId: contains })).toEqual(['B']);
    const empty = await viewWhere({ conjunction: 'and', conditions: [{ fieldId: fid('Names'), operator: 'isEmpty' }] });
    expect(await titles({ viewId: empty })).toEqual(['C']);
    const over = await viewWhere({
      conjunction: 'and',
      conditions: [{ fieldId: fid('Total'), operator: 'isGreater', value: 1 }],
    });
    expect(await titles({ viewId: over })).toEqual(['A', 'B']);
    expect(
      (await f.services.records.query(f.scope, orders.id, { viewId: over, withTotal: true, pageSize: 1 })).total,
    ).toBe(2);
    const dearest = await viewWhere({
      conjunction: 'and',
      conditions: [{ fieldId: fid('Dearest'), operator: 'is', value: 'locknut' }],
    });
    expect(await titles({ viewId: dearest })).toEqual(['A']);
    const tools = await viewWhere({
      conjunction: 'and',
      conditions: [{ fieldId: fid('Tools'), operator: 'contains', value: 'hammer' }],
    });
    expect(await titles({ viewId: tools })).toEqual(['B']);
  });
});

describe('formulas over lookup fields (computed in SQL)', () => {
  it('filterByFormula and Formula fields read a lookup as its list of texts', async () => {
    const titles = async (query: Parameters<typeof f.services.records.query>[2]) =>
      (await f.services.records.query(f.scope, orders.id, query)).records.map((r) => r.fields.Title);
    expect(await titles({ filterByFormula: 'FIND("saw", {Names})' })).toEqual(['B']);
    expect(await titles({ filterByFormula: 'COUNTALL({Names}) = 2' })).toEqual(['A']);
    await f.services.fields.add(f.scope, orders.id, {
      name: 'Piped',
      type: 'Formula',
      property: { expression: 'ARRAYJOIN({Names}, "|")' },
    });
    expect(await column('Piped')).toEqual(['locknut|bolt', 'hammer|saw|bolt', undefined]);
    expect(await titles({ sort: [{ field: 'Piped', order: 'asc' }], filterByFormula: '{Piped} != ""' })).toEqual([
      'B',
      'A',
    ]);
    const [created] = await f.services.records.create(f.scope, orders.id, [{ Title: 'E', Items: [ids.saw!] }]);
    const [rendered] = await f.services.records.render(f.scope, orders.id, [created!]);
    expect(rendered!.fields).toMatchObject({ Names: ['saw'], Piped: 'saw' });
    await f.services.records.delete(f.scope, orders.id, [created!.id]);
  });
});
