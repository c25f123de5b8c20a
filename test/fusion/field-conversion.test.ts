import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerScope, startTestApp, type TestApp } from '../support/app.js';
import { fusion } from '../support/fusion.js';

/**
 * Field type conversion over HTTP (PATCH /fusion/v1/datasheets/{id}/fields/{fieldId} with a new `type`): each
 * conversion's cells, their history by the author, the change feed, atomicity, and the refusals naming the pair.
 */
let t: TestApp;
let scope: { spaceId: string; userId: string };

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT: 'off' });
  scope = await ownerScope(t);
}, 60_000);
afterAll(async () => {
  await t?.close();
});

const call = <T = Record<string, unknown>>(method: string, path: string, body?: unknown) =>
  fusion<T>(t.url, method, path, { token: t.token, body });

type Field = { name: string; type: string; property?: unknown };

/** A datasheet with a primary Name and the field `F` of the given type holding `values` (one record each). */
async function sheet(field: Omit<Field, 'name'>, values: unknown[], extra: Field[] = []) {
  const ds = await t.app.services.datasheets.create(scope, {
    name: `Convert ${field.type}`,
    fields: [{ name: 'Name', type: 'SingleText', property: {} }, { name: 'F', ...field }, ...extra],
  });
  const records = values.length
    ? await t.app.services.records.create(
        scope,
        ds.id,
        values.map((v, i) => ({ Name: `r${i}`, ...(v === undefined ? {} : { F: v }) })),
      )
    : [];
  return { ds, f: ds.fields[1]!, ids: records.map((r) => r.id) };
}

const patch = (datasheetId: string, fieldId: string, body: Record<string, unknown>) =>
  call<{ id: string; name: string; type: string; property?: Record<string, unknown> }>(
    'PATCH',
    `/v1/datasheets/${datasheetId}/fields/${fieldId}`,
    body,
  );

/** The records' `F` cells in row order, as GET records reads them in a cell format. */
async function cells(datasheetId: string, cellFormat: 'json' | 'string' = 'json'): Promise<unknown[]> {
  const r = await call<{ records: { fields: Record<string, unknown> }[] }>(
    'GET',
    `/v1/datasheets/${datasheetId}/records?pageSize=1000&cellFormat=${cellFormat}`,
  );
  expect(r.body.success, JSON.stringify(r.body)).toBe(true);
  return r.body.data!.records.map((rec) => rec.fields['F']);
}

async function convert(field: Omit<Field, 'name'>, values: unknown[], to: Record<string, unknown>) {
  const s = await sheet(field, values);
  const r = await patch(s.ds.id, s.f.id, to);
  expect(r.body.success, JSON.stringify(r.body)).toBe(true);
  expect(r.body.data).toMatchObject({ id: s.f.id, type: to['type'] });
  return { ...s, field: r.body.data!, cells: await cells(s.ds.id) };
}

