import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toCellItem } from '../../src/domain/attachments/attachment-meta.js';
import { createAttachmentService, type AttachmentService } from '../../src/domain/attachments/attachment.service.js';
import { createLocalDiskStorage, type LocalDiskStorage } from '../../src/storage/local-disk.storage.js';
import { createContentProbe, sniffContent } from '../../src/domain/attachments/sniff.js';
import { BlobNotFoundError } from '../../src/domain/attachments/storage.js';
import { createPresignedUploadService } from '../../src/domain/attachments/presigned-uploads.js';
import { newId } from '../../src/domain/ids.js';
import { GB } from '../../src/domain/limits.js';
import { binary, chunked, filesUnder, gif, jpeg, pdf, pieces, png } from '../support/attachment-files.js';
import { migrate } from '../../src/db/migrate.js';
import { createSpaceService } from '../../src/domain/spaces/space.service.js';
import { emptyDatabase } from '../support/db.js';

const PUBLIC_URL = 'https://tables.example.com';
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const blobFile = (data: Buffer) => {
  const hash = sha256(data);
  return path.join(hash.slice(0, 2), hash.slice(2, 4), hash);
};

/**
 * A migrated database (PGlite, or a fresh PostgreSQL database with DATABASE_URL) with only the services
 * these tests need, so the suite does not depend on the rest of the wiring.
 */
async function attachmentInstallation() {
  const db = await emptyDatabase();
  await migrate(db);
  return Object.assign(db, { db, services: { spaces: createSpaceService(db.prisma) } });
}

let inst: Awaited<ReturnType<typeof attachmentInstallation>>;
let root: string;
let storage: LocalDiskStorage;
let attachments: AttachmentService;

beforeAll(async () => {
  inst = await attachmentInstallation();
  root = await mkdtemp(path.join(tmpdir(), 'tb-attachments-'));
  storage = createLocalDiskStorage(root);
  attachments = createAttachmentService({ prisma: inst.db.prisma, storage, publicUrl: `${PUBLIC_URL}/` });
});
afterAll(async () => {
  await inst?.dispose();
  if (root) await rm(root, { recursive: true, force: true });
});

async function newSpace(options: { plan?: string; capacity?: number } = {}) {
  const space = await inst.services.spaces.create({ name: 'Files', plan: options.plan });
  if (options.capacity !== undefined) {
    await inst.db.prisma.space.update({
      where: { id: space.id },
      data: { attachmentCapacity: BigInt(options.capacity) },
    });
  }
  return space.id;
}

const rowsOf = (spaceId: string) => inst.db.prisma.attachment.count({ where: { spaceId } });
const tempFiles = async () => (await filesUnder(root)).filter((file) => file.startsWith('.tmp'));

