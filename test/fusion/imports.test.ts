import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { Readable } from 'node:stream';
import { crc32, deflateRawSync } from 'node:zlib';
import unzipper, { type Entry as ZipEntry } from 'unzipper';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ANALYZE_MIN_ROWS } from '../../src/domain/imports/import-runner.js';
import { ownerScope, startTestApp, type TestApp } from '../support/app.js';
import { fusion, type FusionResponse } from '../support/fusion.js';

/** Imports over HTTP: templates, CSV and XLSX files with good and bad rows, bad files, a job that stops midway. */
let t: TestApp;
let scope: { spaceId: string; userId: string };
let templateId: string;

const call = <T = unknown>(method: string, path: string, body?: unknown) =>
  fusion<T>(t.url, method, path, { token: t.token, body });

interface Job {
  id: string;
  status: string;
  datasheetId: string;
  rowsRead: number;
  rowsWritten: number;
  rowsRejected: number;
  error: string | null;
}
interface RowError {
  rowNumber: number;
  column: string | null;
  value: string | null;
  reason: string;
}

const PEOPLE = [
  { name: 'Name', type: 'SingleText', property: {} },
  { name: 'Email', type: 'Email' },
  { name: 'Age', type: 'Number', property: { precision: 0 } },
  { name: 'Joined', type: 'DateTime', property: { dateFormat: 'YYYY-MM-DD' } },
  { name: 'Tier', type: 'SingleText', property: {} },
];

async function datasheet(name = 'People'): Promise<string> {
  return (await t.app.services.datasheets.create(scope, { name, fields: PEOPLE as never })).id;
}

function form(file: Blob | Uint8Array | string, name: string, fields: Record<string, string> = {}): FormData {
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.append(k, v);
  data.append('file', file instanceof Blob ? file : new Blob([file as BlobPart]), name);
  return data;
}

async function finished(dst: string, id: string): Promise<Job> {
  await t.app.services.imports.idle();
  const response = await call<Job>('GET', `/v1/datasheets/${dst}/imports/${id}`);
  expect(response.body.success).toBe(true);
  return response.body.data!;
}

async function started(dst: string, body: FormData | object): Promise<Job> {
  const response: FusionResponse<Job> = await call<Job>('POST', `/v1/datasheets/${dst}/imports`, body);
  expect(response.body, JSON.stringify(response.body)).toMatchObject({ success: true, data: { status: 'queued' } });
  return finished(dst, response.body.data!.id);
}

async function allErrors(dst: string, id: string): Promise<RowError[]> {
  const out: RowError[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `pageSize=2${cursor ? `&cursor=${cursor}` : ''}`;
    const page = await call<{ errors: RowError[]; nextCursor: string | null }>(
      'GET',
      `/v1/datasheets/${dst}/imports/${id}/errors?${query}`,
    );
    out.push(...page.body.data!.errors);
    cursor = page.body.data!.nextCursor;
  } while (cursor);
  return out;
}

const recordsOf = async (dst: string) =>
  (await t.app.services.records.query(scope, dst, { pageSize: 1000, cellFormat: 'string' })).records.map(
    (r) => r.fields,
  );

beforeAll(async () => {
  t = await startTestApp({
    RATE_LIMIT: 'off',
    IMPORT_MAX_FILE_BYTES: '200000',
    IMPORT_MAX_UNCOMPRESSED_BYTES: '3000000',
  });
  scope = await ownerScope(t);
  const created = await call<{ id: string }>('POST', `/v1/spaces/${t.spaceId}/import-templates`, {
    name: 'People',
    columns: [
      { field: 'Name', required: true, headers: ['Full name'] },
      { field: 'Email', type: 'Email', required: true, unique: true, regex: '@example\\.com$', headers: ['E-mail'] },
      { field: 'Age', type: 'Number', min: 0, max: 150, property: { precision: 0 } },
      { field: 'Joined', type: 'DateTime', dateFormat: 'DD/MM/YYYY', property: { dateFormat: 'YYYY-MM-DD' } },
      { field: 'Tier', allowedValues: ['gold', 'silver'] },
    ],
  });
  expect(created.body.success, JSON.stringify(created.body)).toBe(true);
  templateId = created.body.data!.id;
});
afterAll(async () => {
  await t?.close();
});

