import { APITable } from 'apitable';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_EMBED_LINKS_PER_NODE } from '../../src/domain/limits.js';
import { redactPath } from '../../src/logger.js';
import { ownerScope, startTestApp, type TestApp } from '../support/app.js';
import { fusion } from '../support/fusion.js';

/** Embed links through the official JS SDK (create/get/delete), and their public read-only side, over real HTTP. */
const PUBLIC_URL = 'https://tables.example.test';
let t: TestApp;
let api: APITable;
let dst: string;
let bigView: string;
let scope: { spaceId: string; userId: string };

interface Link {
  linkId: string;
  url: string;
  payload?: Record<string, unknown>;
  theme?: string;
}
type Page = {
  total: number;
  pageNum: number;
  pageSize: number;
  records: { recordId: string; fields: Record<string, unknown> }[];
};

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT: 'off', PUBLIC_URL });
  api = new APITable({ token: t.token, host: t.url, requestTimeout: 20_000 });
  scope = await ownerScope(t);
  const sheet = await t.app.services.datasheets.create(scope, {
    name: 'Published',
    fields: [
      { name: 'Name', type: 'SingleText', property: {} },
      { name: 'Qty', type: 'Number', property: { precision: 0 } },
      { name: 'Secret', type: 'Text' },
    ],
  });
  dst = sheet.id;
  const [, qty, secret] = sheet.fields;
  bigView = (
    await t.app.services.views.add(scope, dst, {
      name: 'Big ones',
      filter: { conjunction: 'and', conditions: [{ fieldId: qty!.id, operator: 'isGreaterEqual', value: 2 }] },
      sort: [{ fieldId: qty!.id, desc: true }],
      hiddenFields: [secret!.id],
    })
  ).id;
  await t.app.services.records.create(
    scope,
    dst,
    [1, 2, 3, 4].map((n) => ({ Name: `row ${n}`, Qty: n, Secret: `s${n}` })),
  );
});
afterAll(async () => {
  await t?.close();
});

const sheet = () => api.space(t.spaceId).datasheet(dst);
/** The link's URL is absolute on PUBLIC_URL; the test server listens elsewhere, so its path is requested there. */
const open = <T = Record<string, unknown>>(url: string, suffix = '') =>
  fusion<T>(t.url, 'GET', `${url.slice(`${PUBLIC_URL}/fusion`.length)}${suffix}`);
const linkCount = () => t.app.prisma.embedLink.count({ where: { nodeId: dst } });

