import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import {
  buildSchema,
  getNamedType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  type GraphQLField,
  type GraphQLInputType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/process.js';
import {
  brokenBody,
  deepJsonText,
  hostileFormula,
  hostileJson,
  hostileString,
  hugeArray,
  runs,
  wrongContentType,
} from './support/hostile.js';
import { databaseKind, probe, report, sha256, type Probe } from './support/probe.js';
import { leakIn, logOutput, startServerProcess, type ServerProcess } from './support/server.js';

/**
 * Every root operation of graphql/schema.graphql, called with generated hostile arguments (as variables and
 * as literals), plus hostile documents and bodies, against the real server process: never a 5xx, an
 * unexpected (masked) error, a hang or a leak; afterwards the process is alive and the datasheet unchanged.
 */
const schema = buildSchema(readFileSync(path.join(ROOT, 'graphql/schema.graphql'), 'utf8'));
type Root = { kind: 'query' | 'mutation'; field: GraphQLField<unknown, unknown> };
const ROOTS: Root[] = [
  ...Object.values(schema.getQueryType()!.getFields()).map((field) => ({ kind: 'query' as const, field })),
  ...Object.values(schema.getMutationType()!.getFields()).map((field) => ({ kind: 'mutation' as const, field })),
];

let s: ServerProcess;
let dst: string;
const ids: string[] = [];
let tried = 0;
const failures: string[] = [];

const gql = async <T>(query: string, variables?: unknown) => {
  const res = await fetch(`${s.url}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data: T; errors?: unknown[] };
};

async function checksum(): Promise<string> {
  const sheet = await gql(
    `query($id: ID!) { datasheet(id: $id) { name fields { id name type property } views { id name filter sort hiddenFieldIds fieldOrder }
       records(first: 1000) { edges { node { id revision fields } } } } spaces { id name datasheets { id name } } }`,
    { id: dst },
  );
  return sha256(sheet);
}
let before: string;

beforeAll(async () => {
  s = await startServerProcess();
  const created = await gql<{ createDatasheet: { id: string } }>(
    `mutation($space: ID!) { createDatasheet(input: { spaceId: $space, name: "Target", fields: [
       { name: "Name", type: "SingleText", property: {} }, { name: "Qty", type: "Number", property: { precision: 0 } },
       { name: "When", type: "DateTime", property: { dateFormat: "YYYY-MM-DD", includeTime: true } } ] }) { id } }`,
    { space: s.spaceId },
  );
  dst = created.data.createDatasheet.id;
  const records = Array.from({ length: 50 }, (_, i) => ({
    fields: { Name: `r${i}`, Qty: i, When: '2024-02-29T12:00:00Z' },
  }));
  const made = await gql<{ createRecords: { id: string }[] }>(
    'mutation($ds: ID!, $r: [RecordInput!]!) { createRecords(datasheetId: $ds, records: $r) { id } }',
    { ds: dst, r: records },
  );
  ids.push(...made.data.createRecords.map((r) => r.id));
  before = await checksum();
}, 300_000);

afterAll(async () => {
  report({
    suite: 'fuzz: GraphQL operations',
    database: databaseKind(),
    cases: tried,
    failures: failures.length,
    note: failures[0]?.slice(0, 200),
  });
  await s?.dispose();
});

/** Mutations whose real target would change the datasheet: their ids are never the real ones. */
const NEVER_REAL = new Set(['deleteDatasheet', 'updateDatasheet', 'createView']);

/** A value for an argument of `type`: sometimes well-typed (real ids, poisoned records), mostly hostile. */
function argument(root: Root, name: string, type: GraphQLInputType, depth = 0): fc.Arbitrary<unknown> {
  const inner = isNonNullType(type) ? type.ofType : type;
  const hostile = fc.oneof({ arbitrary: hostileJson, weight: 3 }, { arbitrary: hugeArray, weight: 1 });
  if (isListType(inner)) {
    const item = argument(root, name, inner.ofType as GraphQLInputType, depth + 1);
    if (name === 'records' || name === 'creates' || name === 'updates') {
      return fc.oneof(
        hostile,
        fc.tuple(fc.array(item, { maxLength: 8 }), fc.nat()).map(([list, at]) => {
          // One record no write can take, wherever it sits: nothing of the batch may be written.
          list.splice(at % (list.length + 1), 0, { id: 'recNoSuchRecord0', fields: { 'No such field': 1 } });
          return list;
        }),
      );
    }
    return fc.oneof(hostile, fc.array(item, { maxLength: 6 }));
  }
  const named = getNamedType(inner);
  if (name === 'datasheetId' && !NEVER_REAL.has(root.field.name)) {
    return fc.oneof({ arbitrary: fc.constant(dst as unknown), weight: 3 }, hostile);
  }
  if (name === 'filterByFormula') return fc.oneof(hostileFormula, hostile);
  if (name === 'id' && root.kind === 'query')
    return fc.oneof(fc.constantFrom<unknown>(...ids.slice(0, 3), dst), hostile);
  if (isInputObjectType(named) && depth < 3) {
    const fields = Object.values(named.getFields());
    return fc.oneof(
      hostile,
      fc.record(Object.fromEntries(fields.map((f) => [f.name, argument(root, f.name, f.type, depth + 1)])), {
        requiredKeys: [],
      }),
    );
  }
  if (isLeafType(named)) return hostile;
  return hostile;
}

/** The smallest selection of a field's type: __typename for objects, nothing for scalars and enums. */
const selection = (root: Root) => (isLeafType(getNamedType(root.field.type)) ? '' : ' { __typename }');

function operationRequest(root: Root): fc.Arbitrary<Probe> {
  const args = root.field.args;
  return fc
    .record({
      values: fc.tuple(...args.map((a) => argument(root, a.name, a.type))),
      omit: fc.array(fc.boolean(), { minLength: args.length, maxLength: args.length }),
      literal: fc.boolean(),
      extra: fc.option(
        hostileString.map((x) => x.replace(/[^A-Za-z_]/g, '') || 'bogus'),
        { freq: 4 },
      ),
    })
    .map(({ values, omit, literal, extra }) => {
      const used = args.filter((_, i) => !omit[i] || isNonNullType(args[i]!.type) === false);
      const kept = args.map((a, i) => ({ a, v: values[i] })).filter(({ a }, i) => !omit[i] || !used.includes(a));
      const list = kept.map(({ a, v }) =>
        literal ? `${a.name}: ${JSON.stringify(v ?? null).replace(/"(\w+)":/g, '$1:')}` : `${a.name}: $${a.name}`,
      );
      if (extra) list.push(`${extra}: 1`);
      const defs = literal ? '' : kept.map(({ a }) => `$${a.name}: ${a.type.toString()}`).join(', ');
      const query = `${root.kind}${defs ? `(${defs})` : ''} { ${root.field.name}${list.length ? `(${list.join(', ')})` : ''}${selection(root)} }`;
      const variables = literal ? undefined : Object.fromEntries(kept.map(({ a, v }) => [a.name, v]));
      return gqlProbe(JSON.stringify({ query, variables }));
    });
}

const gqlProbe = (body: string | Buffer, headers: Record<string, string> = {}): Probe => ({
  method: 'POST',
  path: '/graphql',
  headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json', ...headers },
  body,
});

const UNEXPECTED = new Set(['INTERNAL_SERVER_ERROR', undefined]);

function judge(request: Probe, status: number, text: string): string | undefined {
  if (status >= 500) return `HTTP ${status}: ${text.slice(0, 300)}`;
  // Closed without an answer: acceptable only for a large body refused before it was read.
  if (status === 0) return (request.body?.length ?? 0) > 65_536 ? undefined : 'the connection closed without an answer';
  const leak = leakIn(text, [s.token]);
  if (leak) return `leaks ${leak}`;
  // A CORS preflight (OPTIONS) answers 204 without a body.
  if (!text) return status >= 400 || status === 204 ? undefined : `HTTP ${status} with an empty body`;
  let body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return `HTTP ${status}: not JSON: ${text.slice(0, 200)}`;
  }
  for (const error of body.errors ?? []) {
    if (
      error.message === 'Unexpected error.' ||
      (UNEXPECTED.has(error.extensions?.code) &&
        !/Syntax Error|Variable|Field|Argument|Unknown|Expected|Cannot|must|Int cannot|String cannot|ID cannot|Float cannot|Boolean cannot|JSON|DateTime|Enum|not defined|provided|invalid|not configured/i.test(
          error.message,
        ))
    )
      return `unexpected error: ${error.message} ${JSON.stringify(error.extensions ?? {})}`;
  }
  const isMutation = typeof request.body === 'string' && /^\{"query":"mutation/.test(request.body);
  // A mutation that writes nothing of the data (a download link for an export) may succeed on a real datasheet.
  const harmless =
    typeof request.body === 'string' && /^\{"query":"mutation[^{]*\{ exportDatasheet\(/.test(request.body);
  if (
    isMutation &&
    !harmless &&
    body.data &&
    Object.values(body.data).some((v) => v !== null) &&
    !body.errors?.length
  ) {
    const data = JSON.stringify(body.data);
    // An empty list written is nothing written; anything else must have been refused.
    if (!/^\{"\w+":\[\]\}$|^\{"__typename":"Mutation"\}$/.test(data))
      return `a hostile mutation succeeded: ${data.slice(0, 200)}`;
  }
  return undefined;
}

async function check(request: Probe): Promise<void> {
  tried++;
  let problem: string | undefined;
  try {
    const answer = await probe(s.url, request);
    problem = judge(request, answer.status, answer.text);
  } catch (error) {
    problem = (error as Error).message;
  }
  if (problem) {
    const shown = String(request.body ?? '').slice(0, 400);
    failures.push(`${shown}: ${problem}`);
    expect.fail(`${shown} → ${problem}`);
  }
}

const fuzz = (arbitrary: fc.Arbitrary<Probe>, numRuns: number) =>
  fc.assert(fc.asyncProperty(arbitrary, check), { numRuns, endOnFailure: true });

describe('every GraphQL root operation under hostile arguments', () => {
  it('covers every root field of the schema', () => {
    expect(ROOTS.length).toBeGreaterThanOrEqual(25);
  });

  it.each(ROOTS.map((r) => [`${r.kind} ${r.field.name}`, r] as const))(
    '%s answers hostile arguments with errors it names',
    async (_name, root) => {
      await fuzz(operationRequest(root), runs(25));
    },
    300_000,
  );
});

describe('hostile documents and bodies', () => {
  it('answers random and malformed documents, deep nesting and huge literals with a client error', async () => {
    const documents = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc
        .integer({ min: 16, max: 20_000 })
        .map((n) => `{ ${'spaces { datasheets { space { '.repeat(n)}id${' } } }'.repeat(n)} }`),
      fc
        .integer({ min: 31, max: 5_000 })
        .map((n) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: me { user { id } }`).join(' ')} }`),
      fc
        .integer({ min: 10_000, max: 2_000_000 })
        .map((n) => `{ records(datasheetId: "${'x'.repeat(n)}") { totalCount } }`),
      fc
        .integer({ min: 10, max: 100_000 })
        .map((n) => `{ records(datasheetId: "d", first: ${'9'.repeat(n)}) { totalCount } }`),
      fc
        .integer({ min: 100, max: 100_000 })
        .map((n) => `query { records(datasheetId: "d", sort: ${'['.repeat(n)}${']'.repeat(n)}) { totalCount } }`),
      fc.constantFrom(
        'subscription { x }',
        '{ __schema { types { fields { type { ofType { ofType { ofType { ofType { name } } } } } } } } }',
        'query A { me { user { id } } } query A { me { user { id } } }',
        'fragment F on Query { ...F } { ...F }',
        '{ me @skip(if: $x) { user { id } } }',
        '{ ... on Mutation { createRecords } }',
        'mutation { __typename }',
      ),
    );
    await fuzz(
      documents.map((query) => gqlProbe(JSON.stringify({ query }))),
      runs(100),
    );
  }, 300_000);

  it('answers broken bodies, wrong content types, deep variables and non-POST methods with a client error', async () => {
    const requests = fc.oneof(
      brokenBody.map((b) => gqlProbe(b)),
      fc
        .tuple(wrongContentType, fc.jsonValue())
        .map(([type, v]) =>
          gqlProbe(JSON.stringify({ query: '{ me { user { id } } }', variables: v }), { 'content-type': type }),
        ),
      deepJsonText.map((deep) =>
        gqlProbe(
          `{"query":"query($r: [RecordInput!]!) { createRecords(datasheetId: \\"${dst}\\", records: $r) { id } }","variables":{"r":[{"fields":{"Name":${deep}}}]}}`,
        ),
      ),
      deepJsonText.map((deep) =>
        gqlProbe(`{"query":"{ me { user { id } } }","variables":${deep},"extensions":${deep}}`),
      ),
      fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS').map((method) => ({
        ...gqlProbe(''),
        method,
        path: `/graphql?query=${encodeURIComponent('mutation { deleteDatasheet(id: "x") { id } }')}`,
        body: undefined,
      })),
      hostileJson.map((v) => gqlProbe(JSON.stringify(v) ?? 'null')),
    );
    await fuzz(requests, runs(120));
  }, 300_000);
});

describe('after the hostile calls', () => {
  it('the process is alive and serving, and the datasheet is exactly as before', async () => {
    expect(s.current().child.exitCode).toBeNull();
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    expect(await checksum()).toBe(before);
  });

  it('its log holds no failure, stack, SQL or token, and it wrote nothing else', async () => {
    const { json, other } = logOutput(s.output());
    const failed = json.filter((line) => (JSON.parse(line) as { level: number }).level >= 50);
    expect(failed.slice(0, 5)).toEqual([]);
    expect(
      json
        .map((line) => leakIn(line, [s.token]))
        .filter(Boolean)
        .slice(0, 5),
    ).toEqual([]);
    expect(other.slice(0, 5)).toEqual([]);
  });
});
