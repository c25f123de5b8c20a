import { readFileSync } from 'node:fs';
import type { GraphQLObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../graphql/schema.js';
import { SCOPES, type Scope } from '../../src/domain/tokens/scopes.js';
import { SCOPE_MIN_ROLE } from '../../src/domain/access/permissions.js';
import { newId } from '../../src/domain/ids.js';
import { ownerScope, startTestApp, type TestApp } from '../support/app.js';
import { fusion } from '../support/fusion.js';
import { gql, type GqlResponse } from '../support/graphql.js';

/**
 * Every REST route (read from the generated OpenAPI document) and every GraphQL root field (read from the
 * schema) against every kind of wrong credential. A new route or field without a fixture below fails here.
 */
const openapi = JSON.parse(readFileSync(new URL('../../rest/openapi.json', import.meta.url), 'utf8')) as {
  paths: Record<string, Record<string, { operationId: string; security?: { bearer: string[] }[] }>>;
};
const ALL_ROUTES = Object.entries(openapi.paths).flatMap(([path, ops]) =>
  Object.entries(ops).map(([method, op]) => ({
    method: method.toUpperCase(),
    path,
    operationId: op.operationId,
    scope: op.security?.[0]?.bearer[0] as Scope,
  })),
);
/**
 * Routes open without a token, each with a request using a valid capability and one using a forged one,
 * and how the forged one is refused. A route without security and without an entry here is
 * checked as a bearer route and fails ("declares a scope and has a fixture").
 */
type PublicCall = { path: string; body?: unknown };
const PUBLIC_FIXTURES: Record<
  string,
  { valid: () => Promise<PublicCall>; forged: () => Promise<PublicCall>; refused: [number, number] }
> = {
  PutPresignedUpload: {
    valid: async () => ({ path: await uploadPath(), body: Buffer.from('public file') }),
    forged: async () => ({ path: `${(await uploadPath()).slice(0, -4)}AAAA`, body: Buffer.from('forged') }),
    refused: [403, 403],
  },
  GetEmbed: {
    valid: async () => ({ path: `/v1/embed/${await embedLinkId()}` }),
    forged: async () => ({ path: `/v1/embed/${(await embedLinkId()).slice(0, -4)}AAAA` }),
    refused: [200, 1501],
  },
  DownloadExport: {
    valid: async () => ({ path: await downloadPath() }),
    forged: async () => ({ path: `${(await downloadPath()).slice(0, -4)}AAAA` }),
    refused: [403, 403],
  },
  GetEmbedRecords: {
    valid: async () => ({ path: `/v1/embed/${await embedLinkId()}/records?pageSize=5` }),
    forged: async () => ({ path: `/v1/embed/${(await embedLinkId()).slice(0, -4)}AAAA/records` }),
    refused: [200, 1501],
  },
};

const PUBLIC_ROUTES = ALL_ROUTES.filter((r) => r.scope === undefined && r.operationId in PUBLIC_FIXTURES);
const ROUTES = ALL_ROUTES.filter((r) => !PUBLIC_ROUTES.includes(r));

let t: TestApp;
let fx: {
  spaceId: string;
  datasheetId: string;
  otherDatasheetId: string;
  fieldId: () => Promise<string>;
  recordId: () => Promise<string>;
  /** A new datasheet of the space (for routes that delete theirs, or move records into one). */
  freshDatasheetId: () => Promise<string>;
  viewId: () => Promise<string>;
  tokens: Record<'owner' | 'revoked' | 'otherSpace' | 'restricted' | 'reader', string>;
  missing: (scope: Scope) => Promise<string>;
};

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT: 'off', WEBHOOK_ALLOW_HOSTS: '127.0.0.1' });
  const s = t.app.services;
  const scope = await ownerScope(t);
  const d1 = await s.datasheets.create(scope, { name: 'Matrix' });
  const d2 = await s.datasheets.create(scope, { name: 'Elsewhere' });
  const other = await s.spaces.create({ name: 'Other space' });
  const revoked = await s.tokens.create({ spaceId: t.spaceId });
  await s.tokens.revoke(revoked.token.id);
  const reader = await s.tokens.create({ spaceId: t.spaceId, userId: await readerUser(t) });
  fx = {
    spaceId: t.spaceId,
    datasheetId: d1.id,
    otherDatasheetId: d2.id,
    fieldId: async () => (await s.fields.add(scope, d1.id, { name: `f${newId('field')}`, type: 'Text' })).id,
    recordId: async () => (await s.records.create(scope, d1.id, [{ Title: 'fixture' }]))[0]!.id,
    freshDatasheetId: async () => (await s.datasheets.create(scope, { name: `m${newId('datasheet')}` })).id,
    viewId: async () => (await s.views.add(scope, d1.id, { name: `v${newId('view')}` })).id,
    tokens: {
      owner: t.token,
      revoked: revoked.secret,
      otherSpace: (await s.tokens.create({ spaceId: other.id })).secret,
      restricted: (await s.tokens.create({ spaceId: t.spaceId, datasheetIds: [d2.id] })).secret,
      reader: reader.secret,
    },
    missing: async (scope: Scope) =>
      (await s.tokens.create({ spaceId: t.spaceId, scopes: SCOPES.filter((x) => x !== scope) })).secret,
  };
});
afterAll(async () => {
  await t?.close();
});

/** A second member of the space with the reader role (members are managed outside the API for now). */
async function readerUser(app: TestApp): Promise<string> {
  const { prisma } = app.app;
  const id = newId('user');
  await prisma.user.create({ data: { id, name: 'Reader' } });
  await prisma.spaceMember.create({ data: { spaceId: app.spaceId, userId: id, role: 'reader' } });
  return id;
}

