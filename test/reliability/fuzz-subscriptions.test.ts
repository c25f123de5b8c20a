import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../support/live.js';
import { hostileJson, hostileString, pct, runs } from './support/hostile.js';
import { limitAdmits } from './support/listeners.js';
import { streamCase, wsCase, type StreamAnswer, type WsAnswer } from './support/live-probe.js';
import { databaseKind, report } from './support/probe.js';
import { leakIn, logOutput, startServerProcess, type ServerProcess } from './support/server.js';
import { openSockets } from './support/sockets.js';

/**
 * The subscriptions (recordsChanged, datasheetChanged over graphql-ws and over GraphQL SSE) and the REST event
 * stream, called with hostile documents, arguments, connection parameters and resume positions against the real
 * server process: a clear error (a protocol close code, a GraphQL error with a code, a 4xx), never a crash, a
 * masked error or a leak; afterwards no socket is left open and the per-token subscription limit (set low) lets
 * exactly as many new subscriptions open as before: the hostile ones released their slots.
 */
const LIMIT = 3;
/** A garbage token in the shape of a real one: it must not be echoed either. */
const FAKE = `tbk_${'Zq9'.repeat(12)}`;
let s: ServerProcess;
let dst: string;
let tried = 0;
const failures: string[] = [];

beforeAll(async () => {
  s = await startServerProcess({ SUBSCRIPTIONS_PER_TOKEN: String(LIMIT) });
  const res = await fetch(`${s.url}/fusion/v1/spaces/${s.spaceId}/datasheets`, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Live', fields: [{ name: 'Name', type: 'SingleText', property: {} }] }),
  });
  dst = ((await res.json()) as { data: { id: string } }).data.id;
  await write('seed');
}, 300_000);
afterAll(async () => {
  await s?.dispose();
});

async function write(name: string) {
  const res = await fetch(`${s.url}/fusion/v1/datasheets/${dst}/records`, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ records: [{ fields: { Name: name } }] }),
  });
  expect(res.status).toBe(200);
}

/** graphql-ws's own refusals: bad request, unauthorized, forbidden, too many inits, message too big. */
const CLIENT_CLOSES = new Set([1000, 1009, 4400, 4401, 4403, 4409, 4429]);
const secrets = () => [s.token, FAKE];

function judgeWs(answer: WsAnswer): string | undefined {
  const messages = answer.messages as { type?: string; payload?: { errors?: { extensions?: { code?: string } }[] } }[];
  const result = messages.find((m) => m?.type === 'next' || m?.type === 'error') ?? messages.at(-1);
  const code = result?.payload?.errors?.[0]?.extensions?.code;
  tally(`ws ${answer.byServer ? `close ${answer.code}` : (result?.type ?? 'no message')}${code ? ` ${code}` : ''}`);
  const all = JSON.stringify(answer.messages) + answer.reason;
  const leak = leakIn(all, secrets());
  if (leak) return `leaks ${leak}`;
  if (answer.byServer && !CLIENT_CLOSES.has(answer.code)) return `closed with ${answer.code} ${answer.reason}`;
  for (const m of answer.messages as { type?: string; payload?: unknown }[]) {
    if (typeof m !== 'object' || m === null) return `sent a non-JSON frame ${String(m).slice(0, 100)}`;
    if (m.type === 'error') {
      const errors = m.payload as { message?: unknown }[];
      if (!Array.isArray(errors) || errors.some((e) => typeof e.message !== 'string' || e.message === ''))
        return `an error without a message: ${JSON.stringify(m).slice(0, 200)}`;
    }
    if (m.type === 'next') {
      const errors = (m.payload as { errors?: { extensions?: { code?: string } }[] }).errors ?? [];
      const bad = errors.find((e) => !e.extensions?.code || e.extensions.code === 'INTERNAL_SERVER_ERROR');
      if (bad) return `an error without a client code: ${JSON.stringify(bad).slice(0, 200)}`;
    }
  }
  return undefined;
}

function judgeStream(answer: StreamAnswer): string | undefined {
  tally(
    `http ${answer.status}${/"code":"([A-Z_]+)"/.exec(answer.text)?.[1] ? ` ${/"code":"([A-Z_]+)"/.exec(answer.text)![1]}` : ''}`,
  );
  const leak = leakIn(answer.text, secrets());
  if (leak) return `leaks ${leak}`;
  if (answer.status === 0 || answer.status >= 500) return `answered ${answer.status}: ${answer.text.slice(0, 200)}`;
  if (answer.text.includes('INTERNAL_SERVER_ERROR')) return `a masked error: ${answer.text.slice(0, 200)}`;
  // Node's own refusals of an oversized head (414, 431) come before any route and carry no body.
  if (answer.status >= 400 && ![414, 431].includes(answer.status) && !/"(code|message)"/.test(answer.text))
    return `a ${answer.status} without a named error: ${answer.text.slice(0, 200)}`;
  return undefined;
}

