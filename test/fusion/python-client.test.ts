import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

/**
 * The official Python client (`apitable` on PyPI, apitable-sdks `apitable.py`) on the wire, byte for byte
 * as `requests` sends it: params through urlencode(doseq=True) (lists become repeated keys, spaces `+`),
 * sort items as json.dumps objects (`{"field": "Qty", "order": "desc"}`, with its spaces), JSON bodies from
 * json.dumps with `fieldKey` only in the body, uploads as one part named `files`, and keyword filters turned
 * into formulas by its query_parse. Answers are checked against what its pydantic models require
 * (aitable-sdk-clients.md §4, §5, §8, §9).
 */
let t: TestApp;
let dst: string;
const ids: Record<string, string> = {};

// ---- what python-requests sends ------------------------------------------------------------------------

type Param = [string, string | number | boolean | null | readonly (string | number)[]];

/** urllib.parse.quote_plus: unreserved characters stay, space is `+`, everything else is %XX of its UTF-8 bytes. */
function quotePlus(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((byte) => {
      const c = String.fromCharCode(byte);
      if (/[A-Za-z0-9_.\-~]/.test(c)) return c;
      if (c === ' ') return '+';
      return `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

/** urlencode(params, doseq=True) as requests calls it; None values are dropped, as requests does. */
function urlencode(params: readonly Param[]): string {
  const pairs: string[] = [];
  for (const [key, value] of params) {
    if (value === null) continue;
    const values = Array.isArray(value) ? value : [value];
    for (const v of values)
      pairs.push(`${quotePlus(key)}=${quotePlus(typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v))}`);
  }
  return pairs.join('&');
}

/** json.dumps with its defaults: `, ` and `: ` separators, non-ASCII as \uXXXX. */
function jsonDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string')
    return JSON.stringify(value).replace(
      /[\u0080-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  if (Array.isArray(value)) return `[${value.map(jsonDumps).join(', ')}]`;
  return `{${Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `${jsonDumps(k)}: ${jsonDumps(v)}`)
    .join(', ')}}`;
}

const REQUESTS_HEADERS = {
  'user-agent': 'python-requests/2.31.0',
  'accept-encoding': 'gzip, deflate',
  accept: '*/*',
  connection: 'keep-alive',
};

interface Envelope {
  code: unknown;
  success: unknown;
  message: unknown;
  data?: unknown;
}

/** One call of the Python client's requests session (Authorization set once on the session). */
async function py(
  method: string,
  path: string,
  options: {
    params?: readonly Param[];
    json?: unknown;
    files?: { name: string; bytes: Buffer; type: string | null };
  } = {},
): Promise<{ status: number; body: Envelope }> {
  const query = options.params ? urlencode(options.params) : '';
  const headers: Record<string, string> = { ...REQUESTS_HEADERS, authorization: `Bearer ${t.token}` };
  let body: string | Uint8Array<ArrayBuffer> | undefined;
  if (options.json !== undefined) {
    body = jsonDumps(options.json);
    headers['content-type'] = 'application/json';
  } else if (options.files) {
    // requests' encode_multipart_formdata: one part named "files", the file name as given (a path, even).
    const boundary = randomBytes(16).toString('hex');
    const { name, bytes, type } = options.files;
    body = new Uint8Array(
      Buffer.concat([
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${name}"\r\n${type ? `Content-Type: ${type}\r\n` : ''}\r\n`,
        ),
        bytes,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]),
    );
    headers['content-type'] = `multipart/form-data; boundary=${boundary}`;
  }
  if (method !== 'GET') headers['content-length'] = String(body ? Buffer.byteLength(body) : 0);
  const response = await fetch(`${t.url}${path}${query ? `?${query}` : ''}`, { method, headers, body });
  return { status: response.status, body: (await response.json()) as Envelope };
}