/** Path, body for one REST operation, with the fixture's ids. */
const REST_FIXTURES: Record<string, () => Promise<{ path: string; body?: unknown }>> = {
  GetSpaces: async () => ({ path: '/v1/spaces' }),
  GetMe: async () => ({ path: '/v1/me' }),
  CreateDatasheet: async () => ({ path: `/v1/spaces/${fx.spaceId}/datasheets`, body: { name: 'New' } }),
  CreateField: async () => ({
    path: `/v1/spaces/${fx.spaceId}/datasheets/${fx.datasheetId}/fields`,
    body: { name: `x${newId('field')}`, type: 'Text' },
  }),
  DeleteField: async () => ({
    path: `/v1/spaces/${fx.spaceId}/datasheets/${fx.datasheetId}/fields/${await fx.fieldId()}`,
  }),
  ListAuditEvents: async () => ({ path: `/v1/spaces/${fx.spaceId}/audit-events` }),
  GetRecords: async () => ({ path: `/v1/datasheets/${fx.datasheetId}/records?pageSize=5` }),
  StreamDatasheetEvents: async () => ({ path: `/v1/datasheets/${fx.datasheetId}/events` }),
  GetRecordsV3: async () => ({ path: `/v3/datasheets/${fx.datasheetId}/records?pageSize=5` }),
  CreateRecords: async () => ({
    path: `/v1/datasheets/${fx.datasheetId}/records`,
    body: { records: [{ fields: { Title: 'matrix' } }] },
  }),
  UpdateRecords: async () => ({
    path: `/v1/datasheets/${fx.datasheetId}/records`,
    body: { records: [{ recordId: await fx.recordId(), fields: { Title: 'patched' } }] },
  }),
  UpdateRecordsByPut: async () => ({
    path: `/v1/datasheets/${fx.datasheetId}/records`,
    body: { records: [{ recordId: await fx.recordId(), fields: { Title: 'put' } }] },
  }),
  DeleteRecords: async () => ({ path: `/v1/datasheets/${fx.datasheetId}/records?recordIds=${await fx.recordId()}` }),
  GetFields: async () => ({ path: `/v1/datasheets/${fx.datasheetId}/fields` }),
  GetViews: async () => ({ path: `/v1/datasheets/${fx.datasheetId}/views` }),
  ListNodes: async () => ({ path: `/v1/spaces/${fx.spaceId}/nodes` }),
  GetNode: async () => ({ path: `/v1/nodes/${fx.datasheetId}` }),
  GetSpaceNode: async () => ({ path: `/v1/spaces/${fx.spaceId}/nodes/${fx.datasheetId}` }),
  SearchNodes: async () => ({ path: `/v2/spaces/${fx.spaceId}/nodes?type=Datasheet` }),
  CreateEmbedLink: async () => ({
    path: `/v1/spaces/${fx.spaceId}/nodes/${fx.datasheetId}/embedlinks`,
    body: { theme: 'light' },
  }),
  ListEmbedLinks: async () => ({ path: `/v1/spaces/${fx.spaceId}/nodes/${fx.datasheetId}/embedlinks` }),
  DeleteEmbedLink: async () => ({
    path: `/v1/spaces/${fx.spaceId}/nodes/${fx.datasheetId}/embedlinks/${await embedLinkId(true)}`,
  }),
  // Extensions (not in AITable's Fusion API).
  GetDatasheet: async () => ({ path: `/v1/datasheets/${fx.datasheetId}` }),
  UpdateDatasheet: async () => ({ path: `/v1/datasheets/${fx.datasheetId}`, body: { name: 'Matrix' } }),
  DeleteDatasheet: async () => ({ path: `/v1/datasheets/${await fx.freshDatasheetId()}` }),
  UpdateField: async () => ({
    path: `/v1/datasheets/${fx.datasheetId}/fields/${await fx.fieldId()}`,
    body: { description: 'matrix' },
  }),
  MoveRecords: async () => ({
    path: `/v1/datasheets/${fx.datasheetId}/records/move`,
    body: { recordIds: [await fx.recordId()], toDatasheetId: await fx.freshDatasheetId() },
  }),
  GetRecordHistory: async () => ({ path: `/v1/datasheets/${fx.datasheetId}/records/${await fx.recordId()}/history` }),
  ApplyRecordChanges: async () => ({
    path: `/v1/datasheets/${fx.datasheetId}/records/batch`,
    body: { creates: [{ fields: { Title: 'batch' } }], deletes: [await fx.recordId()] },
  }),
  ExportDatasheet: async () => ({ path: `/v1/datasheets/${fx.datasheetId}/export?format=csv` }),
  StartImport: async () => ({ path: `/v1/datasheets/${fx.datasheetId}/imports`, body: importForm() }),
  StartImportIntoNewDatasheet: async () => ({
    path: `/v1/spaces/${fx.spaceId}/imports`,
    body: importForm({ templateId: await templateId() }),
  }),
  GetImport: async () => ({ path: `/v1/datasheets/${fx.datasheetId}/imports/${await importId(fx.datasheetId)}` }),
  GetImportErrors: async () => ({
    path: `/v1/datasheets/${fx.datasheetId}/imports/${await importId(fx.datasheetId)}/errors`,
  }),
  ListImportTemplates: async () => ({ path: `/v1/spaces/${fx.spaceId}/import-templates` }),
  CreateImportTemplate: async () => ({
    path: `/v1/spaces/${fx.spaceId}/import-templates`,
    body: { name: 'matrix', columns: [{ field: 'Title' }] },
  }),
  GetImportTemplate: async () => ({ path: `/v1/spaces/${fx.spaceId}/import-templates/${await templateId()}` }),
  UpdateImportTemplate: async () => ({
    path: `/v1/spaces/${fx.spaceId}/import-templates/${await templateId()}`,
    body: { name: 'renamed' },
  }),
  DeleteImportTemplate: async () => ({ path: `/v1/spaces/${fx.spaceId}/import-templates/${await templateId()}` }),
  CreateWebhook: async () => ({
    path: `/v1/datasheets/${fx.datasheetId}/webhooks`,
    body: { url: HOOK_URL, events: ['view.deleted'] },
  }),
  ListWebhooks: async () => ({ path: `/v1/datasheets/${fx.datasheetId}/webhooks` }),
  GetWebhook: async () => ({ path: `/v1/datasheets/${fx.datasheetId}/webhooks/${await webhookId()}` }),
  UpdateWebhook: async () => ({
    path: `/v1/datasheets/${fx.datasheetId}/webhooks/${await webhookId()}`,
    body: { description: 'matrix' },
  }),
  DeleteWebhook: async () => ({ path: `/v1/datasheets/${fx.datasheetId}/webhooks/${await webhookId(true)}` }),
  ListWebhookDeliveries: async () => ({
    path: `/v1/datasheets/${fx.datasheetId}/webhooks/${await webhookId()}/deliveries?pageSize=5`,
  }),
  GetPresignedUrl: async () => ({ path: `/v1/datasheets/${fx.datasheetId}/attachments/presignedUrl?count=2` }),
  UploadAttachment: async () => {
    const form = new FormData();
    form.append('file', new Blob([Buffer.from('matrix file')], { type: 'text/plain' }), 'matrix.txt');
    return { path: `/v1/datasheets/${fx.datasheetId}/attachments`, body: form };
  },
};

