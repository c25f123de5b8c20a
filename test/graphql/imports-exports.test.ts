import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerScope, startTestApp, type TestApp } from '../support/app.js';
import { fusion } from '../support/fusion.js';
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

describe('startImport', () => {
  const START =
    'mutation($d: ID, $s: ID, $tpl: ID, $tok: String!, $m: JSON, $n: String, $k: String) { startImport(datasheetId: $d, spaceId: $s, templateId: $tpl, attachmentToken: $tok, mapping: $m, datasheetName: $n, idempotencyKey: $k) { id datasheetId templateId status fileName fileType } }';
  type Started = { startImport: { id: string; datasheetId: string; status: string; templateId: string | null } };

  /** A CSV uploaded as an attachment of the datasheet (over REST), answering its token. */
  async function upload(csv: string, datasheetId: string): Promise<string> {
    const form = new FormData();
    form.append('file', new Blob([Buffer.from(csv)], { type: 'text/csv' }), 'people.csv');
    const response = await fusion<{ token: string }>(t.url, 'POST', `/v1/datasheets/${datasheetId}/attachments`, {
      token: t.token,
      body: form,
    });
    return response.body.data!.token;
  }
  const titles = async (datasheetId: string) =>
    (await t.app.services.records.query(scope, datasheetId, { pageSize: 100, cellFormat: 'string' })).records.map(
      (r) => r.fields,
    );

  it('imports an attachment into a datasheet with a mapping; a replayed key starts nothing new', async () => {
    const into = (await t.app.services.datasheets.create(scope, { name: 'In' })).id;
    const token = await upload('who\nAda\nBob\n', into);
    const variables = { d: into, tok: token, m: { who: 'Title' }, k: `k-${into}` };
    const response = await gql<Started>(t.url, START, { token: t.token, variables });
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data!.startImport).toMatchObject({ datasheetId: into, status: 'queued', templateId: null });
    const replay = await gql<Started>(t.url, START, { token: t.token, variables });
    expect(replay.body.data!.startImport.id).toBe(response.body.data!.startImport.id);
    await t.app.services.imports.idle();
    expect(await t.app.services.imports.get(scope, response.body.data!.startImport.id)).toMatchObject({
      status: 'done',
      rowsWritten: 2,
    });
    expect(await titles(into)).toEqual([{ Title: 'Ada' }, { Title: 'Bob' }]);
  });

  it('imports into a new datasheet made from a template, named as asked', async () => {
    const template = await t.app.services.importTemplates.create(scope, {
      name: 'People',
      columns: [{ field: 'Name', required: true, headers: ['who'] }],
    });
    const token = await upload('who\nCy\n\n', dst);
    const response = await gql<Started>(t.url, START, {
      token: t.token,
      variables: { s: scope.spaceId, tpl: template.id, tok: token, n: 'Imported people' },
    });
    expect(response.body.errors).toBeUndefined();
    const job = response.body.data!.startImport;
    expect(job.datasheetId).not.toBe(dst);
    expect(job.templateId).toBe(template.id);
    await t.app.services.imports.idle();
    expect((await t.app.services.datasheets.get(scope, job.datasheetId)).name).toBe('Imported people');
    expect(await titles(job.datasheetId)).toEqual([{ Name: 'Cy' }]);
  });

  it.each([
    ['neither datasheetId nor spaceId', () => ({ tok: 'x' }), 'datasheetId or spaceId is required', 'datasheetId'],
    ['both', () => ({ d: dst, s: scope.spaceId, tok: 'x' }), 'not both', 'spaceId'],
    ['a space without a template', () => ({ s: scope.spaceId, tok: 'x' }), 'templateId is required', 'templateId'],
    ['an unknown attachment', () => ({ d: dst, tok: `${scope.spaceId}/nope` }), 'ttachment', 'attachmentToken'],
    ['a mapping to no field', () => ({ d: dst, tok: 'x', m: { a: 'Nope' } }), 'mapping.a names no field', 'mapping.a'],
  ])('refuses %s naming the argument, creating no job', async (_label, variables, message, parameter) => {
    const before = await t.app.prisma.importJob.count();
    const response = await gql(t.url, START, { token: t.token, variables: variables() });
    expect(response.body.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_ARGUMENT', parameter });
    expect(response.body.errors?.[0]?.message).toContain(message);
    expect(response.body.data?.startImport ?? null).toBeNull();
    expect(await t.app.prisma.importJob.count()).toBe(before);
  });

  it('needs datasheets:write for a new datasheet and records:write for an existing one, as the REST routes', async () => {
    const template = await t.app.services.importTemplates.create(scope, { name: 'S', columns: [{ field: 'Title' }] });
    const token = await upload('Title\nx\n', dst);
    const recordsOnly = (await t.app.services.tokens.create({ spaceId: scope.spaceId, scopes: ['records:write'] }))
      .secret;
    const datasheetsOnly = (
      await t.app.services.tokens.create({ spaceId: scope.spaceId, scopes: ['datasheets:write'] })
    ).secret;
    const before = await t.app.prisma.importJob.count();
    const intoNew = { s: scope.spaceId, tpl: template.id, tok: token };
    const refusedNew = await gql(t.url, START, { token: recordsOnly, variables: intoNew });
    expect(refusedNew.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const refusedExisting = await gql(t.url, START, { token: datasheetsOnly, variables: { d: dst, tok: token } });
    expect(refusedExisting.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await t.app.prisma.importJob.count()).toBe(before);
    const allowed = await gql<Started>(t.url, START, { token: datasheetsOnly, variables: intoNew });
    expect(allowed.body.errors).toBeUndefined();
    await t.app.services.imports.idle();
  });

  it('answers NOT_FOUND for a datasheet or a template of nowhere', async () => {
    const datasheet = await gql(t.url, START, { token: t.token, variables: { d: 'dstNope0000000000', tok: 'x' } });
    expect(datasheet.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const template = await gql(t.url, START, {
      token: t.token,
      variables: { s: scope.spaceId, tpl: 'itpNope000000', tok: 'x' },
    });
    expect(template.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});