describe('PATCH …/fields/{fieldId} changing the type converts the cells', () => {
  it.each([
    [{ type: 'Number', property: { precision: 2 } }, [1234.5, -3, undefined]],
    [{ type: 'Currency', property: { symbol: '€', precision: 1 } }, [12.25, 0]],
    [{ type: 'Percent', property: { precision: 1 } }, [0.125]],
    [{ type: 'Checkbox', property: { icon: 'white_check_mark' } }, [true, false]],
    [{ type: 'SingleSelect', property: { options: [{ name: 'a' }, { name: 'b' }] } }, ['b', null]],
    [{ type: 'MultiSelect', property: { options: [] } }, [['x', 'y'], ['y']]],
    [{ type: 'DateTime', property: { dateFormat: 'YYYY-MM-DD', includeTime: true } }, ['2024-03-01T10:30:00Z']],
    [{ type: 'URL' }, ['https://example.com/a', { text: 'https://e.org', title: 'E' }]],
    [{ type: 'Member', property: {} }, 'owner'],
    [{ type: 'Rating', property: { icon: 'star', max: 5 } }, [3]],
  ])('%j → Text and SingleText: each cell becomes its cellFormat=string text', async (field, values) => {
    const written = values === 'owner' ? [[{ id: scope.userId }]] : (values as unknown[]);
    for (const to of ['Text', 'SingleText']) {
      const s = await sheet(field, written);
      const before = await cells(s.ds.id, 'string');
      const r = await patch(s.ds.id, s.f.id, { type: to });
      expect(r.body.success, JSON.stringify(r.body)).toBe(true);
      // Empty cells stay empty (an unchecked box does not become "0").
      const expected = before.map((text, i) =>
        written[i] === undefined || written[i] === null || written[i] === false ? undefined : text,
      );
      expect(await cells(s.ds.id)).toEqual(expected);
    }
  });

  it('Text → Number, Currency, Percent and Rating parse numbers; unparseable text is emptied', async () => {
    const texts = ['12', '1,234.5', '$ 3', '-2.5e1', '50%', 'abc', '12 kg', ' 7 '];
    expect((await convert({ type: 'Text' }, texts, { type: 'Number', property: { precision: 1 } })).cells).toEqual([
      12,
      1234.5,
      3,
      -25,
      0.5,
      undefined,
      undefined,
      7,
    ]);
    expect((await convert({ type: 'SingleText', property: {} }, texts, { type: 'Currency' })).cells).toEqual([
      12,
      1234.5,
      3,
      -25,
      0.5,
      undefined,
      undefined,
      7,
    ]);
    // A percent written as text is a percentage: `50` and `50%` are both 0.5.
    expect((await convert({ type: 'Text' }, ['50', '25%', 'x'], { type: 'Percent' })).cells).toEqual([
      0.5,
      0.25,
      undefined,
    ]);
    const rating = await convert({ type: 'Text' }, ['4', '9', '0', '2.6', 'no'], {
      type: 'Rating',
      property: { icon: 'star', max: 5 },
    });
    expect(rating.cells).toEqual([4, 5, undefined, 3, undefined]);
  });

  it('a type change with no property gets the new type’s default one', async () => {
    const r = await convert({ type: 'Text' }, ['3'], { type: 'Rating' });
    expect(r.field.property).toEqual({ icon: '⭐', max: 5 });
    const n = await convert({ type: 'Currency', property: { precision: 3 } }, [1.5], { type: 'Number' });
    expect(n.field.property).toEqual({ precision: 3 });
  });

  it('Text → SingleSelect and MultiSelect: distinct values become options (MultiSelect splits on commas)', async () => {
    const single = await convert({ type: 'Text' }, ['red', 'blue', 'red', ' green '], { type: 'SingleSelect' });
    expect(single.cells).toEqual(['red', 'blue', 'red', 'green']);
    expect((single.field.property as { options: { name: string }[] }).options.map((o) => o.name)).toEqual([
      'red',
      'blue',
      'green',
    ]);
    const multi = await convert({ type: 'SingleText', property: {} }, ['a, b', 'b,c,,', 'a'], {
      type: 'MultiSelect',
      property: { options: [{ name: 'z' }] },
    });
    expect(multi.cells).toEqual([['a', 'b'], ['b', 'c'], ['a']]);
    expect((multi.field.property as { options: { name: string }[] }).options.map((o) => o.name)).toEqual([
      'z',
      'a',
      'b',
      'c',
    ]);
  });

  it('Text → Checkbox: truthy words check the box, anything else leaves it empty', async () => {
    const r = await convert({ type: 'Text' }, ['yes', 'TRUE', '1', 'x', '✅', 'no', '0', 'maybe'], {
      type: 'Checkbox',
      property: { icon: 'white_check_mark' },
    });
    expect(r.cells).toEqual([true, true, true, true, true, undefined, undefined, undefined]);
  });

  it('Text → DateTime parses as a write would (the server time zone without an offset); garbage is emptied', async () => {
    const texts = ['2024-03-01T10:30:00Z', '2024-03-01 08:00', 'March 5, 2024', 'not a date'];
    const r = await convert({ type: 'Text' }, texts, {
      type: 'DateTime',
      property: { dateFormat: 'YYYY-MM-DD', includeTime: true },
    });
    // What writing the same text into a DateTime field stores.
    const reference = await sheet({ type: 'DateTime', property: { dateFormat: 'YYYY-MM-DD' } }, texts.slice(0, 3));
    expect(r.cells).toEqual([...(await cells(reference.ds.id)), undefined]);
    expect(r.cells[0]).toBe(Date.UTC(2024, 2, 1, 10, 30));
  });

  it('Text → Email, Phone and URL keep the text as writes would (no format check)', async () => {
    const texts = ['ann@example.com', 'not an email', '+1 555 0100'];
    expect((await convert({ type: 'Text' }, texts, { type: 'Email' })).cells).toEqual(texts);
    expect((await convert({ type: 'Text' }, texts, { type: 'Phone' })).cells).toEqual(texts);
    expect((await convert({ type: 'Text' }, ['https://example.com'], { type: 'URL' })).cells).toEqual([
      { title: 'https://example.com', text: 'https://example.com', favicon: '' },
    ]);
  });

  it('Number ↔ Currency ↔ Percent keep the value; Rating clamps it; Checkbox → Number is 1', async () => {
    const values = [0.5, 12, -3];
    let s = await convert({ type: 'Number', property: { precision: 1 } }, values, { type: 'Currency' });
    expect(s.cells).toEqual(values);
    for (const type of ['Percent', 'Number', 'Currency']) {
      const r = await patch(s.ds.id, s.f.id, { type });
      expect(r.body.success, JSON.stringify(r.body)).toBe(true);
      expect(await cells(s.ds.id)).toEqual(values);
    }
    s = await convert({ type: 'Number', property: { precision: 0 } }, [7, 2, 0, -1], { type: 'Rating' });
    expect(s.cells).toEqual([5, 2, undefined, undefined]);
    s = await convert({ type: 'Checkbox', property: { icon: 'white_check_mark' } }, [true, false], {
      type: 'Number',
      property: { precision: 0 },
    });
    expect(s.cells).toEqual([1, undefined]);
    s = await convert({ type: 'Checkbox', property: { icon: 'white_check_mark' } }, [true], {
      type: 'Percent',
      property: { precision: 0 },
    });
    expect(s.cells).toEqual([1]);
    // A date is its epoch milliseconds as a number, and back.
    const at = Date.UTC(2024, 0, 2, 3, 4);
    s = await convert({ type: 'DateTime', property: { dateFormat: 'YYYY-MM-DD' } }, [at], { type: 'Number' });
    expect(s.cells).toEqual([at]);
    expect((await patch(s.ds.id, s.f.id, { type: 'DateTime' })).body.success).toBe(true);
    expect(await cells(s.ds.id)).toEqual([at]);
  });

  it('SingleSelect ↔ MultiSelect keep the options (ids included); MultiSelect → SingleSelect keeps the first', async () => {
    const s = await sheet({ type: 'SingleSelect', property: { options: [{ name: 'a' }, { name: 'b' }] } }, ['a', 'b']);
    const options = (s.f.property as { options: { id: string; name: string }[] }).options;
    const multi = await patch(s.ds.id, s.f.id, { type: 'MultiSelect' });
    expect((multi.body.data!.property as { options: { id: string }[] }).options.map((o) => o.id)).toEqual(
      options.map((o) => o.id),
    );
    expect(await cells(s.ds.id)).toEqual([['a'], ['b']]);
    await t.app.services.records.update(scope, s.ds.id, [{ recordId: s.ids[0]!, fields: { F: ['b', 'a'] } }]);
    const single = await patch(s.ds.id, s.f.id, { type: 'SingleSelect' });
    expect(single.body.success).toBe(true);
    expect(await cells(s.ds.id)).toEqual(['b', 'b']);
  });
});