/** A zip of these entries in this order (deflated; sizes in the local headers). */
function zipOf(entries: [string, Buffer][]): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of entries) {
    const packed = deflateRawSync(data);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(Buffer.byteLength(name), 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(Buffer.byteLength(name), 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, Buffer.from(name), packed);
    centrals.push(central, Buffer.from(name));
    offset += 30 + Buffer.byteLength(name) + packed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, directory, end]));
}

describe('import templates', () => {
  it('creates, lists, reads, updates and deletes a template', async () => {
    const made = await call<{ id: string; columns: unknown[] }>('POST', `/v1/spaces/${t.spaceId}/import-templates`, {
      name: 'Tmp',
      columns: [{ field: 'A' }],
    });
    const id = made.body.data!.id;
    expect(made.body.data!.columns).toEqual([
      {
        field: 'A',
        type: 'SingleText',
        required: false,
        unique: false,
        regex: null,
        allowedValues: null,
        min: null,
        max: null,
        dateFormat: null,
        headers: [],
        property: null,
      },
    ]);
    const list = await call<{ templates: { id: string }[]; total: number }>(
      'GET',
      `/v1/spaces/${t.spaceId}/import-templates?pageSize=100`,
    );
    expect(list.body.data!.templates.map((x) => x.id)).toContain(id);
    const patched = await call<{ name: string }>('PATCH', `/v1/spaces/${t.spaceId}/import-templates/${id}`, {
      name: 'Renamed',
    });
    expect(patched.body.data!.name).toBe('Renamed');
    expect((await call('GET', `/v1/spaces/${t.spaceId}/import-templates/${id}`)).body.data).toMatchObject({
      name: 'Renamed',
    });
    expect((await call('DELETE', `/v1/spaces/${t.spaceId}/import-templates/${id}`)).body.success).toBe(true);
    const gone = await call('GET', `/v1/spaces/${t.spaceId}/import-templates/${id}`);
    expect([gone.status, gone.body]).toEqual([
      200,
      { success: false, code: 301, message: 'The import template does not exist' },
    ]);
  });

  it.each([
    [{ name: 'x', columns: [{ field: 'A', regex: '(a+)+$' }] }, 'columns[0].regex'],
    [{ name: 'x', columns: [{ field: 'A', regex: '[' }] }, 'columns[0].regex'],
    [{ name: 'x', columns: [{ field: 'A', type: 'Nope' }] }, 'columns[0].type'],
    [{ name: 'x', columns: [{ field: 'A' }, { field: 'a' }] }, 'columns[1].field'],
    [{ name: 'x', columns: [{ field: 'A', min: 5, max: 1 }] }, 'columns[0].min'],
    [{ name: 'x', columns: [] }, 'columns'],
  ])('refuses a bad template %j naming %s, saving nothing', async (body, parameter) => {
    const before = await t.app.prisma.importTemplate.count();
    const response = await call('POST', `/v1/spaces/${t.spaceId}/import-templates`, body);
    expect([response.status, response.body.code]).toEqual([200, 400]);
    expect(response.body.message).toContain(parameter);
    expect(await t.app.prisma.importTemplate.count()).toBe(before);
  });
});

const GOOD_AND_BAD = [
  'Full name,E-mail,Age,Joined,Tier,Extra',
  'Ada,ada@example.com,36,10/12/2020,gold,x',
  'Bob,bob@other.org,40,01/01/2021,silver,x',
  ',cy@example.com,20,02/02/2022,gold,x',
  'Dee,ada@example.com,30,03/03/2023,gold,x',
  'Eve,eve@example.com,abc,04/04/2020,gold,x',
  'Fay,fay@example.com,200,05/05/2020,gold,x',
  'Gus,gus@example.com,22,2020-01-01,gold,x',
  'Hal,hal@example.com,23,06/06/2020,bronze,x',
  'Ivy,ivy@example.com,24',
  '"=1+2",jo@example.com,25,07/07/2020,,x',
].join('\r\n');