/** How the cases ended (close codes, error codes, statuses): printed with the summary, to see what was reached. */
const outcomes = new Map<string, number>();
const tally = (outcome: string) => outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);

async function fuzz<T>(cases: fc.Arbitrary<T>, numRuns: number, run: (c: T) => Promise<string | undefined>) {
  try {
    await fc.assert(
      fc.asyncProperty(cases, async (c) => {
        tried++;
        const failure = await run(c);
        if (failure) failures.push(`${JSON.stringify(c).slice(0, 300)}: ${failure}`);
        expect(failure).toBeUndefined();
      }),
      { numRuns, endOnFailure: true },
    );
  } catch (error) {
    // The counterexample may be megabytes long: name it shortly.
    throw new Error(failures.at(-1) ?? String(error).slice(0, 2_000));
  }
}

const id = fc.oneof(
  { arbitrary: fc.constant('DST'), weight: 3 },
  { arbitrary: hostileString, weight: 2 },
  { arbitrary: hostileJson, weight: 1 },
);
const after = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom('0', '-1', '1', '1e3', '0x10', ' 1', '1.5', '18446744073709551616', '9'.repeat(400), ''),
  hostileString,
  hostileJson,
);
const RECORDS = 'recordsChanged(datasheetId: $id, viewId: $view, after: $after) { kind sequence recordIds }';
const documents = fc.oneof(
  { arbitrary: fc.constant(`subscription ($id: ID!, $view: ID, $after: String) { ${RECORDS} }`), weight: 4 },
  {
    arbitrary: fc.constant(
      'subscription ($id: ID!, $after: String) { datasheetChanged(datasheetId: $id, after: $after) { kind sequence } }',
    ),
    weight: 2,
  },
  fc.constantFrom(
    'subscription { recordsChanged(datasheetId: 123, after: {}) { kind } }',
    'subscription { recordsChanged(datasheetId: "x", after: [1]) { nope } }',
    'subscription { recordsChanged { kind } }',
    'subscription { datasheetChanged(datasheetId: null) { kind } }',
    'subscription A { datasheetChanged(datasheetId: "x") { kind } } subscription A { datasheetChanged(datasheetId: "x") { kind } }',
    'subscription { recordsChanged(datasheetId: "x") { kind } datasheetChanged(datasheetId: "x") { kind } }',
    '{ me { user { id } } }',
    'subscription { __typename }',
    'fragment F on Subscription { ...F } subscription { ...F }',
  ),
  fc
    .integer({ min: 6, max: 3_000 })
    .map(
      (n) =>
        `subscription { recordsChanged(datasheetId: "x") { records { ${'datasheet { space { datasheets { '.repeat(n)}id${' } } }'.repeat(n)} } } }`,
    ),
  fc
    .integer({ min: 1_000, max: 900_000 })
    .map((n) => `subscription { recordsChanged(datasheetId: "${'x'.repeat(n)}") { kind } }`),
  fc.string({ maxLength: 200 }),
);
const variables = fc
  .record({ id, view: fc.option(hostileString, { nil: undefined }), after })
  .map((v) => ({ ...v, id: v.id === 'DST' ? dst : v.id }));
const connectionParams = fc.oneof(
  { arbitrary: fc.constant('VALID'), weight: 4 },
  fc.constant({}),
  fc.constant(undefined),
  hostileString.map((t) => ({ authorization: `Bearer ${t}` })),
  fc.constantFrom({ authorization: FAKE }, { authorization: `Bearer ${FAKE}` }, { token: FAKE }, { token: 42 }),
  fc.integer({ min: 10_000, max: 2_000_000 }).map((n) => ({ authorization: `Bearer tbk_${'x'.repeat(n)}` })),
  hostileJson,
);

describe('graphql-ws', () => {
  it('answers hostile connection parameters, documents and arguments with a clear error', async () => {
    const init = connectionParams.map((p) =>
      JSON.stringify({ type: 'connection_init', payload: p === 'VALID' ? { authorization: `Bearer ${s.token}` } : p }),
    );
    const frames = fc.oneof(
      { arbitrary: init, weight: 8 },
      fc.string({ maxLength: 100 }),
      fc.constant(JSON.stringify({ type: 'subscribe', id: '1', payload: { query: '{ __typename }' } })),
    );
    const subscribes = fc
      .tuple(documents, variables, fc.oneof({ arbitrary: fc.constant('1'), weight: 5 }, hostileString, hostileJson))
      .map(([query, vars, opId]) =>
        JSON.stringify({ id: opId, type: 'subscribe', payload: { query, variables: vars } }),
      );
    await fuzz(fc.tuple(frames, subscribes), runs(150), async ([first, sub]) =>
      judgeWs(await wsCase(s.url, first, sub)),
    );
  }, 300_000);
});