/** A fresh embed link of the fixture datasheet (links per datasheet are limited: the public fixtures share one). */
async function embedLinkId(fresh = false): Promise<string> {
  if (!fresh && sharedLinkId) return sharedLinkId;
  const link = await t.app.services.embeds.create(
    { spaceId: fx.spaceId, userId: null },
    fx.datasheetId,
    {},
    { userId: null, tokenId: null },
  );
  if (!fresh) sharedLinkId = link.linkId;
  return link.linkId;
}
let sharedLinkId: string | undefined;

/** A multipart import of a one-row CSV (the default primary field is `Title`). */
function importForm(fields: Record<string, string> = {}): FormData {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  form.append('file', new Blob([Buffer.from('Title\nmatrix\n')], { type: 'text/csv' }), 'matrix.csv');
  return form;
}

/** A one-row CSV uploaded (over REST, by the owner) as an attachment of the fixture datasheet: its token. */
async function attachmentToken(): Promise<string> {
  const response = await fusion<{ token: string }>(t.url, 'POST', `/v1/datasheets/${fx.datasheetId}/attachments`, {
    token: fx.tokens.owner,
    body: importForm(),
  });
  return response.body.data!.token;
}

/** A fresh import template of the fixture space. */
async function templateId(): Promise<string> {
  const scope = await ownerScope(t);
  return (await t.app.services.importTemplates.create(scope, { name: 'm', columns: [{ field: 'Title' }] })).id;
}

/** A finished import into the datasheet. */
async function importId(datasheetId: string): Promise<string> {
  const scope = await ownerScope(t);
  async function* data() {
    yield Buffer.from('Title\nimported\n');
  }
  const job = await t.app.services.imports.start(scope, { datasheetId, file: { name: 'm.csv', data: data() } });
  await t.app.services.imports.idle();
  return job.id;
}

/** A one-time export download path (under /fusion). */
async function downloadPath(): Promise<string> {
  const scope = await ownerScope(t);
  const { url } = await t.app.services.exports.createDownload(scope, fx.datasheetId, { format: 'csv' });
  return new URL(url).pathname.replace(/^\/fusion/, '');
}
/** Webhooks point at a closed port on 127.0.0.1 (allowed above); they hear only of view deletions. */
const HOOK_URL = 'http://127.0.0.1:9/matrix';

/** The shared webhook of the fixture datasheet, or (`doomed`) one to delete: made again once deleted (20 per datasheet). */
async function webhookId(doomed = false): Promise<string> {
  const key = doomed ? 'doomed' : 'shared';
  const known = webhookIds[key];
  if (known && (await t.app.prisma.webhook.count({ where: { id: known } })) > 0) return known;
  const made = await t.app.services.webhooks.create(
    { spaceId: fx.spaceId, userId: null },
    fx.datasheetId,
    { url: HOOK_URL, events: ['view.deleted'] },
    { userId: null, tokenId: null },
  );
  webhookIds[key] = made.webhook.id;
  return made.webhook.id;
}
const webhookIds: Record<'shared' | 'doomed', string | undefined> = { shared: undefined, doomed: undefined };

async function uploadPath(): Promise<string> {
  const [slot] = await t.app.services.uploads.issue({ spaceId: fx.spaceId, userId: null }, fx.datasheetId, 1);
  return new URL(slot!.uploadUrl).pathname.replace(/^\/fusion/, '');
}

const call = async (method: string, path: string, token: string | undefined, body?: unknown) => {
  if (!path.endsWith('/events')) return fusion(t.url, method, path, { token, body });
  // The event stream never ends by itself: an opened stream (200, text/event-stream) is the route's success.
  const response = await fetch(
    `${t.url}/fusion${path}`,
    token ? { headers: { authorization: `Bearer ${token}` } } : {},
  );
  if (!response.headers.get('content-type')?.startsWith('text/event-stream')) {
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, body: JSON.parse(text) };
  }
  await response.body?.cancel();
  return {
    status: response.status,
    headers: response.headers,
    text: '',
    body: { success: true, code: 200, message: 'stream opened' },
  };
};