describe('POST /fusion/v1/datasheets/{datasheetId}/imports', () => {
  it('imports the good rows of a CSV and reports each bad row (row, column, value, reason)', async () => {
    const dst = await datasheet();
    const job = await started(dst, form(GOOD_AND_BAD, 'people.csv', { templateId }));
    expect(job).toMatchObject({ status: 'done', rowsRead: 10, rowsWritten: 2, rowsRejected: 8, error: null });
    expect(await recordsOf(dst)).toEqual([
      { Name: 'Ada', Email: 'ada@example.com', Age: '36', Joined: '2020-12-10', Tier: 'gold' },
      { Name: '=1+2', Email: 'jo@example.com', Age: '25', Joined: '2020-07-07' },
    ]);
    const errors = await allErrors(dst, job.id);
    expect(errors).toEqual([
      { rowNumber: 3, column: 'E-mail', value: 'bob@other.org', reason: 'does not match the pattern @example\\.com$' },
      { rowNumber: 4, column: 'Full name', value: null, reason: 'is required' },
      {
        rowNumber: 5,
        column: 'E-mail',
        value: 'ada@example.com',
        reason: 'repeats the value of row 2 (the column is unique)',
      },
      { rowNumber: 6, column: 'Age', value: 'abc', reason: 'is not a number' },
      { rowNumber: 7, column: 'Age', value: '200', reason: 'the value is above 150' },
      { rowNumber: 8, column: 'Joined', value: '2020-01-01', reason: 'is not a date in the format DD/MM/YYYY' },
      { rowNumber: 9, column: 'Tier', value: 'bronze', reason: 'is not one of the allowed values' },
      { rowNumber: 10, column: null, value: null, reason: 'has 3 cells, the header has 6' },
    ]);
    const csv = await fetch(`${t.url}/fusion/v1/datasheets/${dst}/imports/${job.id}/errors?format=csv`, {
      headers: { authorization: `Bearer ${t.token}` },
    });
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const rows = parse(await csv.text()) as string[][];
    expect(rows[0]).toEqual(['row', 'column', 'value', 'reason']);
    expect(rows.slice(1).map((r) => Number(r[0]))).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('imports an XLSX file: numbers and dates as values, formula cells reported', async () => {
    const dst = await datasheet();
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('People');
    sheet.addRow(['Full name', 'E-mail', 'Age', 'Joined', 'Tier']);
    sheet.addRow(['Kim', 'kim@example.com', 31, '01/02/2021', 'gold']);
    sheet.addRow(['Lou', 'lou@example.com', { formula: 'C2*2', result: 62 }, '01/02/2021', 'gold']);
    sheet.addRow(['Max', 'max@example.com', 33, new Date(Date.UTC(2021, 1, 3)), 'silver']);
    sheet.addRow(['Ned', 'bad-email', 34, '02/02/2021', 'gold']);
    const bytes = new Uint8Array(await book.xlsx.writeBuffer());
    const job = await started(dst, form(bytes, 'people.xlsx', { templateId }));
    expect(job, job.error ?? '').toMatchObject({ status: 'done', rowsRead: 4, rowsWritten: 2, rowsRejected: 2 });
    expect(await recordsOf(dst)).toEqual([
      { Name: 'Kim', Email: 'kim@example.com', Age: '31', Joined: '2021-02-01', Tier: 'gold' },
      { Name: 'Max', Email: 'max@example.com', Age: '33', Joined: '2021-02-03', Tier: 'silver' },
    ]);
    const errors = await allErrors(dst, job.id);
    expect(errors.map((e) => [e.rowNumber, e.column])).toEqual([
      [3, 'Age'],
      [5, 'E-mail'],
    ]);
    expect(errors[0]!.reason).toContain('formula');
  });

  it('takes a file uploaded as an attachment, with an explicit mapping', async () => {
    const dst = await datasheet();
    const upload = await call<{ token: string }>(
      'POST',
      `/v1/datasheets/${dst}/attachments`,
      form('who,mail\nZoe,zoe@example.com\n', 'a.csv'),
    );
    const job = await started(dst, {
      attachmentToken: upload.body.data!.token,
      mapping: { who: 'Name', mail: 'Email' },
    });
    expect(job).toMatchObject({ status: 'done', rowsWritten: 1 });
    expect(await recordsOf(dst)).toEqual([{ Name: 'Zoe', Email: 'zoe@example.com' }]);
  });

  it('reads an XLSX file once: its zip is checked as its rows are read', async () => {
    const dst = await datasheet();
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('People');
    sheet.addRow(['Name', 'Email']);
    for (let i = 0; i < 1200; i++) sheet.addRow([`P${i}`, `p${i}@example.com`]);
    const bytes = new Uint8Array(await book.xlsx.writeBuffer());
    const upload = await call<{ token: string }>(
      'POST',
      `/v1/datasheets/${dst}/attachments`,
      form(bytes, 'people.xlsx'),
    );
    let read = 0;
    const open = t.app.services.attachments.open;
    const spy = vi.spyOn(t.app.services.attachments, 'open').mockImplementation(async (...args) => {
      const opened = await open(...args);
      async function* counted() {
        for await (const chunk of opened.stream as AsyncIterable<Buffer>) {
          read += chunk.length;
          yield chunk;
        }
      }
      return { ...opened, stream: Readable.from(counted()) };
    });
    try {
      const job = await started(dst, { attachmentToken: upload.body.data!.token });
      expect(job, job.error ?? '').toMatchObject({ status: 'done', rowsWritten: 1200 });
    } finally {
      spy.mockRestore();
    }
    expect(read).toBe(bytes.length);
  });

  it("refreshes the planner's statistics after a large import (pages of the datasheet read by its index)", async () => {
    const dst = await datasheet('Large');
    const lines = ['Name', ...Array.from({ length: ANALYZE_MIN_ROWS }, (_, i) => `r${i}`)].join('\n');
    const job = await started(dst, form(lines, 'large.csv'));
    expect(job, job.error ?? '').toMatchObject({ status: 'done', rowsWritten: ANALYZE_MIN_ROWS });
    const [stats] = await t.app.prisma.$queryRawUnsafe<{ tuples: number }[]>(
      "SELECT reltuples::float8 AS tuples FROM pg_class WHERE oid = 'records'::regclass",
    );
    expect(stats!.tuples).toBeGreaterThanOrEqual(ANALYZE_MIN_ROWS);
  });

  it('stops at a chunk it cannot write (the row cap): earlier chunks stay, the rest (rows read meanwhile too) is reported', async () => {
    const dst = await datasheet('Capped');
    await t.app.prisma.$executeRawUnsafe('UPDATE datasheets SET row_cap = 600 WHERE id = $1', dst);
    const lines = ['Name', ...Array.from({ length: 1200 }, (_, i) => `r${i}`)].join('\n');
    const job = await started(dst, form(lines, 'many.csv'));
    expect(job, job.error ?? '').toMatchObject({
      status: 'failed',
      rowsRead: 1200,
      rowsWritten: 500,
      rowsRejected: 700,
    });
    expect(job.error).toMatch(/^Stopped at row 502: .*rows from 502 on were not imported$/);
    expect((await recordsOf(dst)).length).toBe(500);
    const errors = await allErrorsFast(dst, job.id);
    expect(errors.map((e) => e.rowNumber)).toEqual(Array.from({ length: 700 }, (_, i) => 502 + i));
    expect(errors[0]!.reason).toMatch(/^not imported: /);
  });
});

async function allErrorsFast(dst: string, id: string): Promise<RowError[]> {
  const page = await call<{ errors: RowError[] }>('GET', `/v1/datasheets/${dst}/imports/${id}/errors?pageSize=1000`);
  return page.body.data!.errors;
}

describe('an XLSX file found bad after chunks were written', () => {
  it('stops there: the chunks written stay, the rows read since and the rest are reported', async () => {
    const dst = await datasheet();
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('People');
    sheet.addRow(['Name']);
    for (let i = 0; i < 1200; i++) sheet.addRow([`P${i}`]);
    const entries: [string, Buffer][] = [];
    const zip = Readable.from([Buffer.from(await book.xlsx.writeBuffer())]).pipe(unzipper.Parse({ forceStream: true }));
    for await (const entry of zip as AsyncIterable<ZipEntry>) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry as AsyncIterable<Buffer>) chunks.push(chunk);
      let data = Buffer.concat(chunks);
      // The sheet's XML breaks after its last row (the zip itself is sound).
      if (entry.path === 'xl/worksheets/sheet1.xml')
        data = Buffer.from(data.toString().replace('</sheetData>', '<<damaged</sheetData>'));
      entries.push([entry.path, data]);
    }
    const job = await started(dst, form(zipOf(entries), 'damaged.xlsx'));
    // exceljs gives out the rows parsed before the damage (all but those of its last piece of XML, 16 KiB).
    expect(job.status).toBe('failed');
    expect(job.rowsWritten % 500).toBe(0);
    expect(job.rowsWritten).toBeGreaterThan(0);
    expect(job.rowsRead).toBe(job.rowsWritten + job.rowsRejected);
    const from = job.rowsWritten + 2;
    expect(job.error).toBe(
      `Stopped at row ${from}: The XLSX workbook cannot be read (it is damaged or not a workbook); rows from ${from} on were not imported`,
    );
    expect((await recordsOf(dst)).length).toBe(job.rowsWritten);
    const errors = await allErrorsFast(dst, job.id);
    expect(errors.map((e) => e.rowNumber)).toEqual(Array.from({ length: job.rowsRejected + 1 }, (_, i) => from + i));
    expect(errors.every((e) => e.reason.startsWith('not imported: The XLSX workbook cannot be read'))).toBe(true);
  });
});

