import { APITable } from 'apitable';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ownerScope, startTestApp, type TestApp } from '../support/app.js';
import { fusion } from '../support/fusion.js';

let t: TestApp;
let dst: string;
beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT: 'off' });
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

const upload = (form: FormData | string, type?: string) =>
  fusion<Record<string, unknown>>(t.url, 'POST', `/v1/datasheets/${dst}/attachments`, {
    token: t.token,
    body: form,
    ...(type ? { headers: { 'content-type': type } } : {}),
  });

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000002000000030806000000b9eac4850000000d49444154789c63f8ffff3f0300050001ff0a2db4e10000000049454e44ae426082',
  'hex',
);

it('uploads through the official SDK, and the token goes into an Attachment cell', async () => {
  const api = new APITable({ token: t.token, host: t.url });
  const res = await api.datasheet(dst).upload(PNG, { filename: 'pixel.png', contentType: 'image/png' });
  expect(res.success).toBe(true);
  expect(res.data).toMatchObject({
    name: 'pixel.png',
    mimeType: 'image/png',
    size: PNG.length,
    width: 2,
    height: 3,
    url: expect.stringContaining('/attachments/'),
  });
  const created = await api
    .datasheet(dst)
    .records.create([{ fields: { Title: 'with file', Files: [{ token: res.data!.token, name: 'pixel.png' }] } }]);
  expect(created.data!.records[0]!.fields.Files).toEqual([
    expect.objectContaining({ token: res.data!.token, mimeType: 'image/png', width: 2 }),
  ]);
});

it('serves the file at the url of its attachment object, without a bearer token', async () => {
  const form = new FormData();
  form.append('file', new Blob([PNG]), 'pixel.png');
  const first = await upload(form);
  expect(first.body).toMatchObject({ success: true });
  const uploaded = first.body.data as { url: string };
  const download = await fetch(`${t.url}${new URL(uploaded.url).pathname}`);
  expect(download.status).toBe(200);
  expect(download.headers.get('content-type')).toBe('image/png');
  expect(download.headers.get('content-disposition')).toBe("inline; filename*=UTF-8''pixel.png");
  expect(download.headers.get('x-content-type-options')).toBe('nosniff');
  expect(Buffer.from(await download.arrayBuffer())).toEqual(PNG);

  // A page uploaded as HTML never renders as this site's page: served as plain text, or as a download, always sandboxed.
  const page = new FormData();
  page.append(
    'file',
    new Blob(['<!DOCTYPE html><html><body><script>alert(1)</script></body></html>'], { type: 'text/html' }),
    'page.html',
  );
  const second = await upload(page);
  expect(second.body).toMatchObject({ success: true });
  const served = await fetch(`${t.url}${new URL((second.body.data as { url: string }).url).pathname}`);
  const type = served.headers.get('content-type') ?? '';
  expect(type === 'text/html' ? served.headers.get('content-disposition') : 'attachment;').toMatch(/^attachment;/);
  expect(served.headers.get('content-security-policy')).toContain('sandbox');
  const binary = new FormData();
  binary.append('file', new Blob([Buffer.from([0, 1, 2, 3, 250, 251, 252])]), 'data.bin');
  const third = await upload(binary);
  const bin = await fetch(`${t.url}${new URL((third.body.data as { url: string }).url).pathname}`);
  expect(bin.headers.get('content-disposition')).toBe("attachment; filename*=UTF-8''data.bin");

  const missing = await fetch(`${t.url}/attachments/${t.spaceId}/nope0000000000000000`);
  expect(missing.status).toBe(404);
  expect(await missing.json()).toMatchObject({ success: false, code: 404 });
});

it('takes the first file part whatever its name (the Python SDK sends "files")', async () => {
  const form = new FormData();
  form.append('files', new Blob(['hello']), 'note.txt');
  const res = await upload(form);
  expect(res.body.data).toMatchObject({ name: 'note.txt', mimeType: 'text/plain', size: 5 });
});

it('refuses a second file with 428 and stores neither', async () => {
  const before = await t.app.prisma.attachment.count();
  const form = new FormData();
  form.append('file', new Blob(['one']), 'one.txt');
  form.append('file', new Blob(['two']), 'two.txt');
  const res = await upload(form);
  expect(res.body).toEqual({
    success: false,
    code: 428,
    message: 'You have uploaded the maximum number of attachments',
  });
  expect(await t.app.prisma.attachment.count()).toBe(before);
});

it('refuses a request that is not multipart, or has no file', async () => {
  expect((await upload('{}', 'application/json')).body).toMatchObject({ success: false, code: 400 });
  const form = new FormData();
  form.append('note', 'no file here');
  expect((await upload(form)).body).toEqual({
    success: false,
    code: 400,
    message: 'No file in the upload: send one multipart file part',
  });
});

it('answers 426 when the space is out of attachment capacity', async () => {
  await t.app.prisma.space.update({ where: { id: t.spaceId }, data: { attachmentCapacity: 1n } });
  const form = new FormData();
  form.append('file', new Blob(['too big for the space']), 'big.txt');
  expect((await upload(form)).body).toEqual({
    success: false,
    code: 426,
    message: 'The Space has reached its maximum attachment capacity',
  });
});