describe('managing links with the JS SDK', () => {
  it('creates a link with a payload and theme, and one without either', async () => {
    const payload = {
      viewControl: { viewId: bigView, tabBar: false, toolBar: { shareBtn: false, apiBtn: true } },
      bannerLogo: true,
      permissionType: 'readOnly',
    };
    const res = await sheet().createEmbedLink({ payload, theme: 'dark' } as never);
    expect(res).toMatchObject({ success: true, code: 200, message: 'SUCCESS' });
    const link = res.data as Link;
    expect(link).toEqual({
      linkId: expect.stringMatching(/^emb[0-9A-Za-z]{24}$/),
      url: `${PUBLIC_URL}/fusion/v1/embed/${link.linkId}`,
      payload,
      theme: 'dark',
    });
    const bare = (await sheet().createEmbedLink()).data as Link;
    expect(Object.keys(bare).sort()).toEqual(['linkId', 'url']);
    const listed = await sheet().getEmbedLinks();
    expect(listed.data).toEqual([link, bare]);
  });

  it('drops unknown payload keys', async () => {
    const res = await sheet().createEmbedLink({
      payload: { permissionType: 'readOnly', extra: 'x', viewControl: { toolBar: { nope: 1 } } },
    } as never);
    expect((res.data as Link).payload).toEqual({ permissionType: 'readOnly', viewControl: { toolBar: {} } });
    await sheet().deleteEmbedLink((res.data as Link).linkId);
  });

  it('deletes a link: its URL stops answering at once, and a second delete answers 1501', async () => {
    const link = (await sheet().createEmbedLink()).data as Link;
    expect((await open(link.url)).body.success).toBe(true);
    const res = await sheet().deleteEmbedLink(link.linkId);
    expect(res).toMatchObject({ success: true, code: 200 });
    const gone = {
      success: false,
      code: 1501,
      message: 'the specified embed link does not exist, please adjust the linkId and try again',
    };
    expect((await open(link.url)).body).toEqual(gone);
    expect((await open(link.url, '/records')).body).toEqual(gone);
    expect(await sheet().deleteEmbedLink(link.linkId)).toMatchObject({ success: false, code: 1501 });
    expect(((await sheet().getEmbedLinks()).data as Link[]).map((l) => l.linkId)).not.toContain(link.linkId);
    const { events } = await t.app.services.audit.list(t.spaceId, { limit: 100 });
    const actions = events.filter((e) => e.targetId === link.linkId).map((e) => e.action);
    expect(actions.sort()).toEqual(['embedLink.created', 'embedLink.deleted']);
  });

  it.each<[string, unknown, string]>([
    ['theme', { theme: 'blue' }, 'the parameter theme must be one of the following values: dark, light'],
    [
      'permissionType',
      { payload: { permissionType: 'edit' } },
      'the parameter permissionType must be one of the following values: readOnly, publicEdit, privateEdit',
    ],
    ...[
      'shareBtn',
      'widgetBtn',
      'apiBtn',
      'formBtn',
      'historyBtn',
      'robotBtn',
      'addWidgetBtn',
      'formSettingBtn',
      'fullScreenBtn',
    ].map((btn): [string, unknown, string] => [
      btn,
      { payload: { viewControl: { toolBar: { [btn]: 'yes' } } } },
      `the parameter ${btn} must be a boolean type`,
    ]),
    ['tabBar', { payload: { viewControl: { tabBar: 1 } } }, 'the parameter tabBar must be a boolean type'],
    ['payload', { payload: 'all' }, 'the parameter payload must be an object'],
    ['viewId', { payload: { viewControl: { viewId: 'viwNope0000' } } }, 'View (viwNope0000) does not exist'],
  ])('refuses a bad %s with code 400 and the catalogue message, storing nothing', async (_label, body, message) => {
    const before = await linkCount();
    expect(await sheet().createEmbedLink(body as never)).toMatchObject({ success: false, code: 400, message });
    expect(await linkCount()).toBe(before);
  });

  it('refuses a folder with api_embed_link_instance_limit, and an unknown node', async () => {
    const folder = 'fodEmbedFolder00001';
    await t.app.prisma.node.create({
      data: { id: folder, spaceId: t.spaceId, type: 'FOLDER', name: 'Folder', position: 99 },
    });
    const res = await fusion(t.url, 'POST', `/v1/spaces/${t.spaceId}/nodes/${folder}/embedlinks`, {
      token: t.token,
      body: {},
    });
    expect([res.status, res.body]).toEqual([
      200,
      { success: false, code: 400, message: 'embedded links are not supported for nodes other than datasheet type' },
    ]);
    const missing = await fusion(t.url, 'POST', `/v1/spaces/${t.spaceId}/nodes/dstNope000000000/embedlinks`, {
      token: t.token,
      body: {},
    });
    expect(missing.body).toEqual({ success: false, code: 301, message: "Can't find the specified datasheet" });
  });

  it(`allows ${MAX_EMBED_LINKS_PER_NODE} links per datasheet, even when creates race`, async () => {
    const other = (await t.app.services.datasheets.create(scope, { name: 'Crowded' })).id;
    const create = () =>
      fusion(t.url, 'POST', `/v1/spaces/${t.spaceId}/nodes/${other}/embedlinks`, { token: t.token, body: {} });
    for (let i = 0; i < MAX_EMBED_LINKS_PER_NODE - 2; i++) expect((await create()).body.success).toBe(true);
    const raced = await Promise.all(Array.from({ length: 5 }, create));
    expect(raced.filter((r) => r.body.success)).toHaveLength(2);
    expect(raced.find((r) => !r.body.success)!.body).toEqual({
      success: false,
      code: 400,
      message: `the maximum number of embedded links has been reached, only ${MAX_EMBED_LINKS_PER_NODE} links can be created`,
    });
    expect(await t.app.prisma.embedLink.count({ where: { nodeId: other } })).toBe(MAX_EMBED_LINKS_PER_NODE);
  });

  it('answers an unknown linkId with 1501', async () => {
    const res = await fusion(t.url, 'DELETE', `/v1/spaces/${t.spaceId}/nodes/${dst}/embedlinks/embNope`, {
      token: t.token,
    });
    expect([res.status, res.body]).toEqual([
      200,
      {
        success: false,
        code: 1501,
        message: 'the specified embed link does not exist, please adjust the linkId and try again',
      },
    ]);
  });
});