describe('bad files change nothing and say why', () => {
  const zipBomb = async () => {
    const book = new ExcelJS.Workbook();
    book.addWorksheet('S').addRow(['Name']);
    for (let i = 0; i < 40; i++) book.worksheets[0]!.addRow([`${'z'.repeat(100_000)}${i}`]);
    return new Uint8Array(await book.xlsx.writeBuffer());
  };
  it.each([
    [
      'invalid UTF-8',
      () => Buffer.from([0x4e, 0x61, 0x6d, 0x65, 0x0a, 0x41, 0xff, 0xfe, 0x0a]),
      'a.csv',
      'not valid UTF-8',
    ],
    ['broken quoting', () => 'Name\n"never closed\nmore\n', 'a.csv', 'cannot be read'],
    ['an empty file', () => '', 'a.csv', 'empty'],
    ['a zip bomb', zipBomb, 'bomb.xlsx', 'expands to more than'],
    ['a non-zip named .xlsx', () => 'Name\nx\n', 'fake.xlsx', 'not an XLSX workbook'],
  ])('%s', async (_label, make, name, message) => {
    const dst = await datasheet();
    const content = await make();
    const job = await started(dst, form(content as never, name));
    expect(job.status).toBe('failed');
    expect(job.error).toContain(message);
    expect(job.rowsWritten).toBe(0);
    expect(await recordsOf(dst)).toEqual([]);
  });

  it('refuses a file over the size limit at once (HTTP 413), creating no job', async () => {
    const dst = await datasheet();
    const before = await t.app.prisma.importJob.count();
    const response = await call('POST', `/v1/datasheets/${dst}/imports`, form('x'.repeat(250_000), 'big.csv'));
    expect([response.status, response.body.code]).toEqual([413, 413]);
    expect(response.body.message).toContain('import limit');
    expect(await t.app.prisma.importJob.count()).toBe(before);
  });
});

