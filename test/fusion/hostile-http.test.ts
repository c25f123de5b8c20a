import zlib from 'node:zlib';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_BODY_BYTES } from '../../rest/parse/json-body.js';
import { ownerScope, startTestApp, type TestApp } from '../support/app.js';
import { fusion } from '../support/fusion.js';
import { gql } from '../support/graphql.js';
import { abortedRequest, rawRequest, type RawRequest } from '../support/raw-http.js';

/** Requests from outside that are malformed, truncated, oversized or wrongly authenticated, sent over real HTTP. */
let t: TestApp;
let dst: string;
const logLines: string[] = [];

beforeAll(async () => {
  const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });
  t = await startTestApp({ RATE_LIMIT: 'off' }, { logger });
  const scope = await ownerScope(t);
  const sheet = await t.app.services.datasheets.create(scope, {
    name: 'Hostile',
    fields: [
      { name: 'Title', type: 'SingleText', property: {} },
      { name: 'Notes', type: 'Text' },
      { name: 'More', type: 'Text' },
    ],
  });
  dst = sheet.id;
});
afterAll(async () => {
  await t?.close();
});

const auth = () => ({ authorization: `Bearer ${t.token}` });
const send = (request: RawRequest) => rawRequest(t.url, request);
const envelope = (text: string) => JSON.parse(text) as { success: boolean; code: number; message: string };
/** Log lines of requests that failed unexpectedly (a 500 with its error logged). */
const unexpectedFailures = () =>
  logLines.filter((line) => line.includes('fusion request failed') || line.includes('"msg":"request failed"'));
const counts = async () => ({
  records: await t.app.prisma.record.count(),
  attachments: await t.app.prisma.attachment.count(),
});

async function stillServing(): Promise<void> {
  expect((await fusion(t.url, 'GET', '/v1/spaces', { token: t.token })).status).toBe(200);
}

const abortLines = () => logLines.filter((line) => line.includes('request aborted')).length;

/** Sends a request that stops part way, and waits (bounded only by the test timeout) until the server has logged it as aborted. */
async function abort(request: Parameters<typeof abortedRequest>[1]): Promise<void> {
  const before = abortLines();
  await abortedRequest(t.url, request);
  while (abortLines() === before) await new Promise((r) => setTimeout(r, 20));
}

const multipart = (body: string) => ({
  method: 'POST',
  path: `/fusion/v1/datasheets/${dst}/attachments`,
  headers: { ...auth(), 'content-type': 'multipart/form-data; boundary=X' },
  body,
});

describe('multipart uploads that are not whole', () => {
  it.each([
    ['no closing boundary', '--X\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nabc\r\n'],
    ['ends inside the part headers', '--X\r\nContent-Disposition: form-data; name="file"; filen'],
    ['ends inside the file', '--X\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nabcdef'],
  ])('%s: answers 400 naming file, stores nothing, and the server keeps serving', async (_name, body) => {
    const before = await counts();
    const res = await send(multipart(body));
    expect([res.status, envelope(res.text)]).toEqual([
      400,
      { success: false, code: 400, message: 'Invalid value for file: the request is not a complete multipart body' },
    ]);
    expect(await counts()).toEqual(before);
    await stillServing();
  });

  it('survives a client that drops the connection in the middle of the file', async () => {
    const before = await counts();
    const request = multipart('--X\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nabcdef');
    await abort({ ...request, headers: { ...request.headers, 'content-length': 10_000 } });
    await stillServing();
    expect(await counts()).toEqual(before);
    expect(unexpectedFailures()).toEqual([]);
  });

  it('refuses a pre-signed upload whose body ends early as the client fault, and leaves its slot unused', async () => {
    const issued = await fusion<{ results: { uploadUrl: string }[] }>(
      t.url,
      'GET',
      `/v1/datasheets/${dst}/attachments/presignedUrl`,
      { token: t.token },
    );
    const path = new URL(issued.body.data!.results[0]!.uploadUrl).pathname;
    const before = await counts();
    await abort({ method: 'PUT', path, headers: { 'content-length': 1_000 }, body: 'only part of it' });
    expect(await counts()).toEqual(before);
    expect(unexpectedFailures()).toEqual([]);
    const whole = await send({
      method: 'PUT',
      path,
      headers: { 'content-type': 'text/plain' },
      body: 'the whole file',
    });
    expect(envelope(whole.text)).toMatchObject({ success: true, code: 200 });
  });
});

