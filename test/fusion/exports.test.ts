import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerScope, startTestApp, type TestApp } from '../support/app.js';
import { fusion } from '../support/fusion.js';

/** Exports over HTTP, read back by the libraries that write them, equal the data (and a view's shape of it). */
let t: TestApp;
let dst: string;
let viewId: string;
const ROWS = 2_345; // more than two keyset pages of 1,000
const TRICKY = ['=SUM(A1:A2)', '+A1', '-2', '@cmd', 'a,b "quoted"', 'line\nbreak', 'ünïcödé 漢字'];
const rowOf = (i: number) => ({
  Name: i < TRICKY.length ? TRICKY[i]! : `row ${i}`,
  Qty: i,
  Notes: i % 3 === 0 ? null : `note ${i}`,
});

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT: 'off' });
  const scope = await ownerScope(t);
  const s = t.app.services;
  const sheet = await s.datasheets.create(scope, {
    name: 'Exported/Sheet',
    fields: [
      { name: 'Name', type: 'SingleText', property: {} },
      { name: 'Qty', type: 'Number', property: { precision: 0 } },
      { name: 'Notes', type: 'Text' },
    ],
  });
  dst = sheet.id;
  const [name, qty, notes] = sheet.fields;
  for (let i = 0; i < ROWS; i += 1000)
    await s.records.create(
      scope,
      dst,
      Array.from({ length: Math.min(1000, ROWS - i) }, (_, k) => rowOf(i + k)),
    );
  viewId = (
    await s.views.add(scope, dst, {
      name: 'Big',
      filter: { conjunction: 'and', conditions: [{ fieldId: qty!.id, operator: 'isGreaterEqual', value: 2000 }] },
      sort: [{ fieldId: qty!.id, desc: true }],
      hiddenFields: [notes!.id],
      columnOrder: [qty!.id, name!.id, notes!.id],
    } as never)
  ).id;
});
afterAll(async () => {
  await t?.close();
});

const get = (path: string, token: string | undefined = t.token) =>
  fetch(`${t.url}/fusion${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
const defused = (text: string) => (/^[=+@]|^-\D/.test(text) ? `'${text}` : text);

describe('GET /fusion/v1/datasheets/{datasheetId}/export', () => {
  it('answers CSV (the default) that csv-parse reads back as the data, formula-like text defused', async () => {
    const response = await get(`/v1/datasheets/${dst}/export`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toContain('filename="Exported_Sheet.csv"');
    const rows = parse(await response.text()) as string[][];
    expect(rows[0]).toEqual(['Name', 'Qty', 'Notes']);
    expect(rows.length).toBe(ROWS + 1);
    rows.slice(1).forEach((row, i) => {
      const want = rowOf(i);
      expect(row).toEqual([defused(want.Name), String(want.Qty), want.Notes ?? '']);
    });
  });

  it('answers XLSX that exceljs reads back as the data (strings, no formulas)', async () => {
    const response = await get(`/v1/datasheets/${dst}/export?format=xlsx`);
    expect(response.headers.get('content-type')).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(response.headers.get('content-disposition')).toContain('Exported_Sheet.xlsx');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(Buffer.from(await response.arrayBuffer()) as never);
    const sheet = book.worksheets[0]!;
    expect(sheet.rowCount).toBe(ROWS + 1);
    const values = (n: number) => (sheet.getRow(n).values as unknown[]).slice(1);
    expect(values(1)).toEqual(['Name', 'Qty', 'Notes']);
    for (let i = 0; i < ROWS; i++) {
      const want = rowOf(i);
      const got = values(i + 2);
      expect([got[0], got[1], got[2] ?? null]).toEqual([want.Name, String(want.Qty), want.Notes]);
    }
  });

  it('answers JSONL with each record and its cells as JSON', async () => {
    const response = await get(`/v1/datasheets/${dst}/export?format=jsonl`);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    const lines = (await response.text()).trimEnd().split('\n');
    expect(lines.length).toBe(ROWS);
    lines.forEach((line, i) => {
      const { recordId, fields } = JSON.parse(line) as { recordId: string; fields: Record<string, unknown> };
      expect(recordId).toMatch(/^rec/);
      const want = rowOf(i);
      expect(fields).toEqual(want.Notes === null ? { Name: want.Name, Qty: want.Qty } : want);
    });
  });

  it("honours a view's filter, sort, hidden fields and column order", async () => {
    const rows = parse(await (await get(`/v1/datasheets/${dst}/export?viewId=${viewId}`)).text()) as string[][];
    expect(rows[0]).toEqual(['Qty', 'Name']);
    const want = Array.from({ length: ROWS - 2000 }, (_, k) => ROWS - 1 - k).map((n) => [String(n), `row ${n}`]);
    expect(rows.slice(1)).toEqual(want);
  });

  it('refuses a bad format, an unknown view, a missing datasheet, and no token; with no file', async () => {
    const bad = await fusion(t.url, 'GET', `/v1/datasheets/${dst}/export?format=pdf`, { token: t.token });
    expect([bad.status, bad.body]).toEqual([
      200,
      { success: false, code: 400, message: 'format must be one of csv, xlsx, jsonl' },
    ]);
    const view = await fusion(t.url, 'GET', `/v1/datasheets/${dst}/export?viewId=viwNope000000`, { token: t.token });
    expect([view.status, view.body.code]).toEqual([200, 400]);
    expect(view.body.message).toContain('view');
    const missing = await fusion(t.url, 'GET', '/v1/datasheets/dstNope0000000000/export', { token: t.token });
    expect([missing.status, missing.body.code]).toEqual([200, 301]);
    const anonymous = await fusion(t.url, 'GET', `/v1/datasheets/${dst}/export`);
    expect([anonymous.status, anonymous.body.code]).toEqual([401, 401]);
  });
});