describe('POST /fusion/v1/spaces/{spaceId}/imports (a new datasheet from a template)', () => {
  it('makes the datasheet from the template and imports into it', async () => {
    const response = await call<Job>(
      'POST',
      `/v1/spaces/${t.spaceId}/imports`,
      form(GOOD_AND_BAD, 'people.csv', { templateId, datasheetName: 'Imported people' }),
    );
    expect(response.body, JSON.stringify(response.body)).toMatchObject({ success: true });
    const job = await finished(response.body.data!.datasheetId, response.body.data!.id);
    expect(job).toMatchObject({ status: 'done', rowsWritten: 2 });
    const schema = await t.app.services.datasheets.get(scope, job.datasheetId);
    expect([schema.name, schema.fields.map((f) => [f.name, f.type])]).toEqual([
      'Imported people',
      [
        ['Name', 'SingleText'],
        ['Email', 'Email'],
        ['Age', 'Number'],
        ['Joined', 'DateTime'],
        ['Tier', 'SingleText'],
      ],
    ]);
  });

  it('leaves no datasheet behind when the file cannot be read', async () => {
    const response = await call<Job>(
      'POST',
      `/v1/spaces/${t.spaceId}/imports`,
      form(Buffer.from([0x41, 0xff, 0x0a]), 'bad.csv', { templateId }),
    );
    const { datasheetId } = response.body.data!;
    await t.app.services.imports.idle();
    await expect(t.app.services.datasheets.get(scope, datasheetId)).rejects.toThrow();
  });
});