describe('a conversion is one write of the author', () => {
  it('writes each changed cell’s history with the author and emits field.updated then records.updated', async () => {
    const s = await sheet({ type: 'Text' }, ['5', 'x', undefined]);
    const before = await t.app.services.feed.latestSequence(s.ds.id);
    const r = await patch(s.ds.id, s.f.id, { type: 'Number', property: { precision: 0 } });
    expect(r.body.success).toBe(true);
    const history = await call<{
      changes: { fieldId: string; oldValue: unknown; newValue: unknown; authorId: string }[];
    }>('GET', `/v1/datasheets/${s.ds.id}/records/${s.ids[0]}/history`);
    expect(history.body.data!.changes[0]).toMatchObject({
      fieldId: s.f.id,
      oldValue: '5',
      newValue: 5,
      authorId: scope.userId,
    });
    const cleared = await call<{ changes: { fieldId: string; oldValue: unknown; newValue: unknown }[] }>(
      'GET',
      `/v1/datasheets/${s.ds.id}/records/${s.ids[1]}/history`,
    );
    expect(cleared.body.data!.changes[0]).toMatchObject({ fieldId: s.f.id, oldValue: 'x', newValue: null });
    const events = await t.app.services.feed.read(s.ds.id, before, 100);
    expect(events.map((e) => e.kind)).toEqual(['field.updated', 'records.updated']);
    expect(events[0]).toMatchObject({ targetId: s.f.id, actorId: scope.userId });
    expect(events[1]!.changes).toEqual([
      { recordId: s.ids[0], fieldId: s.f.id, oldValue: '5', newValue: 5 },
      { recordId: s.ids[1], fieldId: s.f.id, oldValue: 'x', newValue: null },
    ]);
  });

  it('cells whose value does not move are not rewritten (Number → Currency writes no history)', async () => {
    const s = await sheet({ type: 'Number', property: { precision: 0 } }, [1, 2]);
    const before = await t.app.services.feed.latestSequence(s.ds.id);
    expect((await patch(s.ds.id, s.f.id, { type: 'Currency' })).body.success).toBe(true);
    expect((await t.app.services.feed.read(s.ds.id, before, 100)).map((e) => e.kind)).toEqual(['field.updated']);
  });

  it('a conversion that fails midway (past its first page of rows) changes nothing', async () => {
    const values = Array.from({ length: 5200 }, (_, i) => `v${i % 7}`);
    values[5150] = 'o'.repeat(1001); // too long for an option name: fails on the second page of 5,000 rows
    const s = await sheet({ type: 'Text' }, []);
    for (let i = 0; i < values.length; i += 1000)
      await t.app.services.records.create(
        scope,
        s.ds.id,
        values.slice(i, i + 1000).map((v) => ({ F: v })),
      );
    const before = await t.app.services.feed.latestSequence(s.ds.id);
    const changes = await t.app.prisma.recordChange.count({ where: { datasheetId: s.ds.id } });
    const r = await patch(s.ds.id, s.f.id, { type: 'SingleSelect' });
    expect([r.body.success, r.body.code]).toEqual([false, 400]);
    expect(r.body.message).toMatch(
      /Changing the type of field F to SingleSelect is not possible: .*too long for an option/,
    );
    expect((await t.app.services.datasheets.get(scope, s.ds.id)).fields[1]).toMatchObject({
      type: 'Text',
      property: {},
    });
    expect(await cells(s.ds.id)).toEqual(values.slice(0, 1000));
    expect(await t.app.prisma.recordChange.count({ where: { datasheetId: s.ds.id } })).toBe(changes);
    expect(await t.app.services.feed.latestSequence(s.ds.id)).toBe(before);
  });
});

