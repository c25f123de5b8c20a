import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/process.js';
import {
  brokenBody,
  deepJsonText,
  hostileFormula,
  hostileJson,
  hostileString,
  hugeArray,
  pct,
  runs,
  traversal,
  wrongContentType,
} from './support/hostile.js';
import { databaseKind, probe, report, sha256, type Probe } from './support/probe.js';
import { leakIn, logOutput, startServerProcess, type ServerProcess } from './support/server.js';

/**
 * Every Fusion route of rest/openapi.json, called with generated hostile input against the real server
 * process: each answer is a clear 4xx or a business error (never a 5xx, never a hang), leaks nothing, and
 * afterwards the process is alive, its log holds no failure or leak, and the datasheet is unchanged.
 */
let s: ServerProcess;
let dst: string;
let scratch: string;
let linkId: string;
let fieldId: string;
const ids: string[] = [];
let tried = 0;
const failures: string[] = [];

const api = async <T>(method: string, route: string, body?: unknown) => {
  const res = await fetch(`${s.url}/fusion${route}`, {
    method,
    headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await res.json()) as { success: boolean; data: T };
};

/** Everything the hostile calls must leave as it was: the datasheet's records, fields, views, links and the space's nodes. */
async function checksum(): Promise<string> {
  return sha256([
    await api('GET', `/v1/datasheets/${dst}/records?pageSize=1000`),
    await api('GET', `/v1/datasheets/${dst}/fields`),
    await api('GET', `/v1/datasheets/${dst}/views`),
    await api('GET', `/v1/spaces/${s.spaceId}/nodes/${dst}/embedlinks`),
    await api('GET', `/v1/spaces/${s.spaceId}/nodes`),
  ]);
}
let before: string;

beforeAll(async () => {
  s = await startServerProcess();
  const fields = [
    { name: 'Name', type: 'SingleText', property: {} },
    { name: 'Qty', type: 'Number', property: { precision: 2 } },
    { name: 'When', type: 'DateTime', property: { dateFormat: 'YYYY-MM-DD', includeTime: true } },
    { name: 'Notes', type: 'Text' },
    { name: 'Tags', type: 'MultiSelect', property: { options: [{ name: 'a' }, { name: 'b' }] } },
  ];
  dst = (await api<{ id: string }>('POST', `/v1/spaces/${s.spaceId}/datasheets`, { name: 'Target', fields })).data.id;
  scratch = (await api<{ id: string }>('POST', `/v1/spaces/${s.spaceId}/datasheets`, { name: 'Scratch', fields })).data
    .id;
  for (const sheet of [dst, scratch]) {
    for (let batch = 0; batch < 2; batch++) {
      const records = Array.from({ length: 10 }, (_, i) => ({
        fields: { Name: `r${batch * 10 + i}`, Qty: i * 1.5, When: '2024-02-29T12:00:00Z', Notes: 'n', Tags: ['a'] },
      }));
      const created = await api<{ records: { recordId: string }[] }>('POST', `/v1/datasheets/${sheet}/records`, {
        records,
      });
      if (sheet === dst) ids.push(...created.data.records.map((r) => r.recordId));
    }
  }
  linkId = (await api<{ linkId: string }>('POST', `/v1/spaces/${s.spaceId}/nodes/${dst}/embedlinks`, {})).data.linkId;
  fieldId = (await api<{ fields: { id: string }[] }>('GET', `/v1/datasheets/${dst}/fields`)).data.fields[1]!.id;
  before = await checksum();
}, 300_000);

afterAll(async () => {
  report({
    suite: 'fuzz: Fusion routes',
    database: databaseKind(),
    cases: tried,
    failures: failures.length,
    note: failures[0]?.slice(0, 200),
  });
  await s?.dispose();
});

interface Route {
  method: string;
  template: string;
  hasBody: boolean;
}
const spec = JSON.parse(readFileSync(path.join(ROOT, 'rest/openapi.json'), 'utf8')) as {
  paths: Record<string, Record<string, { requestBody?: unknown }>>;
};
// The live event stream answers by staying open (it is fuzzed by its own suite, fuzz-subscriptions).
const ROUTES: Route[] = Object.entries(spec.paths)
  .filter(([template]) => !template.endsWith('/events'))
  .flatMap(([template, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method: method.toUpperCase(),
      template,
      hasBody: Boolean(op.requestBody) || ['POST', 'PUT', 'PATCH'].includes(method.toUpperCase()),
    })),
  );

