import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerScope, startTestApp, type TestApp } from '../support/app.js';
import { fusion } from '../support/fusion.js';

/**
 * Attachments no cell refers to are deleted by the sweeper after the grace period, over real HTTP uploads and
 * writes. The grace period is an hour; the tests age a mark by moving it back in the database, never by waiting.
 */
let t: TestApp;
let dst: string;

type Uploaded = { token: string; name: string; size: number; url: string };

beforeAll(async () => {
  t = await startTestApp({
    RATE_LIMIT: 'off',
    ATTACHMENT_SWEEP_INTERVAL_SECONDS: '0',
    ATTACHMENT_GRACE_SECONDS: '3600',
  });
  const scope = await ownerScope(t);
  const sheet = await t.app.services.datasheets.create(scope, {
    name: 'Files',
    fields: [
      { name: 'Name', type: 'SingleText', property: {} },
      { name: 'Files', type: 'Attachment' },
    ],
  });
  dst = sheet.id;
});
afterAll(async () => {
  await t?.close();
});

async function upload(content: string, name = 'note.txt'): Promise<Uploaded> {
  const form = new FormData();
  form.append('file', new Blob([content], { type: 'text/plain' }), name);
  const r = await fusion<Uploaded>(t.url, 'POST', `/v1/datasheets/${dst}/attachments`, { token: t.token, body: form });
  expect(r.body.success).toBe(true);
  return r.body.data!;
}
async function writeRecord(files: Uploaded[]): Promise<string> {
  const r = await fusion<{ records: { recordId: string }[] }>(t.url, 'POST', `/v1/datasheets/${dst}/records`, {
    token: t.token,
    body: { records: [{ fields: { Name: 'r', Files: files.map((f) => ({ token: f.token, name: f.name })) } }] },
  });
  expect(r.body.success).toBe(true);
  return r.body.data!.records[0]!.recordId;
}
const clear = (recordId: string) =>
  fusion(t.url, 'PATCH', `/v1/datasheets/${dst}/records`, {
    token: t.token,
    body: { records: [{ recordId, fields: { Files: null } }] },
  });
const used = async () => (await t.app.prisma.space.findUniqueOrThrow({ where: { id: t.spaceId } })).attachmentUsed;
const row = (token: string) => t.app.prisma.attachment.findUnique({ where: { token } });
/** Moves every mark back by more than the grace period. */
const age = () =>
  t.app.prisma.$executeRawUnsafe(
    "UPDATE attachments SET unreferenced_since = unreferenced_since - interval '2 hours' WHERE unreferenced_since IS NOT NULL",
  );
const download = async (f: Uploaded) => (await fetch(`${t.url}${new URL(f.url).pathname}`)).status;

describe('the attachment sweeper', () => {
  it('deletes an attachment whose cell was cleared, after the grace period; attachment_used goes down', async () => {
    const before = await used();
    const file = await upload('cleared later');
    const recordId = await writeRecord([file]);
    expect(await used()).toBe(before + BigInt(file.size));

    expect(await t.app.services.attachmentSweeper.sweep()).toMatchObject({ deleted: 0 });
    expect(await row(file.token)).toMatchObject({ unreferencedSince: null });

    expect((await clear(recordId)).body.success).toBe(true);
    const first = await t.app.services.attachmentSweeper.sweep();
    expect(first).toMatchObject({ marked: 1, deleted: 0 });
    expect(await row(file.token)).not.toBeNull();
    expect(await download(file)).toBe(200);

    await age();
    const second = await t.app.services.attachmentSweeper.sweep();
    expect(second).toMatchObject({ deleted: 1, bytesReleased: BigInt(file.size), blobsRemoved: 1 });
    expect(await row(file.token)).toBeNull();
    expect(await used()).toBe(before);
    expect(await download(file)).toBe(404);
    // A write naming the deleted token is refused.
    const r = await fusion(t.url, 'POST', `/v1/datasheets/${dst}/records`, {
      token: t.token,
      body: { records: [{ fields: { Files: [{ token: file.token, name: file.name }] } }] },
    });
    expect(r.body).toMatchObject({ success: false, code: 400 });
  });

  it('keeps what a cell refers to, and forgets the mark of an upload referred to within the grace period', async () => {
    const kept = await upload('kept forever');
    await writeRecord([kept]);
    const late = await upload('referred to late');
    await t.app.services.attachmentSweeper.sweep();
    expect((await row(late.token))?.unreferencedSince).toBeInstanceOf(Date);
    await writeRecord([late]);
    await t.app.services.attachmentSweeper.sweep();
    expect(await row(late.token)).toMatchObject({ unreferencedSince: null });
    await age();
    await t.app.services.attachmentSweeper.sweep();
    expect(await row(kept.token)).not.toBeNull();
    expect(await row(late.token)).not.toBeNull();
    expect(await download(kept)).toBe(200);
  });

  it('keeps the bytes and the accounting while another attachment of the space holds the same content', async () => {
    const a = await upload('same bytes', 'a.txt');
    const b = await upload('same bytes', 'b.txt');
    await writeRecord([b]);
    const before = await used();
    await t.app.services.attachmentSweeper.sweep();
    await age();
    expect(await t.app.services.attachmentSweeper.sweep()).toMatchObject({
      deleted: 1,
      bytesReleased: 0n,
      blobsRemoved: 0,
    });
    expect(await row(a.token)).toBeNull();
    expect(await used()).toBe(before);
    expect(await download(b)).toBe(200);
  });
});