describe('sniffing', () => {
  let spaceId: string;
  beforeAll(async () => {
    spaceId = await newSpace();
  });

  it.each([
    ['a PNG', 'pixel.png', png(3, 2), { mimeType: 'image/png', width: 3, height: 2 }],
    ['a JPEG', 'photo.jpg', jpeg(640, 480), { mimeType: 'image/jpeg', width: 640, height: 480 }],
    ['a GIF', 'anim.gif', gif(5, 7), { mimeType: 'image/gif', width: 5, height: 7 }],
    ['a PDF', 'report.pdf', pdf(), { mimeType: 'application/pdf' }],
    ['UTF-8 text', 'notes.txt', Buffer.from('héllo wörld ✓\n'), { mimeType: 'text/plain' }],
    ['text named .csv', 'table.csv', Buffer.from('a,b\n1,2\n'), { mimeType: 'text/csv' }],
    ['text named .json', 'data.json', Buffer.from('{"a":1}'), { mimeType: 'application/json' }],
    ['text named .md', 'README.md', Buffer.from('# Title\n'), { mimeType: 'text/markdown' }],
    ['text named .html', 'page.html', Buffer.from('<script>alert(1)</script>'), { mimeType: 'text/plain' }],
    ['bytes with a NUL', 'blob.bin', binary(300), { mimeType: 'application/octet-stream' }],
    [
      'invalid UTF-8',
      'latin1.txt',
      Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]),
      { mimeType: 'application/octet-stream' },
    ],
    ['an empty file', 'empty.txt', Buffer.alloc(0), { mimeType: 'text/plain' }],
  ])('successful: sniffs %s from its bytes', async (_what, name, data, expected) => {
    const uploaded = await attachments.upload({ spaceId, name, data });
    expect(uploaded).toEqual({
      id: expect.stringMatching(/^atc[0-9A-Za-z]{10}$/),
      token: expect.stringMatching(new RegExp(`^${spaceId}/[0-9A-Za-z]{32}$`)),
      name,
      size: data.length,
      url: `${PUBLIC_URL}/attachments/${uploaded.token}`,
      ...expected,
    });
  });

  it('ignores what the name claims when the bytes say otherwise', async () => {
    const disguisedImage = await attachments.upload({ spaceId, name: 'invoice.pdf', data: png(1, 1) });
    const disguisedText = await attachments.upload({ spaceId, name: 'photo.png', data: Buffer.from('just text') });
    const disguisedBinary = await attachments.upload({ spaceId, name: 'table.csv', data: binary(64, 7) });
    expect(disguisedImage).toMatchObject({ mimeType: 'image/png', width: 1, height: 1 });
    expect(disguisedText.mimeType).toBe('text/plain');
    expect(disguisedText).not.toHaveProperty('width');
    expect(disguisedBinary.mimeType).toBe('application/octet-stream');
  });

  it('sniffs streams larger than the kept head (text split mid-character, an image with a long tail)', async () => {
    const text = Buffer.from('ünïcödé text '.repeat(60_000));
    const textUpload = await attachments.upload({ spaceId, name: 'big.log', data: chunked(pieces(text, 7_777)) });
    expect(textUpload).toMatchObject({ mimeType: 'text/plain', size: text.length });

    const image = Buffer.concat([png(40, 30), Buffer.alloc(700_000)]);
    const imageUpload = await attachments.upload({ spaceId, name: 'big.png', data: chunked(pieces(image, 65_536)) });
    expect(imageUpload).toMatchObject({ mimeType: 'image/png', width: 40, height: 30, size: image.length });
  });

  it('reads magic numbers past the head through the staged blob', async () => {
    const probe = createContentProbe(4);
    const data = pdf();
    probe.observe(data);
    const result = probe.finish();
    expect(result).toMatchObject({ complete: false, size: data.length, text: true });
    const open = () => Readable.from([data], { objectMode: false });
    expect(await sniffContent(result, 'x', open)).toEqual({ mimeType: 'application/pdf' });
  });

  it('leaves out dimensions an image header does not give', async () => {
    const broken = png(2, 2).subarray(0, 20); // signature, then a truncated IHDR
    const uploaded = await attachments.upload({ spaceId, name: 'broken.png', data: broken });
    expect(uploaded.mimeType).toBe('image/png');
    expect(uploaded).not.toHaveProperty('width');
    expect(uploaded).not.toHaveProperty('height');
  });
});