/** A path parameter: usually the real id (so the route's own checks run), else hostile text or traversal. */
const param = (name: string, route: Route) => {
  // Deleting a real field, link or the datasheet itself would change what the checksum covers: never the real one.
  const destructive =
    route.method === 'DELETE' &&
    (name === 'fieldId' || name === 'linkId' || route.template === '/v1/datasheets/{datasheetId}');
  const valid: Record<string, () => string> = {
    datasheetId: () => dst,
    spaceId: () => s.spaceId,
    nodeId: () => dst,
    linkId: () => linkId,
    fieldId: () => fieldId,
    uploadToken: () => 'tbu_doesnotexist',
    recordId: () => ids[0] ?? 'recNoSuchRecord0',
  };
  // Ids of things the fixture does not make (webhooks, imports, templates, download links): well-formed, unknown.
  const known = (key: string) => valid[key]?.() ?? `${key.slice(0, 3)}NoSuch${key.length}`;
  return fc.oneof(
    { arbitrary: fc.constant(destructive ? 'fldNoSuchField0' : '').map((x) => x || known(name)), weight: 4 },
    { arbitrary: hostileString.map((x) => pct(x)), weight: 2 },
    { arbitrary: traversal, weight: 1 },
  );
};

const QUERY_KEYS = [
  'filterByFormula',
  'viewId',
  'pageSize',
  'pageNum',
  'maxRecords',
  'cellFormat',
  'fieldKey',
  'recordIds',
  'fields',
  'sort',
  'sort[0][field]',
  'sort[0][order]',
  'recordIds[]',
  'fields[]',
  'count',
  'type',
  'query',
  'limit',
  'before',
  'action',
];
const queryString = fc
  .array(
    fc.tuple(
      fc.oneof({ arbitrary: fc.constantFrom(...QUERY_KEYS), weight: 5 }, hostileString),
      fc.oneof(hostileString, hostileFormula, fc.constantFrom('-1', '0', '1001', '1e9', 'name', 'id', 'string')),
    ),
    { maxLength: 6 },
  )
  .map((pairs) => pairs.map(([k, v]) => `${pct(k).replace(/%5B/g, '[').replace(/%5D/g, ']')}=${pct(v)}`).join('&'));

/** A record list that always holds one record no write can take (an unknown record and field), so nothing may be written. */
const poisonedRecords = fc
  .tuple(
    fc.array(
      fc.record(
        {
          recordId: fc.oneof(fc.constantFrom(...(ids.length ? ids : ['recX'])), hostileString),
          fields: fc.oneof(
            fc.dictionary(fc.constantFrom('Name', 'Qty', 'When', 'Notes', 'Tags', 'fld'), hostileJson, { maxKeys: 5 }),
            hostileJson,
          ),
          extra: hostileJson,
        },
        { requiredKeys: [] },
      ),
      { maxLength: 12 },
    ),
    fc.nat(),
  )
  .map(([records, at]) => {
    const list: unknown[] = [...records];
    list.splice(at % (list.length + 1), 0, { recordId: 'recNoSuchRecord0', fields: { 'No such field': 1 } });
    return list;
  });