/** apitable.utils.query_parse: keyword filters to a formula (None, str, bool, list, else the value as Python prints it). */
function queryParse(kwargs: Record<string, string | number | boolean | null | string[]>): string {
  const parts = Object.entries(kwargs).map(([k, v]) => {
    const value =
      v === null
        ? 'BLANK()'
        : typeof v === 'string'
          ? `"${v}"`
          : typeof v === 'boolean'
            ? v
              ? 'TRUE()'
              : 'FALSE()'
            : Array.isArray(v)
              ? `"${v.join(', ')}"`
              : String(v);
    return `{${k}}=${value}`;
  });
  return parts.length === 1 ? parts[0]! : `AND(${parts.join(',')})`;
}

const sortItem = (field: string, order: 'asc' | 'desc') => jsonDumps({ field, order });

// ---- what its pydantic models require ------------------------------------------------------------------

const isInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v);
const isStr = (v: unknown) => typeof v === 'string';
const isBool = (v: unknown) => typeof v === 'boolean';

/** ResponseBase: code int, success bool, message str; handle_response reads `success` then the model. */
function expectSuccess(res: { status: number; body: Envelope }): Record<string, unknown> {
  expect(res.status).toBeLessThan(500); // requests' client raises ServerError before parsing at >= 500
  expect(res.body, JSON.stringify(res.body)).toMatchObject({ success: true });
  expect([isInt(res.body.code), isBool(res.body.success), isStr(res.body.message)]).toEqual([true, true, true]);
  return res.body.data as Record<string, unknown>;
}

/** RawRecord: recordId str (alias of id), fields a dict. GETRecordResponseData adds total, pageNum, pageSize ints. */
function expectRecords(
  data: Record<string, unknown>,
  page: boolean,
): { recordId: string; fields: Record<string, unknown> }[] {
  if (page)
    expect([isInt(data.total), isInt(data.pageNum), isInt(data.pageSize)], JSON.stringify(data)).toEqual([
      true,
      true,
      true,
    ]);
  const records = data.records as { recordId: unknown; fields: unknown }[];
  expect(Array.isArray(records)).toBe(true);
  for (const r of records)
    expect([isStr(r.recordId), typeof r.fields === 'object' && r.fields !== null && !Array.isArray(r.fields)]).toEqual([
      true,
      true,
    ]);
  return records as { recordId: string; fields: Record<string, unknown> }[];
}

const NODE_TYPES = ['Datasheet', 'Folder', 'Form', 'Dashboard', 'Mirror'];
/** NodeListItem: id, name str; type one of NodeTypeEnum; icon str; isFav bool. */
function expectNode(node: Record<string, unknown>) {
  expect(
    [isStr(node.id), isStr(node.name), NODE_TYPES.includes(node.type as string), isStr(node.icon), isBool(node.isFav)],
    JSON.stringify(node),
  ).toEqual([true, true, true, true, true]);
}

// ---- the suite ------------------------------------------------------------------------------------------

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT: 'off' });
});
afterAll(async () => {
  await t?.close();
});

