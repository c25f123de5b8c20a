import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, NOT_UTF8_MESSAGE, TOO_DEEP_MESSAGE } from '../../src/http/json-depth.js';
import { ownerScope, startTestApp, type TestApp } from '../support/app.js';
import { onPostgres } from '../support/database.js';
import { fusion } from '../support/fusion.js';
import { gql } from '../support/graphql.js';
import { rawRequest } from '../support/raw-http.js';

/**
 * Resource limits that the other suites do not cover (body size, GraphQL depth/cost/aliases and formula
 * length/depth are in test/fusion/hostile-http, test/graphql/limits and test/fusion/formula-limits): slow
 * clients, requests in flight per token, JSON nesting, upload size over HTTP, and the statement timeout of a
 * compiled formula. Each over real HTTP.
 */
let t: TestApp;
let dst: string;

beforeAll(async () => {
  t = await startTestApp({
    RATE_LIMIT: 'off',
    HTTP_HEADERS_TIMEOUT_MS: '500',
    HTTP_REQUEST_TIMEOUT_MS: '6000',
    MAX_CONCURRENT_REQUESTS_PER_TOKEN: '3',
  });
  const sheet = await t.app.services.datasheets.create(await ownerScope(t), {
    name: 'Limits',
    fields: [{ name: 'Name', type: 'SingleText', property: {} }],
  });
  dst = sheet.id;
}, 300_000);
afterAll(async () => {
  await t?.close();
});

/** Opens a raw connection, writes `first`, then trickles `drip` every 100 ms; resolves with what the server sent once it closed. */
function trickle(first: string, drip: string): Promise<{ received: string; drips: number }> {
  const url = new URL(t.url);
  return new Promise((resolve) => {
    let received = '';
    let drips = 0;
    const socket = net.connect(Number(url.port), url.hostname, () => socket.write(first));
    const timer = setInterval(() => {
      drips++;
      if (!socket.destroyed) socket.write(drip);
    }, 100);
    socket.on('data', (chunk) => (received += chunk.toString()));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ received, drips });
    });
  });
}

