import { readFileSync } from 'node:fs';
import { GraphQLObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../graphql/schema.js';
import { SCOPES, type Scope } from '../../src/domain/tokens/scopes.js';
import { SCOPE_MIN_ROLE } from '../../src/domain/access/permissions.js';
import { newId } from '../../src/domain/ids.js';
import { startTestApp, type TestApp } from '../support/app.js';

/**
 * Every REST route (read from the generated OpenAPI document) and every GraphQL root field (read from the
 * schema) against every kind of wrong credential. A new route or field without a fixture below fails here.
 */
const openapi = JSON.parse(readFileSync(new URL('../../rest/openapi.json', import.meta.url), 'utf8')) as {
  paths: Record<string, Record<string, { operationId: string; security?: { bearer: string[] }[] }>>;
};
const ALL_ROUTES = Object.entries(openapi.paths).flatMap(([path, ops]) =>
  Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, operationId: op.operationId, scope: op.security?.[0]?.bearer[0] as Scope })),
);
/**
 * Routes open without a token, each with a request using a valid capability and one using a forged one,
 * and how the forged one is refused. A route without security and without an entry here is
 * checked as a bearer route and fails ("declares a scope and has a fixture").
 */
type PublicCall = { path: string; body?: unknown };
const PUBLIC_FIXTURES: Record<string, { valid: () => Promise<PublicCall>; forged: () => Promise<PublicCall>; refused: [number, number] }> = {
  PutPresignedUpload: {
    valid: async () => ({ path: await uploadPath(), body: Buffer.from('public file') }),
    forged: async () => ({ path: `${(await uploadPath()).slice(0, -4)}AAAA`, body: Buffer.from('forged') }),
    refused: [403, 403],
  },
  GetEmbed: { valid: async () => ({ path: `/v1/embed/${await embedLinkId()}` }), forged: async () => ({ path: `/v1/embed/${(await embedLinkId()).slice(0, -4)}AAAA` }), refused: [200, 1501] },
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
  tokens: Record<'owner' | 'revoked' | 'otherSpace' | 'restricted' | 'reader', string>;
  missing: (scope: Scope) => Promise<string>;
};

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT: 'off' });
  const s = t.app.services;
  const scope = { spaceId: t.spaceId, userId: (await s.tokens.authenticate(t.token)).userId };
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
    tokens: {
      owner: t.token,
      revoked: revoked.secret,
      otherSpace: (await s.tokens.create({ spaceId: other.id })).secret,
      restricted: (await s.tokens.create({ spaceId: t.spaceId, datasheetIds: [d2.id] })).secret,
      reader: reader.secret,
    },
    missing: async (scope: Scope) => (await s.tokens.create({ spaceId: t.spaceId, scopes: SCOPES.filter((x) => x !== scope) })).secret,
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
  CreateField: async () => ({ path: `/v1/spaces/${fx.spaceId}/datasheets/${fx.datasheetId}/fields`, body: { name: `x${newId('field')}`, type: 'Text' } }),
  DeleteField: async () => ({ path: `/v1/spaces/${fx.spaceId}/datasheets/${fx.datasheetId}/fields/${await fx.fieldId()}` }),
  ListAuditEvents: async () => ({ path: `/v1/spaces/${fx.spaceId}/audit-events` }),
  GetRecords: async () => ({ path: `/v1/datasheets/${fx.datasheetId}/records?pageSize=5` }),
  GetRecordsV3: async () => ({ path: `/v3/datasheets/${fx.datasheetId}/records?pageSize=5` }),
  CreateRecords: async () => ({ path: `/v1/datasheets/${fx.datasheetId}/records`, body: { records: [{ fields: { Title: 'matrix' } }] } }),
  UpdateRecords: async () => ({ path: `/v1/datasheets/${fx.datasheetId}/records`, body: { records: [{ recordId: await fx.recordId(), fields: { Title: 'patched' } }] } }),
  UpdateRecordsByPut: async () => ({ path: `/v1/datasheets/${fx.datasheetId}/records`, body: { records: [{ recordId: await fx.recordId(), fields: { Title: 'put' } }] } }),
  DeleteRecords: async () => ({ path: `/v1/datasheets/${fx.datasheetId}/records?recordIds=${await fx.recordId()}` }),
  GetFields: async () => ({ path: `/v1/datasheets/${fx.datasheetId}/fields` }),
  GetViews: async () => ({ path: `/v1/datasheets/${fx.datasheetId}/views` }),
  ListNodes: async () => ({ path: `/v1/spaces/${fx.spaceId}/nodes` }),
  GetNode: async () => ({ path: `/v1/nodes/${fx.datasheetId}` }),
  GetSpaceNode: async () => ({ path: `/v1/spaces/${fx.spaceId}/nodes/${fx.datasheetId}` }),
  SearchNodes: async () => ({ path: `/v2/spaces/${fx.spaceId}/nodes?type=Datasheet` }),
  CreateEmbedLink: async () => ({ path: `/v1/spaces/${fx.spaceId}/nodes/${fx.datasheetId}/embedlinks`, body: { theme: 'light' } }),
  ListEmbedLinks: async () => ({ path: `/v1/spaces/${fx.spaceId}/nodes/${fx.datasheetId}/embedlinks` }),
  DeleteEmbedLink: async () => ({ path: `/v1/spaces/${fx.spaceId}/nodes/${fx.datasheetId}/embedlinks/${await embedLinkId(true)}` }),
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
  const link = await t.app.services.embeds.create({ spaceId: fx.spaceId, userId: null }, fx.datasheetId, {}, { userId: null, tokenId: null });
  if (!fresh) sharedLinkId = link.linkId;
  return link.linkId;
}
let sharedLinkId: string | undefined;