describe('space and datasheet', () => {
  it('lists spaces (SpaceListItem: id, name)', async () => {
    const data = expectSuccess(await py('GET', '/fusion/v1/spaces'));
    for (const s of data.spaces as Record<string, unknown>[])
      expect([isStr(s.id), isStr(s.name)]).toEqual([true, true]);
  });

  it('creates a datasheet: createdAt is an integer, fields are {id, name}', async () => {
    const data = expectSuccess(
      await py('POST', `/fusion/v1/spaces/${t.spaceId}/datasheets`, {
        json: {
          name: 'Python books',
          fields: [
            { name: 'Title', type: 'SingleText', property: {} },
            { name: 'Qty', type: 'Number', property: { precision: 1 } },
            { name: 'Done', type: 'Checkbox', property: { icon: 'white_check_mark' } },
            { name: 'Notes', type: 'Text' },
            { name: 'Tags', type: 'MultiSelect', property: { options: [{ name: 'x' }, { name: 'y' }] } },
            { name: 'Stars', type: 'Rating', property: { icon: 'star', max: 5 } },
            { name: 'Price', type: 'Currency', property: { precision: 2, symbol: '$' } },
            { name: 'Due', type: 'DateTime', property: { dateFormat: 'YYYY-MM-DD' } },
            { name: 'Files', type: 'Attachment' },
          ],
        },
      }),
    );
    expect([isStr(data.id), isInt(data.createdAt)]).toEqual([true, true]);
    expect(data.createdAt as number).toBeGreaterThan(Date.UTC(2020, 0, 1));
    const fields = data.fields as Record<string, unknown>[];
    expect(fields.map((f) => [isStr(f.id), f.name])).toEqual(
      ['Title', 'Qty', 'Done', 'Notes', 'Tags', 'Stars', 'Price', 'Due', 'Files'].map((name) => [true, name]),
    );
    dst = data.id as string;
  });

  it('creates a field (PostMetaFieldResponseData: id, name)', async () => {
    const data = expectSuccess(
      await py('POST', `/fusion/v1/spaces/${t.spaceId}/datasheets/${dst}/fields`, {
        json: { type: 'SingleText', name: 'Author', property: {} },
      }),
    );
    expect([isStr(data.id), data.name]).toEqual([true, 'Author']);
  });

  it('lists fields, also with viewId, with the properties MetaField parses by type', async () => {
    const views = expectSuccess(await py('GET', `/fusion/v1/datasheets/${dst}/views`)).views as Record<
      string,
      unknown
    >[];
    for (const v of views) expect([isStr(v.id), isStr(v.name), isStr(v.type)]).toEqual([true, true, true]);
    for (const params of [[], [['viewId', views[0]!.id as string]]] as Param[][]) {
      const fields = expectSuccess(await py('GET', `/fusion/v1/datasheets/${dst}/fields`, { params })).fields as Record<
        string,
        unknown
      >[];
      for (const f of fields) expect([isStr(f.id), isStr(f.name), isStr(f.type)]).toEqual([true, true, true]);
      const property = (name: string) => fields.find((f) => f.name === name)!.property as Record<string, unknown>;
      // MetaField calls <Type>Property(**property): these must be objects with the required keys typed.
      expect(property('Title')).toEqual(expect.any(Object));
      expect(isInt(property('Qty').precision)).toBe(true);
      expect(isStr(property('Done').icon)).toBe(true);
      expect([isStr(property('Stars').icon), isInt(property('Stars').max)]).toEqual([true, true]);
      expect([isInt(property('Price').precision), isStr(property('Price').symbol)]).toEqual([true, true]);
      expect(isStr(property('Due').format)).toBe(true);
      for (const o of property('Tags').options as Record<string, unknown>[]) {
        const color = o.color as Record<string, unknown>;
        expect([isStr(o.id), isStr(o.name), isStr(color.name), isStr(color.value)]).toEqual([true, true, true, true]);
      }
    }
  });
});

/** The property model MetaField builds per type (apitable.py types/field.py), as checks on the JSON. */
const PROPERTY_CHECKS: Record<string, (p: Record<string, unknown>) => boolean> = {
  SingleText: () => true,
  Number: (p) => isInt(p.precision),
  Currency: (p) => isInt(p.precision) && isStr(p.symbol),
  Percent: (p) => isInt(p.precision),
  SingleSelect: (p) =>
    (p.options as Record<string, unknown>[]).every(
      (o) =>
        isStr(o.id) &&
        isStr(o.name) &&
        isStr((o.color as Record<string, unknown>)?.name) &&
        isStr((o.color as Record<string, unknown>)?.value),
    ),
  Member: (p) =>
    (p.options as Record<string, unknown>[]).every(
      (o) => isStr(o.id) && isStr(o.name) && ['Member', 'Team'].includes(o.type as string),
    ),
  CreatedBy: (p) =>
    (p.options as Record<string, unknown>[]).every((o) => isStr(o.id) && isStr(o.name) && isStr(o.avatar)),
  Checkbox: (p) => isStr(p.icon),
  Rating: (p) => isStr(p.icon) && isInt(p.max),
  DateTime: (p) => isStr(p.format),
  MagicLink: (p) => isStr(p.foreignDatasheetId),
  MagicLookUp: (p) => isStr(p.relatedLinkFieldId) && isStr(p.targetFieldId) && isStr(p.rollupFunction),
};
PROPERTY_CHECKS.MultiSelect = PROPERTY_CHECKS.SingleSelect!;
PROPERTY_CHECKS.LastModifiedBy = PROPERTY_CHECKS.CreatedBy!;
PROPERTY_CHECKS.CreatedTime = PROPERTY_CHECKS.DateTime!;
PROPERTY_CHECKS.LastModifiedTime = PROPERTY_CHECKS.DateTime!;

