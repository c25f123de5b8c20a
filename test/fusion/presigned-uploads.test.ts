import { APITable } from 'apitable';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redactPath } from '../../src/logger.js';
import { ownerScope, startTestApp, type TestApp } from '../support/app.js';
import { fusion } from '../support/fusion.js';

/** GET …/attachments/presignedUrl and the upload URLs it hands out, over real HTTP. */
const PUBLIC_URL = 'https://files.example.test/base';
let t: TestApp;
let dst: string;

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT: 'off', PUBLIC_URL });
  const scope = await ownerScope(t);
  dst = (
    await t.app.services.datasheets.create(scope, {
      name: 'Files',
      fields: [
        { name: 'Title', type: 'SingleText', property: {} },
        { name: 'Files', type: 'Attachment' },
      ],
    })
  ).id;
});
afterAll(async () => {
  await t?.close();
});

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000002000000030806000000b9eac4850000000d49444154789c63f8ffff3f0300050001ff0a2db4e10000000049454e44ae426082',
  'hex',
);

interface Slot {
  token: string;
  uploadUrl: string;
  uploadRequestMethod: string;
}
type Envelope = { success: boolean; code: number; message: string; data?: Record<string, unknown> };

async function presign(query = ''): Promise<{ status: number; body: Envelope & { data?: { results: Slot[] } } }> {
  return fusion(t.url, 'GET', `/v1/datasheets/${dst}/attachments/presignedUrl${query}`, { token: t.token }) as never;
}
const slots = async (count = 1) => (await presign(`?count=${count}`)).body.data!.results;

/** The upload URL is absolute on PUBLIC_URL; the test server listens elsewhere, so the same path is sent there. */
async function put(
  uploadUrl: string,
  body: BodyInit,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Envelope }> {
  const path = uploadUrl.slice(PUBLIC_URL.length);
  const response = await fetch(`${t.url}${path}`, { method: 'PUT', headers, body });
  return { status: response.status, body: (await response.json()) as Envelope };
}
const attachments = () => t.app.prisma.attachment.count();

describe('issuing upload URLs', () => {
  it('answers one slot by default and up to 20, each with its own absolute URL and token', async () => {
    const one = await presign();
    expect([one.status, one.body.code, one.body.success, one.body.message]).toEqual([200, 200, true, 'SUCCESS']);
    expect(one.body.data!.results).toEqual([
      {
        token: expect.stringMatching(new RegExp(`^${t.spaceId}/[0-9A-Za-z]{32}$`)),
        uploadUrl: expect.stringMatching(
          /^https:\/\/files\.example\.test\/base\/fusion\/v1\/uploads\/tbu_[0-9A-Za-z]{43}$/,
        ),
        uploadRequestMethod: 'PUT',
      },
    ]);
    const twenty = await slots(20);
    expect(twenty).toHaveLength(20);
    expect(new Set(twenty.map((s) => s.token)).size).toBe(20);
    expect(new Set(twenty.map((s) => s.uploadUrl)).size).toBe(20);
    // The capability in the URL is not the attachment token, and only its hash is stored.
    for (const slot of twenty) expect(slot.uploadUrl).not.toContain(slot.token.split('/')[1]);
    const secret = twenty[0]!.uploadUrl.split('/').pop()!;
    const stored = JSON.stringify(await t.app.prisma.presignedUpload.findMany());
    expect(stored).not.toContain(secret);
  });

  it.each(['0', '21', 'abc', '1.5', '-3'])(
    'refuses count=%s with code 400 naming count, storing nothing',
    async (count) => {
      const before = await t.app.prisma.presignedUpload.count();
      const res = await presign(`?count=${count}`);
      expect([res.status, res.body]).toEqual([
        200,
        { success: false, code: 400, message: 'count must be an integer from 1 to 20' },
      ]);
      expect(await t.app.prisma.presignedUpload.count()).toBe(before);
    },
  );

  it('ignores the fieldKey the JS SDK adds everywhere', async () => {
    expect((await presign('?fieldKey=name&count=2')).body.data!.results).toHaveLength(2);
  });
});