describe('the public, read-only side', () => {
  it("describes the datasheet, the payload's view and its visible fields, without a token", async () => {
    const link = (
      await sheet().createEmbedLink({ payload: { viewControl: { viewId: bigView } }, theme: 'light' } as never)
    ).data as Link;
    const res = await open(link.url);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      linkId: link.linkId,
      theme: 'light',
      payload: { viewControl: { viewId: bigView } },
      readOnly: true,
      datasheet: { id: dst, name: 'Published' },
      view: { id: bigView, name: 'Big ones', type: 'Grid' },
      fields: [
        expect.objectContaining({ name: 'Name', type: 'SingleText', isPrimary: true, editable: false }),
        expect.objectContaining({ name: 'Qty', type: 'Number', editable: false }),
      ],
    });
  });

  it("serves the view's records (filter, sort, hidden fields) page by page", async () => {
    const link = (await sheet().createEmbedLink({ payload: { viewControl: { viewId: bigView } } } as never))
      .data as Link;
    const all = await open<Page>(link.url, '/records');
    expect(all.body.data).toMatchObject({ total: 3, pageNum: 1, pageSize: 3 });
    expect(all.body.data!.records.map((r) => r.fields)).toEqual([
      { Name: 'row 4', Qty: 4 },
      { Name: 'row 3', Qty: 3 },
      { Name: 'row 2', Qty: 2 },
    ]);
    const second = await open<Page>(link.url, '/records?pageSize=2&pageNum=2');
    expect(second.body.data).toMatchObject({
      total: 3,
      pageNum: 2,
      pageSize: 1,
      records: [{ fields: { Name: 'row 2', Qty: 2 } }],
    });
    const bad = await open(link.url, '/records?pageSize=5000');
    expect([bad.status, bad.body]).toMatchObject([200, { success: false, code: 400 }]);
    expect(bad.body.message).toContain('pageSize');
  });

  it('opens on the first view when the payload names none', async () => {
    const link = (await sheet().createEmbedLink()).data as Link;
    expect(((await open(link.url)).body.data as { view: { name: string } }).view.name).toBe('Grid view');
    expect((await open<Page>(link.url, '/records')).body.data!.total).toBe(4);
  });

  it('takes no writes: only GET routes exist there', async () => {
    const link = (await sheet().createEmbedLink()).data as Link;
    const path = link.url.slice(`${PUBLIC_URL}/fusion`.length);
    for (const method of ['POST', 'PATCH', 'PUT', 'DELETE']) {
      const res = await fusion(t.url, method, `${path}/records`, {
        token: t.token,
        body: { records: [{ fields: { Name: 'x' } }] },
      });
      expect([res.status, res.body]).toEqual([404, { success: false, code: 404, message: 'The API does not exist' }]);
    }
    expect(await t.app.prisma.record.count({ where: { datasheetId: dst } })).toBe(4);
  });

  it('stops when its datasheet is deleted', async () => {
    const doomed = await t.app.services.datasheets.create(scope, { name: 'Doomed' });
    const link = (await api.space(t.spaceId).datasheet(doomed.id).createEmbedLink()).data as Link;
    expect((await open(link.url)).body.success).toBe(true);
    await t.app.services.datasheets.remove(scope, doomed.id);
    expect((await open(link.url)).body).toMatchObject({ success: false, code: 1501 });
  });

  it('keeps link ids out of logged paths', () => {
    expect(redactPath('/fusion/v1/embed/embABCDEFGHIJKLMNOPQRSTUVWX/records')).toBe(
      '/fusion/v1/embed/emb[redacted]/records',
    );
    expect(redactPath('/fusion/v1/spaces/spc1/nodes/dst1/embedlinks')).toBe(
      '/fusion/v1/spaces/spc1/nodes/dst1/embedlinks',
    );
  });
});

describe('rate limits on the public side', () => {
  let limited: TestApp;
  beforeAll(async () => {
    limited = await startTestApp({ RATE_LIMIT_QPS: 'FREE=2,PLUS=3,PRO=4,ENTERPRISE=6', RATE_LIMIT_WINDOW_MS: '60000' });
  });
  afterAll(async () => {
    await limited?.close();
  });

  it('meters each link at its space plan rate', async () => {
    const s = await ownerScope(limited);
    await limited.app.services.spaces.setPlan(limited.spaceId, 'FREE');
    const ds = await limited.app.services.datasheets.create(s, { name: 'Metered' });
    const link = await limited.app.services.embeds.create(s, ds.id, {}, { userId: s.userId, tokenId: null });
    const path = new URL(link.url).pathname.replace(/^\/fusion/, '');
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await fusion(limited.url, 'GET', path));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 429]);
    expect(answers[2]!.body).toMatchObject({ success: false, code: 429 });
    expect(answers[2]!.headers.get('retry-after')).toBeTruthy();
  });
});