describe('paths that cannot name anything', () => {
  const cases = (bad: string) => [
    ['GET', `/fusion/v1/datasheets/${bad}/views`, 'datasheetId'],
    ['GET', `/fusion/v1/datasheets/${bad}/records`, 'datasheetId'],
    ['POST', `/fusion/v1/datasheets/${bad}/records`, 'datasheetId'],
    ['GET', `/fusion/v1/spaces/spcAAAAAAAAAA/nodes/${bad}`, 'nodeId'],
    ['GET', `/fusion/v1/embed/${bad}`, 'linkId'],
    ['GET', `/fusion/v1/embed/${bad}/records`, 'linkId'],
    ['PUT', `/fusion/v1/uploads/${bad}`, 'uploadToken'],
    ['GET', `/attachments/spcAAAAAAAAAA/${bad}`, 'token'],
  ];
  it.each([
    ['not valid percent-encoding', '%E0%A4%A'],
    ['a NUL character', 'dst%00'],
  ])('a parameter that is %s answers 400 naming it, and writes nothing', async (problem, bad) => {
    const before = await counts();
    for (const [method, path, parameter] of cases(bad)) {
      const res = await send({
        method: method!,
        path: path!,
        headers: { ...auth(), 'content-type': 'application/json' },
        body: method === 'GET' ? undefined : '{"records":[{"fields":{"Title":"x"}}]}',
      });
      const message = `Invalid value for ${parameter}: it ${problem === 'a NUL character' ? 'contains a NUL character' : 'is not valid percent-encoding'}`;
      expect([method, path, res.status, envelope(res.text)]).toEqual([
        method,
        path,
        400,
        { success: false, code: 400, message },
      ]);
    }
    expect(await counts()).toEqual(before);
    expect(unexpectedFailures()).toEqual([]);
  });

  it('refuses NUL in a query parameter or anywhere in a JSON body, naming where it is', async () => {
    const before = await counts();
    const query = await send({
      method: 'GET',
      path: `/fusion/v1/datasheets/${dst}/records?recordIds=rec%00`,
      headers: auth(),
    });
    expect([query.status, envelope(query.text).message]).toEqual([
      400,
      'Invalid value for recordIds: it contains a NUL character',
    ]);
    const body = await fusion(t.url, 'POST', `/v1/datasheets/${dst}/records`, {
      token: t.token,
      body: { records: [{ fields: { Title: 'ok' } }, { fields: { Title: 'a\u0000b' } }] },
    });
    expect([body.status, body.body.message]).toEqual([
      400,
      'Invalid value for records[1].fields.Title: it contains a NUL character',
    ]);
    const name = await fusion(t.url, 'POST', `/v1/spaces/${t.spaceId}/datasheets`, {
      token: t.token,
      body: { name: 'x\u0000' },
    });
    expect([name.status, name.body.message]).toEqual([400, 'Invalid value for name: it contains a NUL character']);
    expect(await counts()).toEqual(before);
    expect(unexpectedFailures()).toEqual([]);
  });
});

describe('bodies that cannot be read', () => {
  const post = (headers: Record<string, string>, body: string | Buffer) =>
    send({
      method: 'POST',
      path: `/fusion/v1/datasheets/${dst}/records`,
      headers: { ...auth(), 'content-type': 'application/json', ...headers },
      body,
    });
  const records = JSON.stringify({ records: [{ fields: { Title: 'x' } }] });

  it.each([
    [
      'an unknown Content-Encoding',
      { 'content-encoding': 'zip' },
      records,
      415,
      'The request body has an unsupported Content-Encoding: send gzip, deflate, br or none',
    ],
    [
      'an unknown charset',
      { 'content-type': 'application/json; charset=klingon' },
      records,
      415,
      'The request body has an unsupported charset: send UTF-8',
    ],
    [
      'a truncated gzip body',
      { 'content-encoding': 'gzip' },
      zlib.gzipSync(records).subarray(0, 12),
      400,
      'The request body could not be decompressed as its Content-Encoding says',
    ],
    [
      'a gzip header over plain text',
      { 'content-encoding': 'gzip' },
      records,
      400,
      'The request body could not be decompressed as its Content-Encoding says',
    ],
  ] as const)(
    '%s is refused with its status in the envelope, and writes nothing',
    async (_name, headers, body, status, message) => {
      const before = await counts();
      const res = await post(headers, body);
      expect([res.status, envelope(res.text)]).toEqual([status, { success: false, code: status, message }]);
      expect(await counts()).toEqual(before);
      expect(unexpectedFailures()).toEqual([]);
    },
  );

  it('treats a body that stops short of its Content-Length as the client leaving, not a server error', async () => {
    await abort({
      method: 'POST',
      path: `/fusion/v1/datasheets/${dst}/records`,
      headers: { ...auth(), 'content-type': 'application/json', 'content-length': 500 },
      body: records,
    });
    await stillServing();
    expect(unexpectedFailures()).toEqual([]);
  });
});