describe('field properties MetaField parses', () => {
  it.each<[string, unknown]>([
    ['the default columns of a datasheet created without fields', undefined],
    [
      'fields of every type the client models',
      [
        { name: 'Plain', type: 'SingleText', property: {} },
        { name: 'Who', type: 'Member', property: {} },
        { name: 'Creator', type: 'CreatedBy' },
        { name: 'Editor', type: 'LastModifiedBy', property: {} },
        { name: 'Created', type: 'CreatedTime', property: { dateFormat: 'YYYY-MM-DD' } },
        { name: 'Modified', type: 'LastModifiedTime', property: { dateFormat: 'YYYY-MM-DD' } },
        { name: 'Share', type: 'Percent', property: { precision: 0 } },
        { name: 'Calc', type: 'Formula', property: { expression: '1+1' } },
        { name: 'Pick', type: 'SingleSelect', property: { options: [{ name: 'a' }] } },
      ],
    ],
  ])('answers %s with property objects the models accept', async (_label, fields) => {
    const created = expectSuccess(
      await py('POST', `/fusion/v1/spaces/${t.spaceId}/datasheets`, {
        json: { name: `Types ${String(fields === undefined)}`, ...(fields ? { fields } : {}) },
      }),
    );
    const listed = expectSuccess(await py('GET', `/fusion/v1/datasheets/${created.id as string}/fields`))
      .fields as Record<string, unknown>[];
    for (const f of listed) {
      const check = PROPERTY_CHECKS[f.type as string];
      if (!check) continue;
      const property = f.property as Record<string, unknown> | undefined;
      expect(
        typeof property === 'object' && property !== null && check(property),
        `${f.name as string} (${f.type as string}): ${JSON.stringify(property)}`,
      ).toBe(true);
    }
  });
});