describe('uploading to a URL', () => {
  it('stores the raw bytes without a bearer token, answering the multipart upload object, and the token goes into a cell', async () => {
    const [slot] = await slots();
    const res = await put(slot!.uploadUrl, PNG, {
      'content-type': 'application/octet-stream',
      'content-disposition': 'attachment; filename="pixel.png"',
    });
    expect([res.status, res.body.success, res.body.code]).toEqual([200, true, 200]);
    expect(res.body.data).toEqual({
      token: slot!.token,
      name: 'pixel.png',
      size: PNG.length,
      mimeType: 'image/png',
      width: 2,
      height: 3,
      url: `${PUBLIC_URL}/attachments/${slot!.token}`,
    });
    // Same shape, key for key, as a multipart upload of the same file.
    const form = new FormData();
    form.append('file', new Blob([PNG]), 'pixel.png');
    const multipart = (await fusion(t.url, 'POST', `/v1/datasheets/${dst}/attachments`, { token: t.token, body: form }))
      .body as Envelope;
    expect(Object.keys(res.body.data!).sort()).toEqual(Object.keys(multipart.data!).sort());

    const api = new APITable({ token: t.token, host: t.url });
    const created = await api
      .datasheet(dst)
      .records.create([{ fields: { Title: 'presigned', Files: [{ token: slot!.token, name: 'renamed.png' }] } }]);
    expect(created.success).toBe(true);
    expect(created.data!.records[0]!.fields.Files).toEqual([
      expect.objectContaining({
        token: slot!.token,
        name: 'renamed.png',
        mimeType: 'image/png',
        width: 2,
        height: 3,
        size: PNG.length,
      }),
    ]);
  });

  it('keeps a JSON body as bytes (never parsed), names it from filename*, and sniffs its type', async () => {
    const [slot] = await slots();
    const res = await put(slot!.uploadUrl, '{"a": 1}', {
      'content-type': 'application/json',
      'content-disposition': "attachment; filename*=UTF-8''d%C3%A4ta.json",
    });
    expect(res.body.data).toMatchObject({ name: 'däta.json', mimeType: 'application/json', size: 8 });
    const untitled = await put((await slots())[0]!.uploadUrl, 'plain words');
    expect(untitled.body.data).toMatchObject({ name: 'file', mimeType: 'text/plain', size: 11 });
  });

  it('refuses a used URL, and stores nothing', async () => {
    const [slot] = await slots();
    expect((await put(slot!.uploadUrl, 'first')).body.success).toBe(true);
    const before = await attachments();
    const again = await put(slot!.uploadUrl, 'second');
    expect([again.status, again.body]).toEqual([
      403,
      { success: false, code: 403, message: 'The upload URL was already used; request a new one' },
    ]);
    expect(await attachments()).toBe(before);
  });

  it('refuses an expired URL, and stores nothing', async () => {
    const [slot] = await slots();
    await t.app.prisma.presignedUpload.update({
      where: { token: slot!.token },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const before = await attachments();
    const res = await put(slot!.uploadUrl, 'late');
    expect([res.status, res.body]).toEqual([
      403,
      { success: false, code: 403, message: 'The upload URL has expired; request a new one' },
    ]);
    expect(await attachments()).toBe(before);
    expect((await t.app.prisma.presignedUpload.findUnique({ where: { token: slot!.token } }))!.usedAt).toBeNull();
  });

  it('refuses unknown URLs in the Fusion envelope', async () => {
    const before = await attachments();
    const [slot] = await slots();
    const forged = slot!.uploadUrl.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a'));
    for (const url of [
      forged,
      `${PUBLIC_URL}/fusion/v1/uploads/${slot!.token.split('/')[1]}`,
      `${PUBLIC_URL}/fusion/v1/uploads/x`,
    ]) {
      const res = await put(url, 'guess');
      expect([res.status, res.body]).toEqual([
        403,
        { success: false, code: 403, message: 'The upload URL is not valid' },
      ]);
    }
    expect(await attachments()).toBe(before);
  });

  it('does not let a slot that was never uploaded stand in for an attachment', async () => {
    const [slot] = await slots();
    const res = await fusion(t.url, 'POST', `/v1/datasheets/${dst}/records`, {
      token: t.token,
      body: { records: [{ fields: { Files: [{ token: slot!.token, name: 'x' }] } }] },
    });
    expect(res.body).toEqual({
      success: false,
      code: 400,
      message: 'The attachment specified by the token does not exist',
    });
  });

  it('lets only one of two concurrent uploads use a slot', async () => {
    const [slot] = await slots();
    const before = await attachments();
    const results = await Promise.all([put(slot!.uploadUrl, 'racer one'), put(slot!.uploadUrl, 'racer two')]);
    expect(results.map((r) => r.body.success).sort()).toEqual([false, true]);
    expect(results.find((r) => !r.body.success)!.body.message).toBe(
      'The upload URL was already used; request a new one',
    );
    expect(await attachments()).toBe(before + 1);
  });

  it('answers 426 when the space is full, at issue and at upload time, keeping the slot for a later try', async () => {
    const [slot] = await slots();
    const { used } = await t.app.services.attachments.usage(t.spaceId);
    await t.app.prisma.space.update({ where: { id: t.spaceId }, data: { attachmentCapacity: BigInt(used + 4) } });
    try {
      const before = await attachments();
      const tooBig = await put(slot!.uploadUrl, 'more than four bytes');
      expect([tooBig.status, tooBig.body]).toEqual([
        200,
        { success: false, code: 426, message: 'The Space has reached its maximum attachment capacity' },
      ]);
      expect(await attachments()).toBe(before);
      expect((await put(slot!.uploadUrl, 'four')).body.data).toMatchObject({ token: slot!.token, size: 4 });
      const full = await presign();
      expect([full.status, full.body]).toEqual([
        200,
        { success: false, code: 426, message: 'The Space has reached its maximum attachment capacity' },
      ]);
    } finally {
      await t.app.prisma.space.update({ where: { id: t.spaceId }, data: { attachmentCapacity: null } });
    }
  });

  it('keeps upload capabilities out of logged paths', () => {
    expect(redactPath('/fusion/v1/uploads/tbu_abcDEF123')).toBe('/fusion/v1/uploads/tbu_[redacted]');
  });
});