describe('names', () => {
  let spaceId: string;
  beforeAll(async () => {
    spaceId = await newSpace();
  });

  it.each([
    ['empty', ''],
    ['blank', '  \t '],
    ['only control characters', '\u0000\u0007'],
    ['256 characters', 'x'.repeat(252) + '.txt'],
  ])('failing: refuses a name that is %s, naming the parameter and reading nothing', async (_what, name) => {
    const data = chunked([Buffer.from('abc')]);
    const error = await attachments.upload({ spaceId, name, data }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', details: { parameter: 'name' } });
    expect(data.destroyed).toBe(true);
    expect(await rowsOf(spaceId)).toBe(0);
  });

  it('trims names, drops control characters and accepts 255 characters', async () => {
    const long = 'é'.repeat(251) + '.txt';
    expect((await attachments.upload({ spaceId, name: long, data: Buffer.from('1') })).name).toBe(long);
    expect((await attachments.upload({ spaceId, name: '  a\nb\u0000.txt  ', data: Buffer.from('2') })).name).toBe(
      'ab.txt',
    );
  });

  it('failing: refuses a space that does not exist', async () => {
    await expect(
      attachments.upload({ spaceId: 'spcMissing0001', name: 'a.txt', data: Buffer.from('x') }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND', details: { parameter: 'space' } });
  });
});

describe('content-addressed storage', () => {
  it('stores identical bytes once, keeps a row per upload and counts the bytes once per space', async () => {
    const [one, two] = [await newSpace(), await newSpace()];
    const data = png(8, 8, [1, 2, 3]);
    const first = await attachments.upload({ spaceId: one, name: 'a.png', data, userId: 'usrSomeone01' });
    const again = await attachments.upload({ spaceId: one, name: 'b.png', data: chunked(pieces(data, 10)) });
    const elsewhere = await attachments.upload({ spaceId: two, name: 'c.png', data });

    expect(new Set([first.id, again.id, elsewhere.id]).size).toBe(3);
    expect(new Set([first.token, again.token, elsewhere.token]).size).toBe(3);
    expect([first.name, again.name]).toEqual(['a.png', 'b.png']);
    expect((await attachments.usage(one)).used).toBe(data.length);
    expect((await attachments.usage(two)).used).toBe(data.length);

    const files = await filesUnder(root);
    expect(files.filter((file) => file === blobFile(data))).toHaveLength(1);
    expect(await readFile(path.join(root, blobFile(data)))).toEqual(data);
    const rows = await inst.db.prisma.attachment.findMany({
      where: { id: { in: [first.id, again.id, elsewhere.id] } },
    });
    expect(new Set(rows.map((row) => row.sha256))).toEqual(new Set([sha256(data)]));
    expect(rows.find((row) => row.id === first.id)?.createdBy).toBe('usrSomeone01');
    expect(await tempFiles()).toEqual([]);
  });

  it('does not rewrite a blob that is already there', async () => {
    const data = Buffer.from('written once');
    const first = await storage.put(data);
    const file = path.join(root, blobFile(data));
    const past = new Date(Date.now() - 60_000);
    await utimes(file, past, past);
    const { ino } = await stat(file);
    const second = await storage.put(chunked([data]));
    expect(first).toEqual({ key: sha256(data), sha256: sha256(data), size: data.length, created: true });
    expect(second).toMatchObject({ key: sha256(data), created: false });
    const after = await stat(file);
    expect([after.ino, Math.round(after.mtimeMs)]).toEqual([ino, past.getTime()]);
    expect(await buffer(await storage.open(first.key))).toEqual(data);
  });

  it('repairs a damaged blob from a fresh upload of the same bytes', async () => {
    const data = Buffer.from('to be damaged');
    const { key } = await storage.put(data);
    await writeFile(path.join(root, blobFile(data)), 'to be');
    expect(await storage.put(data)).toMatchObject({ created: true });
    expect(await storage.stat(key)).toEqual({ size: data.length });
  });

  it('stages privately: nothing under the final name before commit, nothing at all after discard', async () => {
    const data = Buffer.from('staged only');
    const staged = await storage.stage(data);
    expect(await storage.stat(staged.key)).toBeUndefined();
    expect(await buffer(staged.open())).toEqual(data);
    await staged.discard();
    await staged.discard();
    expect(await filesUnder(root)).not.toContain(blobFile(data));
    expect(await tempFiles()).toEqual([]);
  });

  it('answers unknown and malformed keys as missing blobs', async () => {
    const missing = sha256(Buffer.from('never stored'));
    await expect(storage.open(missing)).rejects.toBeInstanceOf(BlobNotFoundError);
    await expect(storage.open('../../etc/passwd')).rejects.toBeInstanceOf(BlobNotFoundError);
    expect(await storage.stat('../x')).toBeUndefined();
    expect(await storage.remove(missing)).toBe(false);
    const { key } = await storage.put(Buffer.from('short-lived'));
    expect(await storage.remove(key)).toBe(true);
    expect(await storage.stat(key)).toBeUndefined();
  });

  it('sweeps temp files a crashed process left behind, and only old ones', async () => {
    await storage.stage(Buffer.from('fresh, still in use'));
    const crashed = path.join(root, '.tmp', 'crashed.part');
    await writeFile(crashed, 'half an upload');
    const past = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000);
    await utimes(crashed, past, past);
    expect(await storage.sweepTemp()).toBe(1);
    expect(await tempFiles()).toHaveLength(1);
    expect(await storage.sweepTemp(0)).toBe(1);
    expect(await tempFiles()).toEqual([]);
  });
});

describe('atomic uploads', () => {
  it('failing: a stream that breaks mid-way leaves no blob, no temp file, no row and no usage', async () => {
    const spaceId = await newSpace();
    const data = binary(4096, 99);
    const before = await filesUnder(root);
    const error = await attachments
      .upload({ spaceId, name: 'partial.bin', data: chunked(pieces(data, 1024), { failAfter: 2 }) })
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe('client went away');
    expect(await filesUnder(root)).toEqual(before);
    expect(await rowsOf(spaceId)).toBe(0);
    expect((await attachments.usage(spaceId)).used).toBe(0);
  });

  it('failing: a stream that breaks before its first byte leaves nothing either', async () => {
    const spaceId = await newSpace();
    const before = await filesUnder(root);
    await expect(
      attachments.upload({ spaceId, name: 'nothing.bin', data: chunked([Buffer.from('x')], { failAfter: 0 }) }),
    ).rejects.toThrow('client went away');
    expect(await filesUnder(root)).toEqual(before);
    expect(await rowsOf(spaceId)).toBe(0);
  });
});

describe('capacity', () => {
  it('defaults by plan and honours a per-space override', async () => {
    const free = await newSpace();
    expect(await attachments.usage(free)).toEqual({ used: 0, capacity: GB });
    await inst.services.spaces.setPlan(free, 'PLUS');
    expect((await attachments.usage(free)).capacity).toBe(10 * GB);
    const limited = await newSpace({ plan: 'PRO', capacity: 12_345 });
    expect(await attachments.usage(limited)).toEqual({ used: 0, capacity: 12_345 });
    await expect(attachments.usage('spcMissing0001')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('failing: an upload past the capacity is refused and records nothing', async () => {
    const spaceId = await newSpace({ capacity: 1_000 });
    const kept = binary(600, 1);
    await attachments.upload({ spaceId, name: 'kept.bin', data: kept });
    const before = await filesUnder(root);

    for (const data of [
      binary(600, 2),
      chunked(pieces(binary(600, 3), 100)),
      chunked(pieces(binary(50_000, 4), 1_000)),
    ]) {
      const error = await attachments.upload({ spaceId, name: 'more.bin', data }).catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: 'CAPACITY_EXCEEDED',
        message: 'The Space has reached its maximum attachment capacity',
      });
      if (!Buffer.isBuffer(data)) expect(data.destroyed).toBe(true);
    }
    expect(await filesUnder(root)).toEqual(before);
    expect(await rowsOf(spaceId)).toBe(1);
    expect(await attachments.usage(spaceId)).toEqual({ used: 600, capacity: 1_000 });
  });

  it('fills a space exactly, then accepts content it already holds at no cost', async () => {
    const spaceId = await newSpace({ capacity: 1_000 });
    const [a, b] = [binary(400, 5), binary(600, 6)];
    await attachments.upload({ spaceId, name: 'a.bin', data: a });
    await attachments.upload({ spaceId, name: 'b.bin', data: b });
    expect((await attachments.usage(spaceId)).used).toBe(1_000);
    expect((await attachments.upload({ spaceId, name: 'a-again.bin', data: a })).size).toBe(400);
    await expect(attachments.upload({ spaceId, name: 'c.bin', data: binary(1, 7) })).rejects.toMatchObject({
      code: 'CAPACITY_EXCEEDED',
    });
    expect(await attachments.usage(spaceId)).toEqual({ used: 1_000, capacity: 1_000 });
  });

  it('lets exactly one of two concurrent uploads through when together they exceed what is left', async () => {
    const spaceId = await newSpace({ capacity: 1_000 });
    const [x, y] = [binary(600, 8), binary(600, 9)];
    const results = await Promise.allSettled([
      attachments.upload({ spaceId, name: 'x.bin', data: chunked(pieces(x, 50)) }),
      attachments.upload({ spaceId, name: 'y.bin', data: chunked(pieces(y, 50)) }),
    ]);
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected.map((r) => (r.reason as { code?: string }).code)).toEqual(['CAPACITY_EXCEEDED']);
    expect(await attachments.usage(spaceId)).toEqual({ used: 600, capacity: 1_000 });
    expect(await rowsOf(spaceId)).toBe(1);
    const files = await filesUnder(root);
    expect([files.includes(blobFile(x)), files.includes(blobFile(y))].filter(Boolean)).toHaveLength(1);
    expect(await tempFiles()).toEqual([]);
  });

  it('counts concurrent uploads of the same bytes once', async () => {
    const spaceId = await newSpace({ capacity: 1_000 });
    const data = binary(600, 10);
    const uploads = await Promise.all(
      ['1.bin', '2.bin', '3.bin'].map((name) =>
        attachments.upload({ spaceId, name, data: chunked(pieces(data, 100)) }),
      ),
    );
    expect(new Set(uploads.map((u) => u.token)).size).toBe(3);
    expect(await attachments.usage(spaceId)).toEqual({ used: 600, capacity: 1_000 });
  });

  it('failing: refuses a file over the per-file limit with LIMIT_EXCEEDED', async () => {
    const small = createAttachmentService({
      prisma: inst.db.prisma,
      storage,
      publicUrl: PUBLIC_URL,
      maxFileBytes: 100,
    });
    const spaceId = await newSpace();
    const before = await filesUnder(root);
    await expect(small.upload({ spaceId, name: 'big.bin', data: binary(101, 11) })).rejects.toMatchObject({
      code: 'LIMIT_EXCEEDED',
      message: 'The attachment size exceeds 100 bytes',
    });
    expect(await filesUnder(root)).toEqual(before);
    expect((await small.upload({ spaceId, name: 'fits.bin', data: binary(100, 11) })).size).toBe(100);
  });
});

describe('lookups and downloads', () => {
  let one: string;
  let two: string;
  beforeAll(async () => {
    [one, two] = [await newSpace(), await newSpace()];
  });

  it('finds only the given space’s tokens', async () => {
    const mine = await attachments.upload({ spaceId: one, name: 'mine.png', data: png(4, 3) });
    const theirs = await attachments.upload({ spaceId: two, name: 'theirs.txt', data: Buffer.from('secret') });
    const found = await attachments.findByTokens(one, [mine.token, theirs.token, 'spcNope/xyz', '', mine.token]);
    expect([...found.keys()]).toEqual([mine.token]);
    expect(found.get(mine.token)).toEqual({
      id: mine.id,
      token: mine.token,
      name: 'mine.png',
      size: png(4, 3).length,
      mimeType: 'image/png',
      width: 4,
      height: 3,
    });
    expect((await attachments.findByTokens(two, [mine.token, theirs.token])).has(theirs.token)).toBe(true);
    expect((await attachments.findByTokens(one, [])).size).toBe(0);
  });

  it('opens a file by token, within its space only', async () => {
    const data = Buffer.from('download me');
    const { token } = await attachments.upload({ spaceId: one, name: 'dl.txt', data });
    const opened = await attachments.open(token);
    expect({ ...opened, stream: undefined }).toEqual({
      stream: undefined,
      mimeType: 'text/plain',
      size: data.length,
      name: 'dl.txt',
    });
    expect(await buffer(opened.stream)).toEqual(data);
    expect(await buffer((await attachments.open(token, one)).stream)).toEqual(data);
    for (const [t, space] of [
      [token, two],
      ['spcNope/unknown', undefined],
    ] as const) {
      await expect(attachments.open(t, space)).rejects.toMatchObject({
        code: 'NOT_FOUND',
        details: { parameter: 'token' },
      });
    }
  });

  it('builds cell items without undefined keys and urls with each token segment encoded', async () => {
    expect(
      toCellItem({ id: 'atc1', token: 't', name: 'n', size: 1, mimeType: 'text/plain', width: undefined }),
    ).toEqual({
      id: 'atc1',
      token: 't',
      name: 'n',
      size: 1,
      mimeType: 'text/plain',
    });
    expect(
      Object.keys(
        attachments.toCellItem({ id: 'a', token: 't', name: 'n', size: 1, mimeType: 'image/png', width: 2, height: 3 }),
      ),
    ).toEqual(['id', 'token', 'name', 'size', 'mimeType', 'width', 'height']);
    expect(attachments.url('spcAbc/x y?#%')).toBe(`${PUBLIC_URL}/attachments/spcAbc/x%20y%3F%23%25`);
  });
});

describe('pre-signed uploads', () => {
  it('caps an upload through a slot at the file limit, storing nothing and keeping the slot', async () => {
    const small = createAttachmentService({
      prisma: inst.db.prisma,
      storage,
      publicUrl: PUBLIC_URL,
      maxFileBytes: 100,
    });
    const uploads = createPresignedUploadService({
      prisma: inst.db.prisma,
      attachments: small,
      uploadUrl: (secret) => `${PUBLIC_URL}/up/${secret}`,
    });
    const spaceId = await newSpace();
    const datasheetId = newId('datasheet');
    await inst.db.prisma.node.create({
      data: { id: datasheetId, spaceId, type: 'DATASHEET', name: 'Sheet', position: 0 },
    });
    await inst.db.prisma.datasheet.create({ data: { id: datasheetId, spaceId } });
    const [slot] = await uploads.issue({ spaceId, userId: null }, datasheetId, 1);
    const secret = slot!.uploadUrl.split('/').pop()!;
    const before = await filesUnder(root);
    await expect(
      uploads.upload(secret, { name: 'big.bin', data: chunked(pieces(binary(101, 12), 10)) }),
    ).rejects.toMatchObject({
      code: 'LIMIT_EXCEEDED',
      message: 'The attachment size exceeds 100 bytes',
    });
    expect([await filesUnder(root), await rowsOf(spaceId)]).toEqual([before, 0]);
    expect(await uploads.upload(secret, { name: 'fits.bin', data: binary(100, 12) })).toMatchObject({
      token: slot!.token,
      size: 100,
    });

    // Slots are purged a day after they expire, used or not; the attachment stays.
    const [fresh] = await uploads.issue({ spaceId, userId: null }, datasheetId, 1);
    await inst.db.prisma.presignedUpload.updateMany({
      where: { token: slot!.token },
      data: { expiresAt: new Date(Date.now() - 25 * 3600_000) },
    });
    expect(await uploads.purgeExpired()).toBe(1);
    expect((await inst.db.prisma.presignedUpload.findMany({ where: { datasheetId } })).map((s) => s.token)).toEqual([
      fresh!.token,
    ]);
    expect(await rowsOf(spaceId)).toBe(1);
  });
});