describe('records', () => {
  it('creates records with fieldKey only in the body (name, then id)', async () => {
    const rows = [
      { Title: 'alpha', Qty: 3, Done: true, Tags: ['x', 'y'] },
      { Title: 'beta', Qty: 2.5, Notes: 'has notes' },
      { Title: 'gamma', Qty: 3, Done: false },
      { Title: 'delta "quoted"', Qty: 1, Done: true },
      { Title: 'épsilon', Qty: 2 },
    ];
    const data = expectSuccess(
      await py('POST', `/fusion/v1/datasheets/${dst}/records`, {
        json: { records: rows.map((fields) => ({ fields })), fieldKey: 'name' },
      }),
    );
    const records = expectRecords(data, false);
    expect(records.map((r) => r.fields.Title)).toEqual(rows.map((r) => r.Title));
    for (const r of records) ids[r.fields.Title as string] = r.recordId;

    const fields = expectSuccess(await py('GET', `/fusion/v1/datasheets/${dst}/fields`)).fields as {
      id: string;
      name: string;
    }[];
    const titleId = fields.find((f) => f.name === 'Title')!.id;
    const byId = expectRecords(
      expectSuccess(
        await py('POST', `/fusion/v1/datasheets/${dst}/records`, {
          json: { records: [{ fields: { [titleId]: 'zeta' } }], fieldKey: 'id' },
        }),
      ),
      false,
    );
    expect(byId[0]!.fields).toEqual({ [titleId]: 'zeta' });
    ids.zeta = byId[0]!.recordId;
  });

  it('reads a page with pageSize, pageNum and fieldKey as get_records_all sends them', async () => {
    const data = expectSuccess(
      await py('GET', `/fusion/v1/datasheets/${dst}/records`, {
        params: [
          ['fieldKey', 'name'],
          ['pageSize', 1000],
          ['pageNum', 1],
        ],
      }),
    );
    const records = expectRecords(data, true);
    expect([data.total, data.pageNum, data.pageSize]).toEqual([6, 1, 6]);
    expect(records).toHaveLength(6);
  });

  it('walks every page the way get_records_all recurses (while pageSize * pageNum < total)', async () => {
    const seen: string[] = [];
    for (let pageNum = 1; ; pageNum++) {
      const data = expectSuccess(
        await py('GET', `/fusion/v1/datasheets/${dst}/records`, {
          params: [
            ['pageSize', 4],
            ['pageNum', pageNum],
            ['fieldKey', 'name'],
          ],
        }),
      );
      seen.push(...expectRecords(data, true).map((r) => r.recordId));
      if (!(4 * pageNum < (data.total as number))) break;
    }
    expect(seen.sort()).toEqual(Object.values(ids).sort());
  });

  it('sorts by repeated sort=<json.dumps item>', async () => {
    const params: Param[] = [
      ['sort', [sortItem('Qty', 'desc'), sortItem('Title', 'asc')]],
      ['fieldKey', 'name'],
    ];
    expect(urlencode(params)).toContain('sort=%7B%22field%22%3A+%22Qty%22%2C+%22order%22%3A+%22desc%22%7D&sort=');
    const records = expectRecords(
      expectSuccess(await py('GET', `/fusion/v1/datasheets/${dst}/records`, { params })),
      true,
    );
    expect(records.map((r) => r.fields.Title)).toEqual(['alpha', 'gamma', 'beta', 'épsilon', 'delta "quoted"', 'zeta']);
  });

  it('projects fields=a&fields=b and selects recordIds=a&recordIds=b, in request order', async () => {
    const params: Param[] = [
      ['recordIds', [ids.gamma!, ids.alpha!]],
      ['fields', ['Qty', 'Title']],
    ];
    const records = expectRecords(
      expectSuccess(await py('GET', `/fusion/v1/datasheets/${dst}/records`, { params })),
      true,
    );
    expect(records.map((r) => r.recordId)).toEqual([ids.gamma, ids.alpha]);
    expect(Object.keys(records[0]!.fields)).toEqual(['Qty', 'Title']);
    const one = expectRecords(
      expectSuccess(await py('GET', `/fusion/v1/datasheets/${dst}/records`, { params: [['recordIds', [ids.beta!]]] })),
      true,
    );
    expect(one.map((r) => r.recordId)).toEqual([ids.beta]);
  });

  it.each<[string, Record<string, string | number | boolean | null | string[]>, string[]]>([
    ['a string', { Title: 'beta' }, ['beta']],
    ['a non-ASCII string', { Title: 'épsilon' }, ['épsilon']],
    ['a list (a multi-select as its text)', { Tags: ['x', 'y'] }, ['alpha']],
    ['an integer', { Qty: 3 }, ['alpha', 'gamma']],
    ['a float', { Qty: 2.5 }, ['beta']],
    ['TRUE()', { Done: true }, ['alpha', 'delta "quoted"']],
    ['FALSE()', { Done: false }, ['beta', 'gamma', 'épsilon', 'zeta']],
    ['BLANK()', { Notes: null }, ['alpha', 'gamma', 'delta "quoted"', 'épsilon', 'zeta']],
    ['AND() of several keys', { Qty: 3, Done: true }, ['alpha']],
    ['AND() of a string and a number', { Title: 'gamma', Qty: 3 }, ['gamma']],
  ])('filters by the formula query_parse builds from %s', async (_label, kwargs, titles) => {
    const formula = queryParse(kwargs);
    const data = expectSuccess(
      await py('GET', `/fusion/v1/datasheets/${dst}/records`, {
        params: [
          ['filterByFormula', formula],
          ['pageSize', 1000],
        ],
      }),
    );
    expect(
      expectRecords(data, true).map((r) => r.fields.Title),
      formula,
    ).toEqual(titles);
    expect(data.total).toBe(titles.length);
  });

  it('finds nothing for get(Title=...) of a missing value, so get_or_create creates it', async () => {
    const missing = expectSuccess(
      await py('GET', `/fusion/v1/datasheets/${dst}/records`, {
        params: [['filterByFormula', queryParse({ Title: 'omega' })]],
      }),
    );
    expect(expectRecords(missing, true)).toEqual([]);
    const created = expectRecords(
      expectSuccess(
        await py('POST', `/fusion/v1/datasheets/${dst}/records`, {
          json: { records: [{ fields: { Title: 'omega', Done: false } }], fieldKey: 'name' },
        }),
      ),
      false,
    );
    ids.omega = created[0]!.recordId;
    const found = expectSuccess(
      await py('GET', `/fusion/v1/datasheets/${dst}/records`, {
        params: [['filterByFormula', queryParse({ Title: 'omega' })]],
      }),
    );
    expect(expectRecords(found, true).map((r) => r.recordId)).toEqual([ids.omega]);
  });

  it('updates with PATCH, fieldKey in the body (PatchRecordResponse)', async () => {
    const data = expectSuccess(
      await py('PATCH', `/fusion/v1/datasheets/${dst}/records`, {
        json: { records: [{ recordId: ids.omega, fields: { Qty: 9, Done: true } }], fieldKey: 'name' },
      }),
    );
    expect(expectRecords(data, false)[0]!.fields).toMatchObject({ Title: 'omega', Qty: 9, Done: true });
  });

  it('deletes one record with a single recordIds=rec…, then a list as repeated recordIds (no data)', async () => {
    const single = await py('DELETE', `/fusion/v1/datasheets/${dst}/records`, { params: [['recordIds', ids.omega!]] });
    expectSuccess(single);
    expect(single.body).not.toHaveProperty('data');
    const extra = expectRecords(
      expectSuccess(
        await py('POST', `/fusion/v1/datasheets/${dst}/records`, {
          json: { records: [{ fields: { Title: 'tmp1' } }, { fields: { Title: 'tmp2' } }], fieldKey: 'name' },
        }),
      ),
      false,
    );
    expectSuccess(
      await py('DELETE', `/fusion/v1/datasheets/${dst}/records`, {
        params: [['recordIds', extra.map((r) => r.recordId)]],
      }),
    );
    const left = expectSuccess(
      await py('GET', `/fusion/v1/datasheets/${dst}/records`, { params: [['pageSize', 1000]] }),
    );
    expect(left.total).toBe(6);
  });

  it('reads through the v3 path the client switches to (same page shape)', async () => {
    const data = expectSuccess(
      await py('GET', `/fusion/v3/datasheets/${dst}/records`, {
        params: [
          ['fieldKey', 'name'],
          ['pageSize', 1000],
          ['pageNum', 1],
        ],
      }),
    );
    expect(expectRecords(data, true)).toHaveLength(6);
  });
});

