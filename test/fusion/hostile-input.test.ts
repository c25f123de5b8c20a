import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_NEW_SELECT_OPTIONS_PER_WRITE, MAX_SELECT_OPTIONS } from '../../src/domain/limits.js';
import { ownerScope, startTestApp, type TestApp } from '../support/app.js';
import { fusion } from '../support/fusion.js';

/** Hostile input over real HTTP: huge option lists, long and unstorable text, paging past int4, cursors past bigint. */
let t: TestApp;
let dst: string;

type Page = {
  total: number;
  pageNum: number;
  pageSize: number;
  records: { recordId: string; fields: Record<string, unknown> }[];
};
type Field = { id: string; name: string; property?: { options?: { name: string }[] } };

const call = <T = unknown>(method: string, path: string, body?: unknown) =>
  fusion<T>(t.url, method, `/v1${path}`, { token: t.token, body });
const records = (query = '') => call<Page>('GET', `/datasheets/${dst}/records${query}`);
const create = (fields: Record<string, unknown>[]) =>
  call<{ records: { recordId: string }[] }>('POST', `/datasheets/${dst}/records`, {
    records: fields.map((f) => ({ fields: f })),
  });
const fieldNamed = async (name: string) =>
  (await call<{ fields: Field[] }>('GET', `/datasheets/${dst}/fields`)).body.data!.fields.find((f) => f.name === name)!;
const refused = (message: string) => ({ success: false, code: 400, message });

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT: 'off', MAX_TEXT_CELL_LENGTH: '1000' });
  const created = await call<{ id: string }>('POST', `/spaces/${t.spaceId}/datasheets`, {
    name: 'Hostile',
    fields: [
      { name: 'Name', type: 'SingleText', property: {} },
      { name: 'Notes', type: 'Text' },
      { name: 'Tags', type: 'MultiSelect', property: { options: [] } },
      { name: 'Stage', type: 'SingleSelect', property: { options: [{ name: 'Lead' }] } },
      { name: 'Link', type: 'URL' },
    ],
  });
  dst = created.body.data!.id;
  expect((await create([{ Name: 'first' }])).body.success).toBe(true);
});
afterAll(async () => {
  await t?.close();
});

describe('select options', () => {
  it('refuses 16,000 new names in one cell by the per-write cap, naming the field and adding nothing', async () => {
    const names = Array.from({ length: 16_000 }, (_, i) => `tag ${i}`);
    expect((await create([{ Name: 'many', Tags: names }])).body).toEqual(
      refused(`field:Tags can't get more than ${MAX_NEW_SELECT_OPTIONS_PER_WRITE} new options in one request`),
    );
    expect((await fieldNamed('Tags')).property!.options).toEqual([]);
    expect((await records()).body.data!.total).toBe(1);
  });

  it('adds up to the per-write cap of new options, counted over every record and field of the request', async () => {
    const names = Array.from({ length: MAX_NEW_SELECT_OPTIONS_PER_WRITE }, (_, i) => `t${i}`);
    const ok = await create([{ Name: 'tagged', Tags: [...names, ...names] }]);
    expect(ok.body.success).toBe(true);
    const id = ok.body.data!.records[0]!.recordId;
    expect((await records(`?recordIds=${id}`)).body.data!.records[0]!.fields.Tags).toEqual(names);
    expect((await fieldNamed('Tags')).property!.options!.map((o) => o.name)).toEqual(names);
    // Known names are free; 60 + 40 + 1 new ones in one request are one too many.
    const more = (from: number, n: number) => Array.from({ length: n }, (_, i) => `u${from + i}`);
    const res = await create([{ Tags: [...names, ...more(0, 60)] }, { Tags: more(60, 40), Stage: 'brand new' }]);
    expect(res.body).toEqual(
      refused(`field:Stage can't get more than ${MAX_NEW_SELECT_OPTIONS_PER_WRITE} new options in one request`),
    );
    expect((await fieldNamed('Tags')).property!.options).toHaveLength(MAX_NEW_SELECT_OPTIONS_PER_WRITE);
    expect((await fieldNamed('Stage')).property!.options).toHaveLength(1);
  });

  it(`caps a field at ${MAX_SELECT_OPTIONS} options, on create and on write`, async () => {
    const options = Array.from({ length: MAX_SELECT_OPTIONS }, (_, i) => ({ name: `o${i}` }));
    const tooMany = await call('POST', `/spaces/${t.spaceId}/datasheets/${dst}/fields`, {
      name: 'Full',
      type: 'MultiSelect',
      property: { options: [...options, { name: 'one more' }] },
    });
    expect(tooMany.body).toMatchObject({ success: false, code: 400 });
    expect(tooMany.body.message).toContain(`no more than ${MAX_SELECT_OPTIONS}`);
    const made = await call('POST', `/spaces/${t.spaceId}/datasheets/${dst}/fields`, {
      name: 'Full',
      type: 'MultiSelect',
      property: { options },
    });
    expect(made.body.success).toBe(true);
    expect((await create([{ Full: ['o0', 'o999'] }])).body.success).toBe(true);
    expect((await create([{ Full: ['o1', 'new'] }])).body).toEqual(
      refused(`field:Full can't have more than ${MAX_SELECT_OPTIONS} options`),
    );
    expect((await fieldNamed('Full')).property!.options).toHaveLength(MAX_SELECT_OPTIONS);
  });
});