async function uploadPath(): Promise<string> {
  const [slot] = await t.app.services.uploads.issue({ spaceId: fx.spaceId, userId: null }, fx.datasheetId, 1);
  return new URL(slot!.uploadUrl).pathname.replace(/^\/fusion/, '');
}

async function call(method: string, path: string, token: string | undefined, body?: unknown) {
  const form = body instanceof FormData || body instanceof Buffer;
  const response = await fetch(`${t.url}/fusion${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body && !form ? { 'content-type': 'application/json' } : {}) },
    body: form ? body : body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as { success: boolean; code: number; message: string; data?: unknown } };
}

const targetsSpace = (path: string) => path.includes('{spaceId}');
const targetsDatasheet = (path: string) => path.includes('{datasheetId}') || path.includes('{nodeId}');
const readScope = (scope: Scope) => scope === 'spaces:read' || scope === 'datasheets:read' || scope === 'records:read';

describe.each(ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))('REST %s', (_name, route) => {
  it('declares a scope and has a fixture', () => {
    expect(SCOPES).toContain(route.scope);
    expect(REST_FIXTURES[route.operationId], `add a fixture for ${route.operationId}`).toBeDefined();
  });

  const refusals: [string, () => Promise<string | undefined>, (r: Awaited<ReturnType<typeof call>>) => void][] = [
    ['no token', async () => undefined, (r) => expect([r.status, r.body]).toEqual([401, { success: false, code: 401, message: 'Unauthorized' }])],
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
      expect(response.body.message).toBe('The API token user does not belong to the space, please adjust spaceId or API token and try again');
    } else if (targetsDatasheet(route.path)) {
      expect([response.status, response.body]).toEqual([200, { success: false, code: 301, message: "Can't find the specified datasheet" }]);
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
      expect([response.status, response.body]).toEqual([200, { success: false, code: 301, message: "Can't find the specified datasheet" }]);
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
    else expect([response.status, response.body]).toEqual([200, { success: false, code: 602, message: 'Operation denied' }]);
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
  createToken: async () => ({ query: 'mutation { createToken(input: { name: "m", scopes: ["spaces:read"] }) { token { id } } }' }),
  revokeToken: async () => {
    const { token } = await t.app.services.tokens.create({ spaceId: fx.spaceId, name: 'victim' });
    return { query: 'mutation($id: ID!) { revokeToken(tokenId: $id) { id revokedAt } }', variables: { id: token.id } };
  },
};

const rootFields = (['Query', 'Mutation'] as const).flatMap((name) => {
  const type = schema.getType(name) as GraphQLObjectType | undefined;
  return Object.values(type?.getFields() ?? {}).map((f) => ({ name: f.name, scope: f.extensions.scope as Scope }));
});

async function gql(token: string | undefined, query: string, variables?: Record<string, unknown>) {
  const response = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  return { text, body: JSON.parse(text) as { data?: Record<string, unknown> | null; errors?: { extensions?: { code?: string } }[] } };
}

const refusedWith = (r: Awaited<ReturnType<typeof gql>>, code: string) => {
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
    refusedWith(await gql(await token(), query, variables), code);
  });

  it('shows a token of another space nothing of this space', async () => {
    const { query, variables } = await GRAPHQL_FIXTURES[field.name]!();
    const response = await gql(fx.tokens.otherSpace, query, variables);
    expect(response.text).not.toContain(fx.spaceId);
    if (field.name === 'revokeToken') refusedWith(response, 'NOT_FOUND');
  });

  it('limits a datasheet-restricted token to reading', async () => {
    const { query, variables } = await GRAPHQL_FIXTURES[field.name]!();
    const response = await gql(fx.tokens.restricted, query, variables);
    if (readScope(field.scope)) expect(response.body.errors).toBeUndefined();
    else refusedWith(response, 'FORBIDDEN');
  });

  it("bounds the token by its user's role", async () => {
    const { query, variables } = await GRAPHQL_FIXTURES[field.name]!();
    const response = await gql(fx.tokens.reader, query, variables);
    if (SCOPE_MIN_ROLE[field.scope] === 'reader') expect(response.body.errors).toBeUndefined();
    else refusedWith(response, 'FORBIDDEN');
  });

  it('lets the owner through', async () => {
    const { query, variables } = await GRAPHQL_FIXTURES[field.name]!();
    const response = await gql(fx.tokens.owner, query, variables);
    expect(response.body.errors).toBeUndefined();
  });
});