describe('attachments', () => {
  const PNG = Buffer.from(
    '89504e470d0a1a0a0000000d4948445200000002000000030806000000b9eac4850000000d49444154789c63f8ffff3f0300050001ff0a2db4e10000000049454e44ae426082',
    'hex',
  );

  it('uploads a local file: part "files", the path as file name, and the answer goes into a cell', async () => {
    const data = expectSuccess(
      await py('POST', `/fusion/v1/datasheets/${dst}/attachments`, {
        files: { name: '/home/me/pics/cover.png', bytes: PNG, type: 'image/png' },
      }),
    );
    expect(data).toMatchObject({ name: 'cover.png', mimeType: 'image/png', size: PNG.length, width: 2, height: 3 });
    const updated = expectRecords(
      expectSuccess(
        await py('PATCH', `/fusion/v1/datasheets/${dst}/records`, {
          json: { records: [{ recordId: ids.alpha, fields: { Files: [data] } }], fieldKey: 'name' },
        }),
      ),
      false,
    );
    expect(updated[0]!.fields.Files).toEqual([expect.objectContaining({ token: data.token, name: 'cover.png' })]);
  });

  it('uploads a web file as the client re-sends it: file name "image", the remote content type', async () => {
    const data = expectSuccess(
      await py('POST', `/fusion/v1/datasheets/${dst}/attachments`, {
        files: { name: 'image', bytes: PNG, type: 'image/png' },
      }),
    );
    expect(data).toMatchObject({ name: 'image', mimeType: 'image/png' });
  });
});

