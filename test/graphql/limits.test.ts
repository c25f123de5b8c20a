import { gzipSync } from 'node:zlib';
import { getIntrospectionQuery, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operationCost } from '../../graphql/plugins/use-access-meter.js';
import { DEFAULT_OPERATION_LIMITS } from '../../graphql/plugins/use-operation-limits.js';
import { ownerScope, startTestApp, type TestApp } from '../support/app.js';
import { gql } from '../support/graphql.js';
import { rawRequest } from '../support/raw-http.js';
import { MAX_GRAPHQL_BODY_BYTES } from '../../graphql/body.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

/** `n` fragments, each spreading the one before twice: about 10 tokens each, 2^n fields once expanded. */
function chainedFragments(n: number): string {
  const parts = ['fragment F0 on Query { spaces { id } }'];
  for (let i = 1; i < n; i++) parts.push(`fragment F${i} on Query { ...F${i - 1} ...F${i - 1} }`);
  return `query Chained { ...F${n - 1} }\n${parts.join('\n')}`;
}

describe('GraphQL operation cost', () => {
  it('counts each fragment once, however often it is spread, and still prices the expansion', () => {
    // F0 selects 2 fields; each further fragment doubles it.
    expect(operationCost(parse(chainedFragments(24)))).toBe(2 ** 24);
    // Past exact counting the cost stays the largest exact number, above any budget.
    expect(operationCost(parse(chainedFragments(60)))).toBe(Number.MAX_SAFE_INTEGER);
    expect(operationCost(parse('{ a: __typename ...X } fragment X on Query { b: __typename ...X }'))).toBe(2);
  });

  it('answers a document of chained fragments at once, refusing it for any caller', async () => {
    const query = chainedFragments(60);
    expect(query.length).toBeLessThan(3_000);
    for (const token of [t.token, undefined, 'tbk_not_a_token']) {
      const res = await gql(t.url, query, { token });
      expect(res.status).toBe(429);
      expect(res.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
      expect(res.body.data ?? null).toBeNull();
    }
  });
});

describe('GraphQL size limits', () => {
  const { tokens, depth, aliases, directives } = DEFAULT_OPERATION_LIMITS;
  const nested = (levels: number) =>
    `{ __schema { types { ${'ofType { '.repeat(levels - 3)}name${' }'.repeat(levels - 3)} } } }`;

  it.each([
    ['depth', nested(depth + 1), nested(depth)],
    [
      'aliases',
      `{ ${Array.from({ length: aliases + 1 }, (_, i) => `a${i}: __typename`).join(' ')} }`,
      `{ ${Array.from({ length: aliases }, (_, i) => `a${i}: __typename`).join(' ')} }`,
    ],
    [
      'directives',
      `{ ${Array.from({ length: directives + 1 }, () => '__typename @include(if: true)').join(' ')} }`,
      `{ ${Array.from({ length: directives }, () => '__typename @include(if: true)').join(' ')} }`,
    ],
    ['tokens', `{ ${'__typename '.repeat(tokens)}}`, `{ ${'__typename '.repeat(tokens - 3)}}`],
  ] as const)(
    'refuses an operation over the %s limit with HTTP 400 and QUERY_TOO_COMPLEX, before anything runs',
    async (limit, over, within) => {
      for (const token of [t.token, undefined]) {
        const refused = await gql(t.url, over, { token });
        expect(refused.status).toBe(400);
        expect(refused.body.data ?? null).toBeNull();
        expect(refused.body.errors).toHaveLength(1);
        expect(refused.body.errors?.[0]).toMatchObject({ extensions: { code: 'QUERY_TOO_COMPLEX', limit } });
        expect(refused.body.errors?.[0]?.message).toMatch(
          limit === 'depth' ? /deeper than 15 levels/ : new RegExp(`more than \\d+ ${limit}`),
        );
      }
      const allowed = await gql(t.url, within, { token: t.token });
      // (graphql-js's own validation budget refuses thousands of identical fields; that is not this limit.)
      if (limit === 'tokens') expect(allowed.body.errors?.[0]?.extensions?.code).not.toBe('QUERY_TOO_COMPLEX');
      else expect(allowed.body.errors).toBeUndefined();
    },
  );

  it('counts aliases and depth through fragments', async () => {
    const fragment = `fragment A on Query { ${Array.from({ length: 16 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    const once = await gql(t.url, `{ ...A } ${fragment}`, { token: t.token });
    expect(once.body.errors).toBeUndefined();
    const twice = await gql(t.url, `{ ...A ... on Query { ...A } } ${fragment}`, { token: t.token });
    expect(twice.body.errors?.[0]).toMatchObject({ extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'aliases' } });
    const deep = `fragment D on __Type { ${'ofType { '.repeat(depth - 3)}name${' }'.repeat(depth - 3)} }`;
    expect(
      (await gql(t.url, `{ __schema { types { ...D } } } ${deep}`, { token: t.token })).body.errors,
    ).toBeUndefined();
    const deeper = await gql(t.url, `{ __schema { types { ofType { ...D } } } } ${deep}`, { token: t.token });
    expect(deeper.body.errors?.[0]).toMatchObject({ extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'depth' } });
  });

  it('lets the standard introspection query through', async () => {
    const res = await gql(t.url, getIntrospectionQuery(), { token: t.token });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data).toHaveProperty('__schema');
  });

  it('lets GraphiQL load the schema without a token: introspection costs one point', async () => {
    expect(operationCost(parse(getIntrospectionQuery()))).toBe(1);
    const res = await gql(t.url, getIntrospectionQuery());
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data).toHaveProperty('__schema');
  });
});

describe('anonymous GraphQL operations', () => {
  let limited: TestApp;
  beforeAll(async () => {
    // Anonymous operations spend the FREE budget (1 × 5 points) of their client address, per minute here.
    limited = await startTestApp({
      RATE_LIMIT_QPS: 'FREE=1',
      GRAPHQL_COST_PER_REQUEST: '5',
      RATE_LIMIT_WINDOW_MS: '60000',
    });
  });
  afterAll(async () => {
    await limited?.close();
  });

  it('are metered per client address', async () => {
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 4; i++)
      codes.push((await gql(limited.url, '{ spaces { id } }')).body.errors?.[0]?.extensions?.code);
    expect(codes).toEqual(['UNAUTHORIZED', 'UNAUTHORIZED', 'RATE_LIMITED', 'RATE_LIMITED']);
    // A token has its own budget.
    expect((await gql(limited.url, '{ spaces { id } }', { token: limited.token })).body.errors).toBeUndefined();
  });
});

describe('GraphQL cost of pages', () => {
  const page = (first: string) =>
    parse(`query($n: Int) { records(datasheetId: "dst1", first: ${first}) { edges { node { id fields } } } }`);

  it('counts the rows a page may return, from a literal, a variable or its default', () => {
    const ten = operationCost(page('10'));
    const thousand = operationCost(page('1000'));
    expect(thousand).toBeGreaterThan(ten);
    expect(operationCost(page('$n'), { n: 1000 })).toBe(thousand);
    expect(operationCost(page('$n'), { n: 10 })).toBe(ten);
    expect(
      operationCost(
        parse('query($n: Int = 1000) { records(datasheetId: "d", first: $n) { edges { node { id fields } } } }'),
      ),
    ).toBe(thousand);
    // A page asked beyond the maximum is priced at the maximum (and then refused by its resolver).
    expect(operationCost(page('100000'))).toBe(thousand);
    // Nested pages multiply: each record's history page counts per record page.
    const nested = (n: number) =>
      operationCost(
        parse(
          `{ records(datasheetId: "d", first: ${n}) { edges { node { history(first: 1000) { nodes { at } } } } } }`,
        ),
      );
    expect(nested(1000)).toBeGreaterThan(nested(10) * 5);
  });

  it('refuses, before anything runs, a page the token’s budget cannot pay, while a short one passes', async () => {
    const created = await t.app.services.datasheets.create(
      { spaceId: t.spaceId, userId: (await t.app.services.tokens.authenticate(t.token)).userId },
      { name: 'Costly' },
    );
    // 25 spreads of a 5-field fragment: 128 points a row unit, so 10 rows fit an ENTERPRISE budget and 1,000 never do.
    const wide = (first: number) =>
      `{ records(datasheetId: "${created.id}", first: ${first}) { edges { node { ${'...R '.repeat(25)}} } } }
       fragment R on Record { id fields createdAt updatedAt revision }`;
    const short = await gql(t.url, wide(10), { token: t.token });
    expect(short.body.errors).toBeUndefined();
    const long = await gql(t.url, wide(1000), { token: t.token });
    expect(long.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(long.body.data ?? null).toBeNull();
  });
});

describe('GraphQL cost of list-answering mutations', () => {
  const records = (n: number) => Array.from({ length: n }, (_, i) => ({ fields: { Name: `m${i}` } }));
  const CREATE = `mutation($ds: ID!, $records: [RecordInput!]!) {
    createRecords(datasheetId: $ds, records: $records) { id fields createdAt updatedAt revision } }`;

  it('counts the answer once per 100 items of the input lists, like a page of `first` rows', () => {
    const create = (n: number) => operationCost(parse(CREATE), { ds: 'd', records: records(n) });
    expect(create(1)).toBe(create(100));
    expect(create(1000)).toBe(1 + 10 * 5);
    expect(create(1000)).toBeGreaterThan(create(10));
    // Inline lists count too, and so do updates, upserts, deletes and moves (a list of ids at least once a unit).
    const inline = (n: number) =>
      operationCost(
        parse(`mutation { createRecords(datasheetId: "d", records: [${'{ fields: {} } '.repeat(n)}]) { id } }`),
      );
    expect(inline(250)).toBe(1 + 3);
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `rec${i}`);
    const del = parse('mutation($ids: [ID!]!) { deleteRecords(datasheetId: "d", ids: $ids) }');
    expect(operationCost(del, { ids: ids(1) })).toBe(1);
    expect(operationCost(del, { ids: ids(1000) })).toBe(10);
    const move = parse('mutation($ids: [ID!]!) { moveRecords(ids: $ids, toDatasheetId: "d") { recordIds } }');
    expect(operationCost(move, { ids: ids(1000) })).toBe(1 + 10);
    for (const name of ['updateRecords', 'upsertRecords']) {
      const doc = parse(`mutation($r: [RecordInput!]!) { ${name}(datasheetId: "d", records: $r) { __typename } }`);
      expect(operationCost(doc, { r: records(1000) })).toBe(1 + 10);
    }
    // applyRecordChanges counts all its operations together.
    const apply = parse(`mutation($c: [RecordInput!], $d: [ID!]) {
      applyRecordChanges(datasheetId: "d", creates: $c, deletes: $d, updates: null) { deleted } }`);
    expect(operationCost(apply, { c: records(150), d: ids(150) })).toBe(1 + 3);
    expect(operationCost(apply, {})).toBe(1 + 1);
  });

  it('refuses, before anything runs, a 1,000-record createRecords a budget cannot pay, while 10 records pass', async () => {
    // Every plan: 1 × 40 points per minute. 10 records cost 6 points, 1,000 records 51.
    const limited = await startTestApp({
      RATE_LIMIT_QPS: 'FREE=1,PLUS=1,PRO=1,ENTERPRISE=1',
      GRAPHQL_COST_PER_REQUEST: '40',
      RATE_LIMIT_WINDOW_MS: '60000',
    });
    try {
      const ds = await limited.app.services.datasheets.create(await ownerScope(limited), {
        name: 'Metered',
        fields: [{ name: 'Name', type: 'SingleText', property: {} }],
      });
      const count = () => limited.app.prisma.record.count({ where: { datasheetId: ds.id } });
      const before = await count();
      const short = await gql(limited.url, CREATE, {
        token: limited.token,
        variables: { ds: ds.id, records: records(10) },
      });
      expect(short.body.errors).toBeUndefined();
      expect(await count()).toBe(before + 10);
      const long = await gql(limited.url, CREATE, {
        token: limited.token,
        variables: { ds: ds.id, records: records(1000) },
      });
      expect(long.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
      expect(long.body.data ?? null).toBeNull();
      expect(await count()).toBe(before + 10);
    } finally {
      await limited.close();
    }
  }, 60_000);
});

describe('request body size', () => {
  it('answers 413 to a body declared over the cap before reading it, and keeps serving', async () => {
    const res = await rawRequest(t.url, {
      method: 'POST',
      path: '/graphql',
      headers: { 'content-type': 'application/json', 'content-length': MAX_GRAPHQL_BODY_BYTES + 1 },
      body: '{"query":"',
      end: false,
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.text)).toEqual({
      errors: [
        {
          message: 'The request body is larger than 10 MiB',
          extensions: { code: 'BAD_REQUEST', limit: MAX_GRAPHQL_BODY_BYTES },
        },
      ],
    });
    const after = await gql(t.url, '{ me { user { id } } }', { token: t.token });
    expect(after.body.errors).toBeUndefined();
  });

  it('answers 413 to a chunked or compressed body once it passes the cap (counted after inflating)', async () => {
    const big = JSON.stringify({
      query: '{ me { user { id } } }',
      variables: { pad: ' '.repeat(MAX_GRAPHQL_BODY_BYTES) },
    });
    const chunked = await rawRequest(t.url, {
      method: 'POST',
      path: '/graphql',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.token}` },
      body: big,
    });
    const gzipped = await rawRequest(t.url, {
      method: 'POST',
      path: '/graphql',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: `Bearer ${t.token}` },
      body: gzipSync(big),
    });
    for (const res of [chunked, gzipped]) {
      expect(res.status).toBe(413);
      expect(JSON.parse(res.text).errors[0]).toMatchObject({
        extensions: { code: 'BAD_REQUEST', limit: MAX_GRAPHQL_BODY_BYTES },
      });
    }
    const small = await rawRequest(t.url, {
      method: 'POST',
      path: '/graphql',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: `Bearer ${t.token}` },
      body: gzipSync(JSON.stringify({ query: '{ me { user { id } } }' })),
    });
    expect(JSON.parse(small.text)).toMatchObject({ data: { me: { user: { id: expect.any(String) } } } });
  });
});