describe('text', () => {
  it('takes text up to MAX_TEXT_CELL_LENGTH characters and refuses longer, naming the field', async () => {
    const before = (await records()).body.data!.total;
    expect((await create([{ Notes: 'x'.repeat(1000) }])).body.success).toBe(true);
    expect((await create([{ Name: 'ok', Notes: 'x'.repeat(1001) }])).body).toEqual(
      refused("field:Notes text can't be longer than 1000 characters"),
    );
    expect((await create([{ Link: { text: 'https://a.test', title: 'y'.repeat(1001) } }])).body).toEqual(
      refused("field:Link text can't be longer than 1000 characters"),
    );
    expect((await records()).body.data!.total).toBe(before + 1);
  });

  it('refuses NUL and lone surrogates in cells, naming the field, and writes nothing', async () => {
    const before = (await records()).body.data!.total;
    const nul = 'it contains a NUL character';
    const lone = 'must not contain a lone surrogate (an unpaired \\ud800-\\udfff)';
    // NUL is refused by the transport before the domain sees the body, naming where it is.
    expect((await create([{ Name: 'ok' }, { Notes: 'a\u0000b' }])).body).toEqual(
      refused(`Invalid value for records[1].fields.Notes: ${nul}`),
    );
    expect((await create([{ Name: 'bad \ud800' }])).body).toEqual(refused(`field:Name ${lone}`));
    expect((await create([{ Name: 'bad \udc00 too' }])).body).toEqual(refused(`field:Name ${lone}`));
    expect((await create([{ Tags: ['fine', 'x\u0000'] }])).body).toEqual(
      refused(`Invalid value for records[0].fields.Tags[1]: ${nul}`),
    );
    expect((await create([{ Stage: '\ud83d' }])).body).toEqual(refused(`field:Stage ${lone}`));
    const [id] = (await records('?pageSize=1')).body.data!.records.map((r) => r.recordId);
    expect(
      (await call('PATCH', `/datasheets/${dst}/records`, { records: [{ recordId: id, fields: { Notes: '\u0000' } }] }))
        .body,
    ).toEqual(refused(`Invalid value for records[0].fields.Notes: ${nul}`));
    expect((await records()).body.data!.total).toBe(before);
    expect((await fieldNamed('Tags')).property!.options!.some((o) => o.name === 'fine')).toBe(false);
    // A surrogate pair is one character, and welcome.
    const emoji = await create([{ Name: 'smile 😀' }]);
    expect(emoji.body.success).toBe(true);
    expect(
      (await records(`?recordIds=${emoji.body.data!.records[0]!.recordId}`)).body.data!.records[0]!.fields.Name,
    ).toBe('smile 😀');
  });

  it('refuses NUL and lone surrogates in datasheet, field, view and option names and in descriptions', async () => {
    const nodes = async () =>
      (await call<{ nodes: unknown[] }>('GET', `/spaces/${t.spaceId}/nodes`)).body.data!.nodes.length;
    const before = await nodes();
    const sheet = (body: Record<string, unknown>) =>
      call('POST', `/spaces/${t.spaceId}/datasheets`, { fields: [{ name: 'Name', type: 'Text' }], ...body });
    expect((await sheet({ name: 'a\u0000b' })).body).toEqual(
      refused('Invalid value for name: it contains a NUL character'),
    );
    expect((await sheet({ name: 'ok', fields: [{ name: 'N\ud800', type: 'Text' }] })).body).toMatchObject({
      success: false,
      code: 400,
    });
    expect((await sheet({ name: 'ok', description: 'd\udfff' })).body).toEqual(
      refused('description must not contain a lone surrogate (an unpaired \\ud800-\\udfff)'),
    );
    expect(await nodes()).toBe(before);
    const field = (body: Record<string, unknown>) =>
      call('POST', `/spaces/${t.spaceId}/datasheets/${dst}/fields`, body);
    expect((await field({ name: 'x\u0000', type: 'Text' })).body).toEqual(
      refused('Invalid value for name: it contains a NUL character'),
    );
    const option = await field({ name: 'Picked', type: 'SingleSelect', property: { options: [{ name: 'a\u0000' }] } });
    expect(option.body).toMatchObject({ success: false, code: 400 });
    expect(option.body.message).toBe('Invalid value for property.options[0].name: it contains a NUL character');
    expect(await fieldNamed('Picked')).toBeUndefined();
    const scope = await ownerScope(t);
    await expect(t.app.services.views.add(scope, dst, { name: 'v\u0000' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { parameter: 'name' },
    });
  });
});

describe('paging and cursors past the database integers', () => {
  it('clamps maxRecords past 2³¹ (it has no upper bound) and answers pages past 2³¹ rows as empty', async () => {
    const total = (await records()).body.data!.total;
    const capped = await records('?maxRecords=2147483648');
    expect(capped.body).toMatchObject({ success: true, data: { total } });
    expect(capped.body.data!.records).toHaveLength(total);
    const far = await records('?pageNum=3000000&pageSize=1000');
    expect(far.body).toEqual({
      code: 200,
      success: true,
      data: { total, records: [], pageNum: 3000000, pageSize: 0 },
      message: 'SUCCESS',
    });
    expect((await records('?pageNum=9007199254740991&pageSize=1000&maxRecords=99999999999')).body.data).toMatchObject({
      total,
      records: [],
    });
  });

  it('refuses NUL in query parameters that reach SQL, naming them', async () => {
    const nul = 'it contains a NUL character';
    expect((await records('?recordIds=rec%00x')).body).toEqual(refused(`Invalid value for recordIds: ${nul}`));
    expect((await records(`?filterByFormula=${encodeURIComponent('{Name} = "a\u0000"')}`)).body).toEqual(
      refused(`Invalid value for filterByFormula: ${nul}`),
    );
    expect((await records('?sort[0][field]=Na%00me&sort[0][order]=asc')).body).toEqual(
      refused(`Invalid value for sort[0][field]: ${nul}`),
    );
  });

  it('pages an embed link past 2³¹ rows without a token: an empty page', async () => {
    const link = await call<{ linkId: string }>('POST', `/spaces/${t.spaceId}/nodes/${dst}/embedlinks`, {});
    const res = await fusion<Page>(
      t.url,
      'GET',
      `/v1/embed/${link.body.data!.linkId}/records?pageNum=3000000&pageSize=1000`,
    );
    expect(res.body).toMatchObject({ success: true, data: { records: [], pageNum: 3000000, pageSize: 0 } });
  });

  it('refuses an audit cursor past bigint, naming it', async () => {
    expect((await call('GET', `/spaces/${t.spaceId}/audit-events?before=99999999999999999999`)).body).toEqual(
      refused('Invalid cursor'),
    );
    expect((await call('GET', `/spaces/${t.spaceId}/audit-events?before=9223372036854775808`)).body).toEqual(
      refused('Invalid cursor'),
    );
    expect((await call('GET', `/spaces/${t.spaceId}/audit-events?before=9223372036854775807`)).body.success).toBe(true);
  });
});