describe('the token is checked before the body is read', () => {
  const path = () => `/fusion/v1/datasheets/${dst}/records`;

  it.each([
    ['no token', {}],
    ['an unknown token', { authorization: 'Bearer tbk_0000000000000000000000000000000000000000000' }],
  ])('with %s, answers 401 while the body is still arriving', async (_name, headers) => {
    const res = await send({
      method: 'POST',
      path: path(),
      headers: { ...headers, 'content-type': 'application/json', 'content-length': 5_000_000 },
      body: '{"records":[',
      end: false,
    });
    expect([res.status, envelope(res.text)]).toEqual([401, { success: false, code: 401, message: 'Unauthorized' }]);
  });

  it('never inflates a compressed body for a caller without a token', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(60 * 1024 * 1024, ' '));
    expect(bomb.length).toBeLessThan(100_000);
    const res = await send({
      method: 'POST',
      path: path(),
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: bomb,
    });
    expect(res.status).toBe(401);
  });

  it('caps a compressed body by its inflated size: 413 naming the body', async () => {
    const before = await counts();
    const bomb = zlib.gzipSync(Buffer.alloc(MAX_JSON_BODY_BYTES + 1, ' '));
    const res = await send({
      method: 'POST',
      path: path(),
      headers: { ...auth(), 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: bomb,
    });
    expect([res.status, envelope(res.text)]).toEqual([
      413,
      { success: false, code: 413, message: 'The request body is larger than 10 MiB' },
    ]);
    expect(await counts()).toEqual(before);
  });

  it('refuses a declared Content-Length over the cap before reading any of it', async () => {
    const res = await send({
      method: 'POST',
      path: path(),
      headers: { ...auth(), 'content-type': 'application/json', 'content-length': MAX_JSON_BODY_BYTES + 1 },
      end: false,
    });
    expect([res.status, envelope(res.text).code]).toEqual([413, 413]);
  });

  it('still takes the largest legal write: 10 records with two 100,000-character text cells each', async () => {
    const long = '表'.repeat(100_000);
    const records = Array.from({ length: 10 }, (_, i) => ({ fields: { Title: `r${i}`, Notes: long, More: long } }));
    const body = JSON.stringify({ records });
    expect(Buffer.byteLength(body)).toBeGreaterThan(5_000_000);
    const res = await fusion<{ records: unknown[] }>(t.url, 'POST', `/v1/datasheets/${dst}/records`, {
      token: t.token,
      body,
    });
    expect(res.body.success).toBe(true);
    expect(res.body.data!.records).toHaveLength(10);
  });
});

describe('the Authorization header', () => {
  it.each([
    ['two spaces', (token: string) => `Bearer  ${token}`],
    ['a trailing word', (token: string) => `Bearer ${token} extra`],
    ['a tab', (token: string) => `Bearer\t${token}`],
    ['a lower-case scheme (the reference wants "Bearer ")', (token: string) => `bearer ${token}`],
    ['no token', () => 'Bearer '],
  ])('with %s is refused as no token, on REST and GraphQL alike', async (_name, header) => {
    const rest = await fusion(t.url, 'GET', '/v1/spaces', { authorization: header(t.token) });
    expect([rest.status, rest.body]).toEqual([401, { success: false, code: 401, message: 'Unauthorized' }]);
    const graphql = (await gql(t.url, '{ spaces { id } }', { headers: { authorization: header(t.token) } })).body;
    expect(graphql.errors?.[0]?.extensions?.code).toBe('UNAUTHORIZED');
  });

  it('takes exactly "Bearer <token>"', async () => {
    expect((await fusion(t.url, 'GET', '/v1/spaces', { authorization: `Bearer ${t.token}` })).status).toBe(200);
  });
});