describe('import route errors', () => {
  it.each([
    ['no file', () => ({}), 'Send either a file or an attachmentToken'],
    ['a mapping that is not JSON', () => form('a\n1\n', 'a.csv', { mapping: '{nope' }), 'mapping'],
    ['a mapping to no field', () => form('a\n1\n', 'a.csv', { mapping: '{"a":"Nope"}' }), 'mapping.a names no field'],
    ['an unknown attachment', () => ({ attachmentToken: 'spcX/nope' }), 'attachment'],
  ])('refuses %s (400), creating no job', async (_label, body, message) => {
    const dst = await datasheet();
    const before = await t.app.prisma.importJob.count();
    const response = await call('POST', `/v1/datasheets/${dst}/imports`, body());
    expect([response.status, response.body.code]).toEqual([200, 400]);
    expect(response.body.message).toContain(message);
    expect(await t.app.prisma.importJob.count()).toBe(before);
  });

  it('answers an unknown template, an import of another datasheet and bad paging as errors', async () => {
    const dst = await datasheet();
    const template = await call(
      'POST',
      `/v1/datasheets/${dst}/imports`,
      form('a\n', 'a.csv', { templateId: 'itpNope000000' }),
    );
    expect([template.body.code, template.body.message]).toEqual([301, 'The import template does not exist']);
    const job = await started(dst, form('Name\nx\n', 'a.csv'));
    const other = await datasheet();
    const elsewhere = await call('GET', `/v1/datasheets/${other}/imports/${job.id}`);
    expect([elsewhere.body.code, elsewhere.body.message]).toEqual([301, 'The import does not exist']);
    const paging = await call('GET', `/v1/datasheets/${dst}/imports/${job.id}/errors?pageSize=0`);
    expect([paging.body.code, paging.body.message]).toEqual([400, 'pageSize must be an integer from 1 to 1000']);
  });
});

describe('an import whose server stopped', () => {
  it('is failed once its heartbeat lapsed, keeping what it wrote and saying what was not imported', async () => {
    const dst = await datasheet();
    const id = 'impStale00000';
    const long = new Date(Date.now() - 60 * 60 * 1000);
    await t.app.prisma.importJob.create({
      data: {
        id,
        spaceId: t.spaceId,
        datasheetId: dst,
        status: 'running',
        fileName: 'x.csv',
        fileType: 'csv',
        source: { kind: 'upload', key: 'nope' },
        rowsRead: 500,
        rowsWritten: 500,
        heartbeatAt: long,
        createdAt: long,
      },
    });
    async function* data() {
      yield Buffer.from('Name\nq\n');
    }
    const fresh = await t.app.services.imports.start(scope, {
      datasheetId: dst,
      file: { name: 'y.csv', data: data() },
    });
    expect(await t.app.services.imports.recoverStale()).toBe(1);
    const job = (await call<Job>('GET', `/v1/datasheets/${dst}/imports/${id}`)).body.data!;
    expect(job).toMatchObject({ status: 'failed', rowsWritten: 500 });
    expect(job.error).toContain('interrupted');
    expect((await finished(dst, fresh.id)).status).toBe('done');
  });
});