const targetsSpace = (path: string) => path.includes('{spaceId}');
const targetsDatasheet = (path: string) => path.includes('{datasheetId}') || path.includes('{nodeId}');
const readScope = (scope: Scope) => scope === 'spaces:read' || scope === 'datasheets:read' || scope === 'records:read';

describe.each(ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))('REST %s', (_name, route) => {
  it('declares a scope and has a fixture', () => {
    expect(SCOPES).toContain(route.scope);
    expect(REST_FIXTURES[route.operationId], `add a fixture for ${route.operationId}`).toBeDefined();
  });

  const refusals: [string, () => Promise<string | undefined>, (r: Awaited<ReturnType<typeof call>>) => void][] = [
    [
      'no token',
      async () => undefined,
      (r) => expect([r.status, r.body]).toEqual([401, { success: false, code: 401, message: 'Unauthorized' }]),
    ],
    ['a bad token', async () => 'tbk_not_a_real_token', (r) => expect([r.status, r.body.code]).toEqual([401, 401])],
    ['a revoked token', async () => fx.tokens.revoked, (r) => expect([r.status, r.body.code]).toEqual([401, 401])],
    [
      'a token missing the scope',
      async () => fx.missing(route.scope),
      (r) => {
        expect([r.status, r.body.code]).toEqual([403, 403]);
        expect(r.body.message).toContain(route.scope);
      },
    ],
  ];
  it.each(refusals)('refuses %s, with no data', async (_label, token, check) => {
    const { path, body } = await REST_FIXTURES[route.operationId]!();
    const response = await call(route.method, path, await token(), body);
    check(response);
    expect(response.body.success).toBe(false);
    expect(response.body).not.toHaveProperty('data');
  });

  it('answers a token of another space as if the target did not exist, or with that space only', async () => {
    const { path, body } = await REST_FIXTURES[route.operationId]!();
    const response = await call(route.method, path, fx.tokens.otherSpace, body);
    if (targetsSpace(route.path)) {
      expect([response.status, response.body.code]).toEqual([403, 403]);
      expect(response.body.message).toBe(
        'The API token user does not belong to the space, please adjust spaceId or API token and try again',
      );
    } else if (targetsDatasheet(route.path)) {
      expect([response.status, response.body]).toEqual([
        200,
        { success: false, code: 301, message: "Can't find the specified datasheet" },
      ]);
    } else {
      expect(response.body.success).toBe(true);
    }
    expect(response.text).not.toContain(fx.spaceId);
    expect(response.text).not.toContain(fx.datasheetId);
  });

  it('answers a token restricted to another datasheet as if the datasheet did not exist', async () => {
    const { path, body } = await REST_FIXTURES[route.operationId]!();
    const response = await call(route.method, path, fx.tokens.restricted, body);
    if (targetsDatasheet(route.path)) {
      expect([response.status, response.body]).toEqual([
        200,
        { success: false, code: 301, message: "Can't find the specified datasheet" },
      ]);
    } else if (!readScope(route.scope)) {
      expect([response.status, response.body.code]).toEqual([403, 403]);
    } else {
      expect(response.body.success).toBe(true);
    }
    expect(response.text).not.toContain(fx.datasheetId);
  });

  it("bounds the token by its user's role", async () => {
    const { path, body } = await REST_FIXTURES[route.operationId]!();
    const response = await call(route.method, path, fx.tokens.reader, body);
    if (SCOPE_MIN_ROLE[route.scope] === 'reader') expect(response.body.success).toBe(true);
    else
      expect([response.status, response.body]).toEqual([
        200,
        { success: false, code: 602, message: 'Operation denied' },
      ]);
  });

  it('lets the owner through', async () => {
    const { path, body } = await REST_FIXTURES[route.operationId]!();
    const response = await call(route.method, path, fx.tokens.owner, body);
    expect(response.body).toMatchObject({ success: true, code: 200 });
  });
});

describe.each(PUBLIC_ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))('public REST %s', (_name, route) => {
  it('works with its capability and no token', async () => {
    const { path, body } = await PUBLIC_FIXTURES[route.operationId]!.valid();
    expect((await call(route.method, path, undefined, body)).body).toMatchObject({ success: true, code: 200 });
  });

  it('refuses a forged capability, with no data and nothing of the space', async () => {
    const fixture = PUBLIC_FIXTURES[route.operationId]!;
    const { path, body } = await fixture.forged();
    for (const token of [undefined, fx.tokens.owner]) {
      const response = await call(route.method, path, token, body);
      expect([response.status, response.body.code, response.body.success]).toEqual([...fixture.refused, false]);
      expect(response.body).not.toHaveProperty('data');
      expect(response.text).not.toContain(fx.spaceId);
      expect(response.text).not.toContain(fx.datasheetId);
    }
  });
});