/** A JSON body for `route` that can only be refused (every object variant carries a poison of its own). */
function poisonedBody(route: Route): fc.Arbitrary<unknown> {
  const extra = fc.dictionary(hostileString, hostileJson, { maxKeys: 3 });
  const t = route.template;
  if (t.endsWith('/records')) {
    return fc
      .tuple(extra, poisonedRecords, fc.option(fc.oneof(fc.constantFrom('name', 'id'), hostileString)))
      .map(([e, records, fieldKey]) => ({ ...e, records, ...(fieldKey === null ? {} : { fieldKey }) }));
  }
  if (t === '/v1/datasheets/{datasheetId}') {
    // A rename with a row cap no datasheet can have: both are checked before either is written.
    return fc.tuple(extra, hostileJson).map(([e, name]) => ({ ...e, name, rowCap: 'none' }));
  }
  if (t.endsWith('/records/move')) {
    return fc.tuple(extra, poisonedRecords, hostileJson).map(([e, records, toDatasheetId]) => ({
      ...e,
      recordIds: [...records.map((r) => (r as { recordId?: unknown }).recordId), 'recNoSuchRecord0'],
      toDatasheetId,
    }));
  }
  if (t.endsWith('/records/batch')) {
    return fc
      .tuple(extra, poisonedRecords, hostileJson)
      .map(([e, updates, creates]) => ({ ...e, creates, updates, deletes: ['recNoSuchRecord0'] }));
  }
  if (t.endsWith('/datasheets')) {
    return fc
      .tuple(extra, hostileJson, fc.array(hostileJson, { maxLength: 4 }))
      .map(([e, name, fields]) => ({ ...e, name, fields: [...fields, { name: 'p', type: 'NoSuchType' }] }));
  }
  if (t.endsWith('/fields') || t.endsWith('/fields/{fieldId}')) {
    return fc
      .tuple(extra, hostileJson, hostileJson)
      .map(([e, name, property]) => ({ ...e, name, property, type: 'NoSuchType' }));
  }
  if (t.endsWith('/embedlinks')) {
    return fc
      .tuple(
        extra,
        hostileJson,
        hostileString.filter((x) => x !== 'light' && x !== 'dark'),
      )
      .map(([e, payload, theme]) => ({ ...e, payload, theme: `${theme}!` }));
  }
  return fc.oneof(hostileJson, extra);
}