describe('slow clients (slowloris)', () => {
  it('closes a connection whose headers never finish, however steadily they trickle in', async () => {
    const { received, drips } = await trickle('GET /healthz HTTP/1.1\r\nHost: x\r\n', 'X-Slow: 1\r\n');
    // The server cut it while the client was still sending headers: it never had to finish them.
    expect(drips).toBeGreaterThan(0);
    // Node refuses the unfinished header block (400 or 408, Connection: close) or just closes.
    expect(received, received).toMatch(/^$|^HTTP\/1\.1 40[08] /);
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });

  it('answers 408 and closes a request whose body trickles in past the request timeout', async () => {
    const { received } = await trickle(
      `POST /fusion/v1/datasheets/${dst}/records HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t.token}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"records":[',
      ' ',
    );
    expect(received === '' || received.startsWith('HTTP/1.1 408')).toBe(true);
    expect(await t.app.prisma.record.count({ where: { datasheetId: dst } })).toBe(0);
  });
});

describe('requests in flight per token', () => {
  it('answers 429 at once past the cap, in each transport’s shape, and frees the slot when a request ends', async () => {
    const held = Array.from({ length: 3 }, () =>
      rawRequest(t.url, {
        method: 'POST',
        path: `/fusion/v1/datasheets/${dst}/records`,
        headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json', 'content-length': 50_000 },
        body: '{"records":[',
        end: false,
      }).catch(() => undefined),
    );
    // The held requests are in flight once the server has them (each waits for its body).
    let rest = await fusion(t.url, 'GET', '/v1/spaces', { token: t.token });
    while (rest.status !== 429) {
      await new Promise((r) => setTimeout(r, 50));
      rest = await fusion(t.url, 'GET', '/v1/spaces', { token: t.token });
    }
    expect([rest.status, rest.headers.get('retry-after'), rest.body]).toEqual([
      429,
      '1',
      {
        success: false,
        code: 429,
        message: 'Too many requests in flight for this token (at most 3 at once); wait for some to finish',
      },
    ]);
    const graphql = await gql(t.url, '{ spaces { id } }', { token: t.token });
    expect([graphql.status, graphql.body.errors?.[0]?.extensions]).toEqual([429, { code: 'RATE_LIMITED', limit: 3 }]);
    // Another token is not held back by this one.
    const other = await t.app.services.tokens.create({ spaceId: t.spaceId, name: 'other' });
    expect((await fusion(t.url, 'GET', '/v1/spaces', { token: other.secret })).status).toBe(200);
    // The held requests end (the request timeout cuts their bodies): the token is served again.
    await Promise.all(held);
    expect((await fusion(t.url, 'GET', '/v1/spaces', { token: t.token })).status).toBe(200);
  });
});

describe('JSON nesting', () => {
  const deep = (levels: number) => `${'['.repeat(levels)}"x"${']'.repeat(levels)}`;

  it(`refuses a body nested deeper than ${MAX_JSON_DEPTH} levels before walking it, on REST and GraphQL`, async () => {
    for (const levels of [MAX_JSON_DEPTH + 1, 200_000]) {
      const body = `{"records":[{"fields":{"Name":${deep(levels)}}}]}`;
      const rest = await fusion(t.url, 'POST', `/v1/datasheets/${dst}/records`, { token: t.token, body });
      expect([rest.status, rest.body]).toEqual([400, { success: false, code: 400, message: TOO_DEEP_MESSAGE }]);
      // A NUL at the bottom used to send the NUL search down every level, past the stack.
      const nul = `{"records":[{"fields":{"Name":${deep(levels).replace('"x"', '"\\u0000"')}}}]}`;
      expect(
        (await fusion(t.url, 'PATCH', `/v1/datasheets/${dst}/records`, { token: t.token, body: nul })).status,
      ).toBe(400);
      const res = await fetch(`${t.url}/graphql`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
        body: `{"query":"query($v: [RecordInput!]!) { __typename }","variables":{"v":${deep(levels)}}}`,
      });
      expect([res.status, await res.json()]).toEqual([
        400,
        { errors: [{ message: TOO_DEEP_MESSAGE, extensions: { code: 'BAD_REQUEST' } }] },
      ]);
    }
    expect(await t.app.prisma.record.count({ where: { datasheetId: dst } })).toBe(0);
    // Nesting within the limit is read as usual (and refused by the field, naming it).
    const within = await fusion(t.url, 'POST', `/v1/datasheets/${dst}/records`, {
      token: t.token,
      body: `{"records":[{"fields":{"Name":${deep(MAX_JSON_DEPTH - 4)}}}]}`,
    });
    expect(within.body).toMatchObject({ success: false, code: 400 });
    expect(within.body.message).toContain('Name');
  });
});

describe('invalid UTF-8', () => {
  it('refuses a JSON body that is not valid UTF-8 instead of storing U+FFFD, on REST and GraphQL', async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"records":[{"fields":{"Name":"'),
      Buffer.from([0xe0, 0x7d, 0xc0]),
      Buffer.from('"}}]}'),
    ]);
    const rest = await rawRequest(t.url, {
      method: 'POST',
      path: `/fusion/v1/datasheets/${dst}/records`,
      headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
      body: bytes,
    });
    expect([rest.status, JSON.parse(rest.text)]).toEqual([
      400,
      { success: false, code: 400, message: NOT_UTF8_MESSAGE },
    ]);
    const graphql = await rawRequest(t.url, {
      method: 'POST',
      path: '/graphql',
      headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
      body: Buffer.concat([
        Buffer.from('{"query":"{ me { user { id } } }","x":"'),
        Buffer.from([0xff]),
        Buffer.from('"}'),
      ]),
    });
    expect([graphql.status, JSON.parse(graphql.text)]).toEqual([
      400,
      { errors: [{ message: NOT_UTF8_MESSAGE, extensions: { code: 'BAD_REQUEST' } }] },
    ]);
    expect(await t.app.prisma.record.count({ where: { datasheetId: dst } })).toBe(0);
  });
});

describe('upload size', () => {
  it('refuses a file past the space’s capacity, multipart and pre-signed alike, storing nothing', async () => {
    await t.app.prisma.space.update({ where: { id: t.spaceId }, data: { attachmentCapacity: 1_000n } });
    try {
      const count = () => t.app.prisma.attachment.count();
      const before = await count();
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(2_000)]), 'big.bin');
      const multipart = await fusion(t.url, 'POST', `/v1/datasheets/${dst}/attachments`, {
        token: t.token,
        body: form,
      });
      expect(multipart.body).toMatchObject({ success: false, code: 426 });
      const issued = await fusion<{ results: { uploadUrl: string }[] }>(
        t.url,
        'GET',
        `/v1/datasheets/${dst}/attachments/presignedUrl`,
        { token: t.token },
      );
      const put = await fetch(issued.body.data!.results[0]!.uploadUrl.replace(/^https?:\/\/[^/]+/, t.url), {
        method: 'PUT',
        body: new Uint8Array(2_000),
      });
      expect(await put.json()).toMatchObject({ success: false, code: 426 });
      expect(await count()).toBe(before);
    } finally {
      await t.app.prisma.space.update({ where: { id: t.spaceId }, data: { attachmentCapacity: null } });
    }
  });

  it('refuses an upload declared larger than any file may be before reading it, multipart and pre-signed', async () => {
    const count = () => t.app.prisma.attachment.count();
    const before = await count();
    const huge = 4 * 1024 ** 3;
    const multipart = await rawRequest(t.url, {
      method: 'POST',
      path: `/fusion/v1/datasheets/${dst}/attachments`,
      headers: {
        authorization: `Bearer ${t.token}`,
        'content-type': 'multipart/form-data; boundary=X',
        'content-length': huge,
      },
      body: '--X\r\nContent-Disposition: form-data; name="file"; filename="huge.bin"\r\n\r\nabc',
      end: false,
    });
    const tooLarge = { success: false, code: 400, message: 'The attachment size exceeds 1 GB' };
    expect([multipart.status, JSON.parse(multipart.text)]).toEqual([200, tooLarge]);
    const issued = await fusion<{ results: { uploadUrl: string }[] }>(
      t.url,
      'GET',
      `/v1/datasheets/${dst}/attachments/presignedUrl`,
      { token: t.token },
    );
    const put = await rawRequest(t.url, {
      method: 'PUT',
      path: new URL(issued.body.data!.results[0]!.uploadUrl).pathname,
      headers: { 'content-length': huge },
      body: 'abc',
      end: false,
    });
    expect([put.status, JSON.parse(put.text)]).toEqual([200, tooLarge]);
    expect(await count()).toBe(before);
  });
});

describe.skipIf(!onPostgres())('formula evaluation budget (PostgreSQL statement timeout)', () => {
  it('cancels a compiled formula that runs past the statement timeout: 503 naming no SQL, and keeps serving', async () => {
    const slow = await startTestApp({ RATE_LIMIT: 'off', DATABASE_STATEMENT_TIMEOUT_MS: '300' });
    try {
      const sheet = await slow.app.services.datasheets.create(await ownerScope(slow), {
        name: 'Slow',
        fields: [{ name: 'Name', type: 'SingleText', property: {} }],
      });
      for (let i = 0; i < 3; i++) {
        await gql(
          slow.url,
          'mutation($ds: ID!, $r: [RecordInput!]!) { createRecords(datasheetId: $ds, records: $r) { id } }',
          {
            token: slow.token,
            variables: {
              ds: sheet.id,
              r: Array.from({ length: 1000 }, (_, j) => ({ fields: { Name: `n${i}-${j}` } })),
            },
          },
        );
      }
      const formula = 'LEN(SUBSTITUTE(REPT({Name} & "ab", 40000), "a", "xy")) = 1';
      const res = await fusion(
        slow.url,
        'GET',
        `/v1/datasheets/${sheet.id}/records?filterByFormula=${encodeURIComponent(formula)}`,
        { token: slow.token },
      );
      expect([res.status, res.body]).toEqual([
        503,
        {
          success: false,
          code: 503,
          message: 'The database took too long to answer; try again or narrow the request',
        },
      ]);
      expect(
        (await fusion(slow.url, 'GET', `/v1/datasheets/${sheet.id}/records?pageSize=1`, { token: slow.token })).status,
      ).toBe(200);
    } finally {
      await slow.close();
    }
  }, 120_000);
});