/** Query text and variables for each root field. */
const GRAPHQL_FIXTURES: Record<string, () => Promise<{ query: string; variables?: Record<string, unknown> }>> = {
  spaces: async () => ({ query: '{ spaces { id name } }' }),
  me: async () => ({ query: '{ me { user { id } space { id role } scopes } }' }),
  auditEvents: async () => ({ query: '{ auditEvents(limit: 5) { events { id action } } }' }),
  createToken: async () => ({
    query: 'mutation { createToken(input: { name: "m", scopes: ["spaces:read"] }) { token { id } } }',
  }),
  node: async () => ({ query: 'query($id: ID!) { node(id: $id) { id } }', variables: { id: fx.spaceId } }),
  nodes: async () => ({ query: 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }', variables: { ids: [fx.spaceId] } }),
  space: async () => ({ query: 'query($id: ID!) { space(id: $id) { id name } }', variables: { id: fx.spaceId } }),
  // The restricted token reaches the other datasheet only: these read it, so every token that may sees it.
  datasheet: async () => ({
    query: 'query($id: ID!) { datasheet(id: $id) { id name fields { id } views { id } } }',
    variables: { id: fx.otherDatasheetId },
  }),
  records: async () => ({
    query: 'query($id: ID!) { records(datasheetId: $id, first: 5) { edges { node { id fields } } } }',
    variables: { id: fx.otherDatasheetId },
  }),
  record: async () => {
    const scope = await ownerScope(t);
    const [record] = await t.app.services.records.create(scope, fx.otherDatasheetId, [{ Title: 'matrix' }]);
    return { query: 'query($id: ID!) { record(id: $id) { id fields } }', variables: { id: record!.id } };
  },
  // Writes target the datasheet the restricted token does not reach; each fixture makes what it changes.
  createRecords: async () => ({
    query: 'mutation($d: ID!) { createRecords(datasheetId: $d, records: [{ fields: { Title: "m" } }]) { id } }',
    variables: { d: fx.datasheetId },
  }),
  updateRecords: async () => ({
    query:
      'mutation($d: ID!, $r: ID!) { updateRecords(datasheetId: $d, records: [{ id: $r, fields: { Title: "u" } }]) { id } }',
    variables: { d: fx.datasheetId, r: await fx.recordId() },
  }),
  deleteRecords: async () => ({
    query: 'mutation($d: ID!, $r: ID!) { deleteRecords(datasheetId: $d, ids: [$r]) }',
    variables: { d: fx.datasheetId, r: await fx.recordId() },
  }),
  upsertRecords: async () => ({
    query:
      'mutation($d: ID!) { upsertRecords(datasheetId: $d, records: [{ fields: { Title: "up" } }], fieldsToMergeOn: ["Title"]) { created updated } }',
    variables: { d: fx.datasheetId },
  }),
  applyRecordChanges: async () => ({
    query:
      'mutation($d: ID!, $r: ID!) { applyRecordChanges(datasheetId: $d, creates: [{ fields: { Title: "a" } }], deletes: [$r]) { deleted } }',
    variables: { d: fx.datasheetId, r: await fx.recordId() },
  }),
  moveRecords: async () => ({
    query: 'mutation($r: ID!, $to: ID!) { moveRecords(ids: [$r], toDatasheetId: $to) { recordIds } }',
    variables: { r: await fx.recordId(), to: fx.otherDatasheetId },
  }),
  createDatasheet: async () => ({
    query: 'mutation($s: ID!) { createDatasheet(input: { spaceId: $s, name: "made" }) { id } }',
    variables: { s: fx.spaceId },
  }),
  updateDatasheet: async () => ({
    query: 'mutation($d: ID!) { updateDatasheet(id: $d, name: "Matrix") { id } }',
    variables: { d: fx.datasheetId },
  }),
  deleteDatasheet: async () => {
    const scope = await ownerScope(t);
    const { id } = await t.app.services.datasheets.create(scope, { name: 'doomed' });
    return { query: 'mutation($d: ID!) { deleteDatasheet(id: $d) { id } }', variables: { d: id } };
  },
  createField: async () => ({
    query: 'mutation($d: ID!, $n: String!) { createField(datasheetId: $d, input: { name: $n, type: "Text" }) { id } }',
    variables: { d: fx.datasheetId, n: `f${newId('field')}` },
  }),
  updateField: async () => ({
    query:
      'mutation($d: ID!, $f: ID!) { updateField(datasheetId: $d, fieldId: $f, input: { description: "d" }) { id } }',
    variables: { d: fx.datasheetId, f: await fx.fieldId() },
  }),
  deleteField: async () => ({
    query: 'mutation($d: ID!, $f: ID!) { deleteField(datasheetId: $d, fieldId: $f) { id } }',
    variables: { d: fx.datasheetId, f: await fx.fieldId() },
  }),
  createView: async () => ({
    query: 'mutation($d: ID!) { createView(datasheetId: $d, input: { name: "v" }) { id } }',
    variables: { d: fx.datasheetId },
  }),
  updateView: async () => ({
    query: 'mutation($d: ID!, $v: ID!) { updateView(datasheetId: $d, viewId: $v, input: { name: "w" }) { id } }',
    variables: { d: fx.datasheetId, v: await fx.viewId() },
  }),
  deleteView: async () => ({
    query: 'mutation($d: ID!, $v: ID!) { deleteView(datasheetId: $d, viewId: $v) { id } }',
    variables: { d: fx.datasheetId, v: await fx.viewId() },
  }),
  moveView: async () => ({
    query: 'mutation($d: ID!, $v: ID!) { moveView(datasheetId: $d, viewId: $v, index: 0) { id } }',
    variables: { d: fx.datasheetId, v: await fx.viewId() },
  }),
  exportDatasheet: async () => ({
    query: 'mutation($d: ID!) { exportDatasheet(datasheetId: $d, format: "jsonl") { url expiresAt } }',
    variables: { d: fx.otherDatasheetId },
  }),
  importJob: async () => ({
    query: 'query($id: ID!) { importJob(id: $id) { id status rowsWritten errors(first: 5) { nextCursor } } }',
    variables: { id: await importId(fx.otherDatasheetId) },
  }),
  startImport: async () => ({
    query: 'mutation($d: ID!, $tok: String!) { startImport(datasheetId: $d, attachmentToken: $tok) { id status } }',
    variables: { d: fx.datasheetId, tok: await attachmentToken() },
  }),
  importTemplates: async () => ({ query: '{ importTemplates(first: 5) { id name } }' }),
  importTemplate: async () => ({
    query: 'query($id: ID!) { importTemplate(id: $id) { id columns } }',
    variables: { id: await templateId() },
  }),
  createImportTemplate: async () => ({
    query: 'mutation { createImportTemplate(name: "m", columns: [{ field: "Title" }]) { id } }',
  }),
  updateImportTemplate: async () => ({
    query: 'mutation($id: ID!) { updateImportTemplate(id: $id, name: "n") { id name } }',
    variables: { id: await templateId() },
  }),
  deleteImportTemplate: async () => ({
    query: 'mutation($id: ID!) { deleteImportTemplate(id: $id) }',
    variables: { id: await templateId() },
  }),
  webhooks: async () => ({
    query: 'query($d: ID!) { webhooks(datasheetId: $d) { id url } }',
    variables: { d: fx.datasheetId },
  }),
  webhookDeliveries: async () => ({
    query: 'query($id: ID!) { webhookDeliveries(webhookId: $id, first: 5) { nodes { id status } } }',
    variables: { id: await webhookId() },
  }),
  createWebhook: async () => ({
    query:
      'mutation($d: ID!, $url: String!) { createWebhook(datasheetId: $d, input: { url: $url, events: ["view.deleted"] }) { webhook { id } } }',
    variables: { d: fx.datasheetId, url: HOOK_URL },
  }),
  updateWebhook: async () => ({
    query: 'mutation($id: ID!) { updateWebhook(id: $id, input: { description: "m" }) { id } }',
    variables: { id: await webhookId() },
  }),
  deleteWebhook: async () => ({
    query: 'mutation($id: ID!) { deleteWebhook(id: $id) }',
    variables: { id: await webhookId(true) },
  }),
  revokeToken: async () => {
    const { token } = await t.app.services.tokens.create({ spaceId: fx.spaceId, name: 'victim' });
    return { query: 'mutation($id: ID!) { revokeToken(tokenId: $id) { id revokedAt } }', variables: { id: token.id } };
  },
};

/** Mutations of one datasheet, and its webhooks (the fixtures name the one outside the restricted token's reach). */
const DATASHEET_WRITES = new Set(
  Object.keys(GRAPHQL_FIXTURES).filter((name) =>
    /Records$|RecordChanges$|Field$|View$|^(update|delete)Datasheet$|[wW]ebhooks?$|^webhookDeliveries$|^startImport$/.test(
      name,
    ),
  ),
);

const rootFields = (['Query', 'Mutation'] as const).flatMap((name) => {
  const type = schema.getType(name) as GraphQLObjectType | undefined;
  return Object.values(type?.getFields() ?? {}).map((f) => ({ name: f.name, scope: f.extensions.scope as Scope }));
});

const refusedWith = (r: GqlResponse, code: string) => {
  expect(r.body.errors?.[0]?.extensions?.code).toBe(code);
  expect(Object.values(r.body.data ?? {}).every((v) => v === null)).toBe(true);
};

describe.each(rootFields.map((f) => [f.name, f] as const))('GraphQL %s', (_name, field) => {
  it('declares a scope and has a fixture', () => {
    expect(SCOPES).toContain(field.scope);
    expect(GRAPHQL_FIXTURES[field.name], `add a fixture for ${field.name}`).toBeDefined();
  });

  const variants: [string, () => Promise<string | undefined>, string][] = [
    ['no token', async () => undefined, 'UNAUTHORIZED'],
    ['a bad token', async () => 'tbk_not_a_real_token', 'UNAUTHORIZED'],
    ['a revoked token', async () => fx.tokens.revoked, 'UNAUTHORIZED'],
    ['a token missing the scope', async () => fx.missing(field.scope), 'FORBIDDEN'],
  ];
  it.each(variants)('refuses %s, with no data', async (_label, token, code) => {
    const { query, variables } = await GRAPHQL_FIXTURES[field.name]!();
    refusedWith(await gql(t.url, query, { token: await token(), variables }), code);
  });

  it('shows a token of another space nothing of this space', async () => {
    const { query, variables } = await GRAPHQL_FIXTURES[field.name]!();
    const response = await gql(t.url, query, { token: fx.tokens.otherSpace, variables });
    expect(response.text).not.toContain(fx.spaceId);
    if (field.name === 'revokeToken') refusedWith(response, 'NOT_FOUND');
  });

  it('limits a datasheet-restricted token to reading', async () => {
    const { query, variables } = await GRAPHQL_FIXTURES[field.name]!();
    const response = await gql(t.url, query, { token: fx.tokens.restricted, variables });
    if (readScope(field.scope)) expect(response.body.errors).toBeUndefined();
    // A write naming a datasheet outside the restriction finds no such datasheet (as over REST).
    else if (DATASHEET_WRITES.has(field.name)) refusedWith(response, 'NOT_FOUND');
    else refusedWith(response, 'FORBIDDEN');
  });

  it("bounds the token by its user's role", async () => {
    const { query, variables } = await GRAPHQL_FIXTURES[field.name]!();
    const response = await gql(t.url, query, { token: fx.tokens.reader, variables });
    if (SCOPE_MIN_ROLE[field.scope] === 'reader') expect(response.body.errors).toBeUndefined();
    else refusedWith(response, 'FORBIDDEN');
  });

  it('lets the owner through', async () => {
    const { query, variables } = await GRAPHQL_FIXTURES[field.name]!();
    const response = await gql(t.url, query, { token: fx.tokens.owner, variables });
    expect(response.body.errors).toBeUndefined();
  });
});

/**
 * A token restricted to datasheet A, whose A links to a datasheet B outside its restriction (made by an unrestricted
 * token): B stays as unreachable through links, lookups and two-way siblings as it is directly. The token cannot
 * make a link or lookup to B (answered as for a datasheet that does not exist); it reads A's link cells as record ids
 * and A's lookups into B as empty (GET fields: hasError); a write that would name B's records (and so learn whether
 * they exist) or change them (a two-way sibling) is refused, and changes nothing.
 */
describe('a datasheet restriction through links and lookups', () => {
  const r: {
    a: string;
    b: string;
    bRecord: string;
    aRecord: string;
    toB: string;
    pair: string;
    sibling: string;
    bTitle: string;
    token: string;
  } = {} as never;
  const as = (token: string) => async (method: string, path: string, body?: unknown) => call(method, path, token, body);
  const fieldsOf = async (datasheetId: string) =>
    (await t.app.prisma.field.findMany({ where: { datasheetId }, orderBy: { id: 'asc' } })).map((f) => [
      f.id,
      f.type,
      f.property,
    ]);
  const cellsOf = async (id: string) =>
    (await t.app.prisma.$queryRawUnsafe<{ cells: unknown }[]>('SELECT cells FROM records WHERE id = $1', id))[0]?.cells;
  const restrictedError = {
    success: false,
    code: 403,
    message:
      'This token is restricted to some datasheets and cannot name or change records or fields of a linked datasheet outside them',
  };

  beforeAll(async () => {
    const s = t.app.services;
    const scope = await ownerScope(t);
    const [a, b] = [
      await s.datasheets.create(scope, { name: 'Reach A' }),
      await s.datasheets.create(scope, { name: 'Reach B' }),
    ];
    Object.assign(r, { a: a.id, b: b.id });
    r.bTitle = (await s.datasheets.get(scope, b.id)).fields[0]!.id;
    r.bRecord = (await s.records.create(scope, b.id, [{ Title: 'secret-of-b' }]))[0]!.id;
    r.toB = (
      await s.fields.add(scope, a.id, { name: 'ToB', type: 'OneWayLink', property: { foreignDatasheetId: b.id } })
    ).id;
    const pair = await s.fields.add(scope, a.id, {
      name: 'Pair',
      type: 'TwoWayLink',
      property: { foreignDatasheetId: b.id },
    });
    Object.assign(r, { pair: pair.id, sibling: (pair.property as { brotherFieldId: string }).brotherFieldId });
    await s.fields.add(scope, a.id, {
      name: 'BTitle',
      type: 'MagicLookUp',
      property: { relatedLinkFieldId: r.toB, targetFieldId: r.bTitle },
    });
    // A lookup of that lookup through a link of A to itself: B is as far out of reach two steps away.
    const self = await s.fields.add(scope, a.id, {
      name: 'Self',
      type: 'OneWayLink',
      property: { foreignDatasheetId: a.id },
    });
    const aLookup = (await s.datasheets.get(scope, a.id)).fields.find((f) => f.name === 'BTitle')!.id;
    await s.fields.add(scope, a.id, {
      name: 'Deep',
      type: 'MagicLookUp',
      property: { relatedLinkFieldId: self.id, targetFieldId: aLookup },
    });
    const [first] = await s.records.create(scope, a.id, [{ Title: 'a1', ToB: [r.bRecord], Pair: [r.bRecord] }]);
    r.aRecord = first!.id;
    await s.records.update(scope, a.id, [{ recordId: r.aRecord, fields: { Self: [r.aRecord] } }]);
    r.token = (await s.tokens.create({ spaceId: t.spaceId, datasheetIds: [a.id] })).secret;
  });

  const createField = (datasheetId: string, field: unknown) =>
    ['POST', `/v1/spaces/${fx.spaceId}/datasheets/${datasheetId}/fields`, field] as const;

  it.each(['OneWayLink', 'TwoWayLink'])(
    'refuses a %s field to B as if B did not exist, adding no field anywhere',
    async (type) => {
      const [before, beforeB] = [await fieldsOf(r.a), await fieldsOf(r.b)];
      const toB = await as(r.token)(
        ...createField(r.a, { name: `L${newId('field')}`, type, property: { foreignDatasheetId: r.b } }),
      );
      const toNothing = await as(r.token)(
        ...createField(r.a, { name: `L${newId('field')}`, type, property: { foreignDatasheetId: newId('datasheet') } }),
      );
      expect([toB.status, toB.body]).toEqual([toNothing.status, toNothing.body]);
      expect(toB.body.success).toBe(false);
      expect([await fieldsOf(r.a), await fieldsOf(r.b)]).toEqual([before, beforeB]);
      // The owner may (the refusal is the restriction's).
      expect(
        (
          await as(fx.tokens.owner)(
            ...createField(r.a, { name: `L${newId('field')}`, type, property: { foreignDatasheetId: r.b } }),
          )
        ).body.success,
      ).toBe(true);
    },
  );

  it('refuses a lookup through a link to B as if B did not exist', async () => {
    const lookup = {
      name: `K${newId('field')}`,
      type: 'MagicLookUp',
      property: { relatedLinkFieldId: r.toB, targetFieldId: r.bTitle },
    };
    const response = await as(r.token)(...createField(r.a, lookup));
    expect([response.status, response.body]).toEqual([
      200,
      { success: false, code: 301, message: "Can't find the specified datasheet" },
    ]);
    expect((await fieldsOf(r.a)).map(([id]) => id)).not.toContain(response.body.data);
    expect(
      (await as(fx.tokens.owner)(...createField(r.a, { ...lookup, name: `K${newId('field')}` }))).body.success,
    ).toBe(true);
  });

  it("reads A's link cells as record ids and its lookups into B as empty, in json, strings, filters and GET fields", async () => {
    type Page = { records: { recordId: string; fields: Record<string, unknown> }[] };
    for (const format of ['json', 'string']) {
      const owner = await as(fx.tokens.owner)('GET', `/v1/datasheets/${r.a}/records?cellFormat=${format}`);
      expect(owner.text).toContain('secret-of-b');
      const response = await as(r.token)('GET', `/v1/datasheets/${r.a}/records?cellFormat=${format}`);
      const fields = (response.body.data as Page).records.find((x) => x.recordId === r.aRecord)!.fields;
      expect(fields.ToB).toEqual(format === 'json' ? [r.bRecord] : r.bRecord);
      expect(fields.Pair).toEqual(format === 'json' ? [r.bRecord] : r.bRecord);
      expect(fields).not.toHaveProperty('BTitle');
      expect(fields).not.toHaveProperty('Deep');
      expect(response.text).not.toContain('secret-of-b');
    }
    // A filter on the lookup is no oracle of B's values either.
    const filter = `/v1/datasheets/${r.a}/records?filterByFormula=${encodeURIComponent('{BTitle}="secret-of-b"')}`;
    expect(((await as(fx.tokens.owner)('GET', filter)).body.data as Page).records).toHaveLength(1);
    expect(((await as(r.token)('GET', filter)).body.data as Page).records).toHaveLength(0);
    // GET fields shows the lookup as broken, naming nothing of B.
    const fields = await as(r.token)('GET', `/v1/datasheets/${r.a}/fields`);
    const bTitle = (fields.body.data as { fields: { name: string; property: Record<string, unknown> }[] }).fields.find(
      (f) => f.name === 'BTitle',
    )!;
    expect(bTitle.property).toMatchObject({ hasError: true });
    expect(bTitle.property).not.toHaveProperty('entityField');
    expect(fields.text).not.toContain(`"datasheetId":"${r.b}"`);
  });

  it('refuses writes naming records of B, whether they exist or not, creating nothing', async () => {
    const count = () => t.app.prisma.record.count({ where: { datasheetId: r.a } });
    const before = await count();
    const existing = await as(r.token)('POST', `/v1/datasheets/${r.a}/records`, {
      records: [{ fields: { Title: 'x', ToB: [r.bRecord] } }],
    });
    const missing = await as(r.token)('POST', `/v1/datasheets/${r.a}/records`, {
      records: [{ fields: { Title: 'x', ToB: [newId('record')] } }],
    });
    expect([existing.status, existing.body]).toEqual([403, restrictedError]);
    expect([missing.status, missing.body]).toEqual([403, restrictedError]);
    const update = await as(r.token)('PATCH', `/v1/datasheets/${r.a}/records`, {
      records: [{ recordId: r.aRecord, fields: { ToB: [newId('record')] } }],
    });
    expect([update.status, update.body]).toEqual([403, restrictedError]);
    expect(await count()).toBe(before);
    // Writing A's other cells, and clearing a one-way link (nothing of B named or changed), stay allowed.
    const cleared = await as(r.token)('PATCH', `/v1/datasheets/${r.a}/records`, {
      records: [{ recordId: r.aRecord, fields: { Title: 'a1 again' } }],
    });
    expect(cleared.body.success).toBe(true);
  });

  it("refuses writes that would change B's two-way sibling cells or field, changing nothing", async () => {
    const [aCells, bCells, bFields] = [await cellsOf(r.aRecord), await cellsOf(r.bRecord), await fieldsOf(r.b)];
    expect(bCells).toMatchObject({ [r.sibling]: [r.aRecord] });
    const attempts = [
      ['PATCH', `/v1/datasheets/${r.a}/records`, { records: [{ recordId: r.aRecord, fields: { Pair: null } }] }],
      ['POST', `/v1/datasheets/${r.a}/records`, { records: [{ fields: { Title: 'y', Pair: [r.bRecord] } }] }],
      ['DELETE', `/v1/datasheets/${r.a}/records?recordIds=${r.aRecord}`, undefined],
      ['DELETE', `/v1/spaces/${fx.spaceId}/datasheets/${r.a}/fields/${r.pair}`, undefined],
    ] as const;
    for (const [method, path, body] of attempts) {
      const response = await as(r.token)(method, path, body);
      expect([method, path, response.status, response.body]).toEqual([method, path, 403, restrictedError]);
    }
    expect([await cellsOf(r.aRecord), await cellsOf(r.bRecord), await fieldsOf(r.b)]).toEqual([
      aCells,
      bCells,
      bFields,
    ]);
  });

  it('bounds an embed link the token publishes by the same restriction', async () => {
    const publish = async (token: string) => {
      const made = await as(token)('POST', `/v1/spaces/${fx.spaceId}/nodes/${r.a}/embedlinks`, {});
      return (await call('GET', `/v1/embed/${(made.body.data as { linkId: string }).linkId}/records`, undefined)).text;
    };
    expect(await publish(fx.tokens.owner)).toContain('secret-of-b');
    const restricted = await publish(r.token);
    expect(restricted).toContain(r.bRecord);
    expect(restricted).not.toContain('secret-of-b');
  });
});