/** Any hostile request to `route`: its path, query, headers and body generated. */
function hostileRequest(route: Route): fc.Arbitrary<Probe> {
  const names = [...route.template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  const body: fc.Arbitrary<Buffer | undefined> = route.hasBody
    ? fc.oneof(
        { arbitrary: poisonedBody(route).map((b) => Buffer.from(JSON.stringify(b))), weight: 6 },
        { arbitrary: brokenBody, weight: 2 },
        { arbitrary: fc.oneof(hostileJson, hugeArray).map((b) => Buffer.from(JSON.stringify(b) ?? 'null')), weight: 1 },
        {
          arbitrary: deepJsonText.map((deep) =>
            Buffer.from(`{"records":[{"fields":{"Name":${deep}}}],"name":${deep}}`),
          ),
          weight: 1,
        },
      )
    : fc.constant(undefined);
  return fc
    .record({
      params: fc.tuple(...names.map((name) => param(name, route))),
      query: fc.option(queryString, { freq: 2 }),
      body,
      contentType: fc.oneof({ arbitrary: fc.constant('application/json'), weight: 5 }, wrongContentType),
      gzipClaim: fc.boolean().map((b) => b && Math.random() < 0.1),
      auth: fc.oneof(
        { arbitrary: fc.constant('valid'), weight: 8 },
        fc.constantFrom('', 'Bearer ', 'Bearer tbk_0000', 'Basic Zm9vOmJhcg==', `Bearer ${'A'.repeat(10_000)}`),
      ),
    })
    .map(({ params, query, body: payload, contentType, gzipClaim, auth }) => {
      let p = route.template;
      names.forEach((name, i) => (p = p.replace(`{${name}}`, params[i]!)));
      const headers: Record<string, string | number> = {};
      const authorization = auth === 'valid' ? `Bearer ${s.token}` : auth;
      if (authorization) headers.authorization = authorization;
      if (payload !== undefined) {
        headers['content-type'] = contentType;
        if (gzipClaim) headers['content-encoding'] = 'gzip';
      }
      return { method: route.method, path: `/fusion${p}${query ? `?${query}` : ''}`, headers, body: payload };
    });
}

/** What every answer must be: no 5xx, a Fusion envelope (or an empty/short refusal by HTTP itself), no leak. */
function judge(request: Probe, status: number, text: string): string | undefined {
  if (status >= 500) return `HTTP ${status}: ${text.slice(0, 300)}`;
  // Closed without an answer: acceptable only for a request HTTP itself refuses before reading it, while the client
  // is still writing: a large body, or a request line and headers past node's limit (16 KiB: answered 431, then
  // closed, and the client's unfinished write may see the reset before the answer).
  const headerBytes = Buffer.byteLength(request.path) + Buffer.byteLength(JSON.stringify(request.headers ?? {}));
  if (status === 0)
    return (request.body?.length ?? 0) > 65_536 || headerBytes > 16_384
      ? undefined
      : 'the connection closed without an answer';
  const leak = leakIn(text, [s.token]);
  if (leak) return `leaks ${leak}`;
  if (!text) return status >= 400 ? undefined : `HTTP ${status} with an empty body`;
  let body: { success?: unknown; code?: unknown; message?: unknown };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // An export answers the file itself (CSV, XLSX or JSONL lines), not an envelope.
    if (status === 200 && request.method === 'GET' && /\/export(\?|$)/.test(request.path)) return undefined;
    return `HTTP ${status}: not JSON: ${text.slice(0, 200)}`;
  }
  if (typeof body.success !== 'boolean' || typeof body.code !== 'number')
    return `not an envelope: ${text.slice(0, 200)}`;
  // Business codes of their own (1501: no such embed link) are not server errors; 5xx codes are.
  if (body.code >= 500 && body.code < 600) return `code ${body.code}: ${String(body.message)}`;
  const writes = request.method !== 'GET' && request.path.includes(dst) && !request.path.includes('/attachments');
  if (writes && body.success && !unparsedEmbedLink(request)) return `a poisoned write succeeded: ${text.slice(0, 200)}`;
  return undefined;
}

/**
 * An embed link takes an empty body, and a body sent under a content type that is not JSON is not read (as the
 * reference): such requests create a link with the defaults (deleted again by check()). Only a JSON body with
 * the poisoned theme must be refused.
 */
function unparsedEmbedLink(request: Probe): boolean {
  if (request.method !== 'POST' || !request.path.includes('/embedlinks')) return false;
  // The Fusion parser reads application/json only (not +json types), as the reference does.
  if (!/^application\/json\b/i.test(String(request.headers?.['content-type'] ?? ''))) return true;
  try {
    const body = JSON.parse(String(request.body)) as { theme?: unknown } | null;
    return !(body && typeof body === 'object' && typeof body.theme === 'string' && body.theme.endsWith('!'));
  } catch {
    return true;
  }
}

async function check(request: Probe): Promise<void> {
  tried++;
  let problem: string | undefined;
  try {
    const answer = await probe(s.url, request);
    problem = judge(request, answer.status, answer.text);
    if (!problem && unparsedEmbedLink(request) && answer.status === 200) {
      const created = JSON.parse(answer.text) as { success: boolean; data?: { linkId: string } };
      if (created.success)
        await api('DELETE', `/v1/spaces/${s.spaceId}/nodes/${dst}/embedlinks/${created.data!.linkId}`);
    }
  } catch (error) {
    problem = (error as Error).message;
  }
  if (problem) {
    failures.push(`${request.method} ${request.path.slice(0, 300)}: ${problem}`);
    expect.fail(`${request.method} ${request.path.slice(0, 300)} → ${problem}`);
  }
}

const fuzz = (arbitrary: fc.Arbitrary<Probe>, numRuns: number) =>
  fc.assert(fc.asyncProperty(arbitrary, check), { numRuns, endOnFailure: true });