describe('nodes', () => {
  it('lists root nodes and gets a folder with children (NodeListItem / NodeDetail)', async () => {
    const folder = 'fodPythonFolder0001';
    await t.app.prisma.node.create({
      data: { id: folder, spaceId: t.spaceId, type: 'FOLDER', name: 'Py folder', position: -1 },
    });
    await t.app.prisma.node.update({ where: { id: dst }, data: { parentId: folder } });
    const nodes = expectSuccess(await py('GET', `/fusion/v1/spaces/${t.spaceId}/nodes`)).nodes as Record<
      string,
      unknown
    >[];
    expect(nodes.length).toBeGreaterThan(0);
    nodes.forEach(expectNode);
    const detail = expectSuccess(await py('GET', `/fusion/v1/nodes/${folder}`));
    expectNode(detail);
    (detail.children as Record<string, unknown>[]).forEach(expectNode);
    expect((detail.children as Record<string, unknown>[]).map((c) => c.id)).toContain(dst);
    const sheet = expectSuccess(await py('GET', `/fusion/v1/nodes/${dst}`));
    expectNode(sheet);
  });

  it('searches with v2 (type, repeated permissions): permission is an integer, parentId a string', async () => {
    const data = expectSuccess(
      await py('GET', `/fusion/v2/spaces/${t.spaceId}/nodes`, {
        params: [
          ['spaceId', t.spaceId],
          ['type', 'Datasheet'],
          ['permissions', [0, 1]],
          ['query', 'python'],
        ],
      }),
    );
    const nodes = data.nodes as Record<string, unknown>[];
    expect(nodes.map((n) => n.id)).toEqual([dst]);
    for (const n of nodes) {
      expectNode(n);
      expect([isInt(n.permission), n.parentId === undefined || isStr(n.parentId)]).toEqual([true, true]);
    }
  });
});

describe('embed links', () => {
  it('creates, lists and deletes (PostEmbedLinkResponseData: linkId, url; delete without data)', async () => {
    const created = expectSuccess(
      await py('POST', `/fusion/v1/spaces/${t.spaceId}/nodes/${dst}/embedlinks`, {
        json: { payload: { permissionType: 'readOnly', bannerLogo: false }, theme: 'light' },
      }),
    );
    expect([isStr(created.linkId), isStr(created.url), created.theme]).toEqual([true, true, 'light']);
    const listed = (await py('GET', `/fusion/v1/spaces/${t.spaceId}/nodes/${dst}/embedlinks`)).body.data as Record<
      string,
      unknown
    >[];
    expect(listed.map((l) => l.linkId)).toContain(created.linkId);
    const deleted = await py(
      'DELETE',
      `/fusion/v1/spaces/${t.spaceId}/nodes/${dst}/embedlinks/${created.linkId as string}`,
    );
    expectSuccess(deleted);
  });
});

describe('errors the client turns into exceptions', () => {
  it('answers business errors below HTTP 500 with a message, so handle_response raises Exception(message)', async () => {
    const res = await py('GET', `/fusion/v1/datasheets/${dst}/records`, { params: [['sort', 'not json']] });
    expect(res.status).toBeLessThan(500);
    expect(res.body).toMatchObject({ success: false, code: 400, message: expect.any(String) });
    const formula = await py('GET', `/fusion/v1/datasheets/${dst}/records`, {
      params: [['filterByFormula', '{Nope}="x"']],
    });
    expect(formula.body).toMatchObject({ success: false, code: 400, message: expect.any(String) });
  });
});