describe('PATCH …/fields/{fieldId} refuses conversions it does not support, naming type and the pair', () => {
  it.each([
    [
      { type: 'Number', property: { precision: 0 } },
      { type: 'Formula', property: { expression: '1' } },
      'from Number to Formula',
    ],
    [{ type: 'Text' }, { type: 'AutoNumber' }, 'from Text to AutoNumber'],
    [{ type: 'Text' }, { type: 'Member', property: {} }, 'from Text to Member'],
    [{ type: 'Text' }, { type: 'Attachment' }, 'from Text to Attachment'],
    [{ type: 'Attachment' }, { type: 'Text' }, 'from Attachment to Text'],
    [{ type: 'AutoNumber' }, { type: 'Text' }, 'from AutoNumber to Text'],
    [{ type: 'CreatedTime', property: { dateFormat: 'YYYY-MM-DD' } }, { type: 'Text' }, 'from CreatedTime to Text'],
    [{ type: 'Formula', property: { expression: '1+1' } }, { type: 'Number' }, 'from Formula to Number'],
  ])('%j → %j', async (from, to, pair) => {
    const s = await sheet(from, []);
    const r = await patch(s.ds.id, s.f.id, to);
    expect([r.body.success, r.body.code]).toEqual([false, 400]);
    expect(r.body.message).toContain(`Changing the type of field F ${pair} is not supported`);
    expect((await t.app.services.datasheets.get(scope, s.ds.id)).fields[1]!.type).toBe(from.type);
  });

  it('refuses links both ways', async () => {
    const other = await sheet({ type: 'Text' }, []);
    const s = await sheet(
      { type: 'Text' },
      ['a'],
      [{ name: 'L', type: 'OneWayLink', property: { foreignDatasheetId: other.ds.id } }],
    );
    const link = s.ds.fields[2]!;
    let r = await patch(s.ds.id, link.id, { type: 'Text' });
    expect(r.body.message).toContain('from OneWayLink to Text is not supported');
    r = await patch(s.ds.id, s.f.id, { type: 'OneWayLink', property: { foreignDatasheetId: other.ds.id } });
    expect(r.body.message).toContain('from Text to OneWayLink is not supported');
  });

  it('refuses a primary field into a type that cannot be primary', async () => {
    const s = await sheet({ type: 'Text' }, ['1']);
    const r = await patch(s.ds.id, s.ds.fields[0]!.id, { type: 'Rating' });
    expect(r.body.message).toContain('the primary field cannot be of type Rating');
  });

  it('refuses a change that would break a lookup’s filter in another datasheet, naming the lookup', async () => {
    const a = await sheet({ type: 'Text' }, ['abc']);
    const b = await sheet(
      { type: 'Text' },
      [],
      [{ name: 'L', type: 'OneWayLink', property: { foreignDatasheetId: a.ds.id } }],
    );
    await t.app.services.fields.add(scope, b.ds.id, {
      name: 'Looked',
      type: 'MagicLookUp',
      property: {
        relatedLinkFieldId: b.ds.fields[2]!.id,
        targetFieldId: a.ds.fields[0]!.id,
        enableFilterSort: true,
        filterInfo: { conjunction: 'and', conditions: [{ fieldId: a.f.id, operator: 'contains', value: ['b'] }] },
      },
    });
    const r = await patch(a.ds.id, a.f.id, { type: 'Checkbox' });
    expect([r.body.success, r.body.code]).toEqual([false, 400]);
    expect(r.body.message).toContain('would break the filter of lookup field Looked');
    // A conversion the filter survives goes through.
    expect((await patch(a.ds.id, a.f.id, { type: 'SingleText' })).body.success).toBe(true);
  });

  it('formulas reading the field keep computing over the converted cells', async () => {
    const s = await sheet({ type: 'Text' }, ['4', 'x']);
    await t.app.services.fields.add(scope, s.ds.id, {
      name: 'G',
      type: 'Formula',
      property: { expression: 'CONCATENATE({F}, "!")' },
    });
    expect((await patch(s.ds.id, s.f.id, { type: 'Number', property: { precision: 0 } })).body.success).toBe(true);
    const r = await call<{ records: { fields: Record<string, unknown> }[] }>(
      'GET',
      `/v1/datasheets/${s.ds.id}/records`,
    );
    expect(r.body.data!.records.map((rec) => [rec.fields['F'], rec.fields['G']])).toEqual([
      [4, '4!'],
      [undefined, '!'],
    ]);
  });

  it('refuses a change that would break a view’s filter, naming the view, and changes nothing', async () => {
    const s = await sheet({ type: 'Text' }, ['abc']);
    const view = await t.app.services.views.add(scope, s.ds.id, {
      name: 'Contains',
      filter: { conjunction: 'and', conditions: [{ fieldId: s.f.id, operator: 'contains', value: ['b'] }] },
    });
    expect(view.id).toBeTruthy();
    const r = await patch(s.ds.id, s.f.id, { type: 'Checkbox' });
    expect([r.body.success, r.body.code]).toEqual([false, 400]);
    expect(r.body.message).toContain('would break the filter of view Contains');
    expect(await cells(s.ds.id)).toEqual(['abc']);
  });
});