describe('every Fusion route under hostile input', () => {
  it('covers every route of the OpenAPI document', () => {
    expect(ROUTES.length).toBeGreaterThanOrEqual(25);
  });

  it.each(ROUTES.map((r) => [`${r.method} ${r.template}`, r] as const))(
    '%s answers hostile requests with a clear refusal',
    async (_name, route) => {
      await fuzz(hostileRequest(route), runs(route.method === 'GET' ? 20 : 30));
    },
    300_000,
  );

  it('answers hostile filterByFormula on every records read with a result or a 400', async () => {
    const read = fc.tuple(hostileFormula, fc.constantFrom('/v1', '/v3')).map(([formula, version]) => ({
      method: 'GET',
      path: `/fusion${version}/datasheets/${dst}/records?filterByFormula=${pct(formula)}`,
      headers: { authorization: `Bearer ${s.token}` },
    }));
    await fuzz(read, runs(150));
  }, 300_000);

  it('computes or refuses hostile Formula fields, and every record of the datasheet still reads', async () => {
    let created = 0;
    await fc.assert(
      fc.asyncProperty(hostileFormula, async (expression) => {
        tried++;
        const res = await probe(s.url, {
          method: 'POST',
          path: `/fusion/v1/spaces/${s.spaceId}/datasheets/${scratch}/fields`,
          headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ name: `f${tried}`, type: 'Formula', property: { expression } }),
        });
        const problem = res.status >= 500 ? `HTTP ${res.status}` : leakIn(res.text, [s.token]);
        if (problem) failures.push(`formula field ${expression.slice(0, 100)}: ${problem}`);
        expect(problem, expression.slice(0, 200)).toBeUndefined();
        const body = JSON.parse(res.text) as { success: boolean; data?: { id: string } };
        if (!body.success) return;
        created++;
        // A stored formula is computed on every read: the page must still answer, then the field goes again.
        const page = await probe(s.url, {
          method: 'GET',
          path: `/fusion/v1/datasheets/${scratch}/records?pageSize=100`,
          headers: { authorization: `Bearer ${s.token}` },
        });
        const pageProblem = judge({ method: 'GET', path: '' }, page.status, page.text);
        if (pageProblem) failures.push(`reading formula ${expression.slice(0, 100)}: ${pageProblem}`);
        expect(pageProblem, expression.slice(0, 200)).toBeUndefined();
        await api('DELETE', `/v1/spaces/${s.spaceId}/datasheets/${scratch}/fields/${body.data!.id}`);
      }),
      { numRuns: runs(60), endOnFailure: true },
    );
    expect(created).toBeGreaterThan(0);
  }, 300_000);

  it('uploads with hostile names, types and bodies store nothing outside the data directory and break nothing', async () => {
    const upload = fc
      .tuple(
        fc.oneof(traversal, hostileString),
        fc.uint8Array({ maxLength: 2048 }),
        fc.constantFrom('file', 'files', '../x'),
      )
      .map(([name, bytes, part]) => {
        const boundary = 'XyZ';
        const filename = name.replace(/["\r\n]/g, '');
        const body = Buffer.concat([
          Buffer.from(
            `--${boundary}\r\nContent-Disposition: form-data; name="${part}"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
          ),
          Buffer.from(bytes),
          Buffer.from(`\r\n--${boundary}--\r\n`),
        ]);
        return {
          method: 'POST',
          path: `/fusion/v1/datasheets/${dst}/attachments`,
          headers: { authorization: `Bearer ${s.token}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
          body,
        };
      });
    await fuzz(upload, runs(30));
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
    expect(json.length).toBeGreaterThan(tried / 2);
    const failed = json.filter((line) => (JSON.parse(line) as { level: number }).level >= 50);
    expect(failed.slice(0, 5)).toEqual([]);
    const leaks = json.map((line) => leakIn(line, [s.token])).filter(Boolean);
    expect(leaks.slice(0, 5)).toEqual([]);
    expect(other.slice(0, 5)).toEqual([]);
  });
});
