import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerScope, startTestApp, type TestApp } from '../support/app.js';
import { gql } from '../support/graphql.js';

/** The GraphQL side of data in and out: a one-time export URL, import templates, an import job and its report. */
let t: TestApp;
let scope: { spaceId: string; userId: string };
let dst: string;

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT: 'off' });
  scope = await ownerScope(t);
  dst = (await t.app.services.datasheets.create(scope, { name: 'Out' })).id;
  await t.app.services.records.create(scope, dst, [{ Title: 'one' }, { Title: '@two' }]);
});
afterAll(async () => {
  await t?.close();
});

describe('exportDatasheet', () => {
  it('answers a download URL that streams the export once, then is refused', async () => {
    const response = await gql<{ exportDatasheet: { url: string; expiresAt: string } }>(
      t.url,
      'mutation($d: ID!) { exportDatasheet(datasheetId: $d, format: "csv") { url expiresAt } }',
      { token: t.token, variables: { d: dst } },
    );
    expect(response.body.errors).toBeUndefined();
    const { url, expiresAt } = response.body.data!.exportDatasheet;
    expect(url).toMatch(/\/fusion\/v1\/exports\/tbx_[0-9A-Za-z]{43}$/);
    expect(new Date(expiresAt).getTime()).toBeGreaterThan(Date.now());
    const path = new URL(url).pathname;
    const first = await fetch(`${t.url}${path}`);
    expect([first.status, first.headers.get('content-type')]).toEqual([200, 'text/csv; charset=utf-8']);
    expect(parse(await first.text())).toEqual([['Title'], ['one'], ["'@two"]]);
    const again = await fetch(`${t.url}${path}`);
    expect([again.status, await again.json()]).toEqual([
      403,
      { success: false, code: 403, message: 'The download URL is not valid, was already used or has expired' },
    ]);
  });

  it('refuses a bad format naming it, and a datasheet of nowhere', async () => {
    const bad = await gql(t.url, 'mutation($d: ID!) { exportDatasheet(datasheetId: $d, format: "pdf") { url } }', {
      token: t.token,
      variables: { d: dst },
    });
    expect(bad.body.errors?.[0]).toMatchObject({
      message: 'format must be one of csv, xlsx, jsonl',
      extensions: { code: 'INVALID_ARGUMENT' },
    });
    const missing = await gql(t.url, 'mutation { exportDatasheet(datasheetId: "dstNope0000000000") { url } }', {
      token: t.token,
    });
    expect(missing.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

describe('import templates and importJob', () => {
  it('creates, reads, updates and deletes a template; a bad column is refused naming it', async () => {
    const created = await gql<{ createImportTemplate: { id: string; columns: { field: string }[] } }>(
      t.url,
      'mutation { createImportTemplate(name: "T", columns: [{ field: "Title", required: true }]) { id columns } }',
      { token: t.token },
    );
    const { id, columns } = created.body.data!.createImportTemplate;
    expect(columns[0]).toMatchObject({ field: 'Title', required: true, type: 'SingleText' });
    const updated = await gql<{ updateImportTemplate: { name: string } }>(
      t.url,
      'mutation($id: ID!) { updateImportTemplate(id: $id, name: "U") { name } }',
      { token: t.token, variables: { id } },
    );
    expect(updated.body.data!.updateImportTemplate.name).toBe('U');
    const listed = await gql<{ importTemplates: { id: string }[] }>(t.url, '{ importTemplates { id } }', {
      token: t.token,
    });
    expect(listed.body.data!.importTemplates.map((x) => x.id)).toContain(id);
    await gql(t.url, 'mutation($id: ID!) { deleteImportTemplate(id: $id) }', { token: t.token, variables: { id } });
    const gone = await gql(t.url, 'query($id: ID!) { importTemplate(id: $id) { id } }', {
      token: t.token,
      variables: { id },
    });
    expect(gone.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const bad = await gql(
      t.url,
      'mutation { createImportTemplate(name: "B", columns: [{ field: "A", max: "x" }]) { id } }',
      {
        token: t.token,
      },
    );
    expect(bad.body.errors?.[0]).toMatchObject({ extensions: { code: 'INVALID_ARGUMENT' } });
    expect(bad.body.errors?.[0]?.message).toContain('columns[0].max');
  });

  it('reads an import job with its error report', async () => {
    async function* data() {
      yield Buffer.from('Title,Extra\nfine,1\nragged\n');
    }
    const job = await t.app.services.imports.start(scope, { datasheetId: dst, file: { name: 'x.csv', data: data() } });
    await t.app.services.imports.idle();
    const response = await gql<{ importJob: Record<string, unknown> }>(
      t.url,
      'query($id: ID!) { importJob(id: $id) { status rowsRead rowsWritten rowsRejected errors(first: 10) { errors { rowNumber column reason } nextCursor } } }',
      { token: t.token, variables: { id: job.id } },
    );
    expect(response.body.data!.importJob).toEqual({
      status: 'done',
      rowsRead: 2,
      rowsWritten: 1,
      rowsRejected: 1,
      errors: { errors: [{ rowNumber: 3, column: null, reason: 'has 1 cells, the header has 2' }], nextCursor: null },
    });
    const missing = await gql(t.url, 'query { importJob(id: "impNope000000") { id } }', { token: t.token });
    expect(missing.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});