describe('GraphQL over SSE', () => {
  it('answers hostile subscriptions and authorization with a status below 500 and a named error', async () => {
    const auth = fc.oneof(
      { arbitrary: fc.constant(`Bearer ${s.token}`), weight: 4 },
      fc.constantFrom('', `Bearer ${FAKE}`, 'Basic eDp5', 'Bearer'),
      fc.integer({ min: 100, max: 60_000 }).map((n) => `Bearer tbk_${'x'.repeat(n)}`),
    );
    const cases = fc.tuple(documents, variables, auth, fc.boolean()).map(([query, vars, authorization, post]) => {
      const headers: Record<string, string> = { accept: 'text/event-stream' };
      if (authorization) headers.authorization = authorization;
      if (post)
        return {
          method: 'POST',
          path: '/graphql',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify({ query, variables: vars }),
        };
      const qs = `query=${pct(query)}&variables=${pct(JSON.stringify(vars) ?? '')}`;
      return { method: 'GET', path: `/graphql?${qs}`, headers };
    });
    await fuzz(cases, runs(80), async (c) => judgeStream(await streamCase(s.url, c)));
  }, 300_000);
});

describe('GET /fusion/v1/datasheets/{id}/events', () => {
  it('answers hostile datasheet ids, `after` and Last-Event-ID with a 4xx or a stream', async () => {
    const headerValue = hostileString.map((v) => v.replace(/[^\x20-\x7e]/g, '').slice(0, 8_000));
    const cases = fc
      .record({
        sheet: fc.oneof({ arbitrary: fc.constant('DST'), weight: 3 }, hostileString),
        after: fc.option(
          fc.oneof(
            after.map((a) => (typeof a === 'string' ? a : (JSON.stringify(a) ?? ''))),
            headerValue,
          ),
          {
            nil: undefined,
          },
        ),
        lastEventId: fc.option(fc.oneof(fc.constantFrom('-1', 'abc', '1e9', '9'.repeat(300)), headerValue), {
          nil: undefined,
        }),
        valid: fc.boolean(),
      })
      .map(({ sheet, after: a, lastEventId, valid }) => {
        const headers: Record<string, string> = {
          accept: 'text/event-stream',
          authorization: `Bearer ${valid ? s.token : FAKE}`,
        };
        if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
        const target = sheet === 'DST' ? dst : pct(sheet.slice(0, 3_000));
        const query = a === undefined ? '' : `?after=${pct(a.slice(0, 3_000))}`;
        return { method: 'GET', path: `/fusion/v1/datasheets/${target}/events${query}`, headers };
      });
    await fuzz(cases, runs(80), async (c) => judgeStream(await streamCase(s.url, c)));
  }, 300_000);
});

describe('after the hostile calls', () => {
  it('leaves no socket open, and the subscription limit opens exactly as many new subscriptions', async () => {
    await until(() => openSockets(s.port) === 0, 'the hostile connections to close');
    expect(await limitAdmits(s.url, s.token, dst, LIMIT, () => write('probe'))).toEqual({
      admitted: LIMIT,
      refusedCode: 'LIMIT_EXCEEDED',
    });
    await until(() => openSockets(s.port) === 0, 'the probe connection to close');
  }, 120_000);

  it('is alive, and its log holds no failure, stack, SQL or token', async () => {
    report({
      suite: 'fuzz: subscriptions and event streams',
      database: databaseKind(),
      cases: tried,
      failures: failures.length,
      note: JSON.stringify(Object.fromEntries([...outcomes].sort((a, b) => b[1] - a[1]))),
    });
    expect(failures.slice(0, 5)).toEqual([]);
    expect(s.current().child.exitCode).toBeNull();
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    const { json, other } = logOutput(s.output());
    expect(json.filter((line) => (JSON.parse(line) as { level: number }).level >= 50).slice(0, 5)).toEqual([]);
    expect(
      json
        .map((line) => leakIn(line, secrets()))
        .filter(Boolean)
        .slice(0, 5),
    ).toEqual([]);
    expect(other.slice(0, 5)).toEqual([]);
  });
});
