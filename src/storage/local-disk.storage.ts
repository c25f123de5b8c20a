import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import {
  BlobNotFoundError,
  BlobTooLargeError,
  isBlobKey,
  releaseSource,
  type AttachmentStorage,
  type BlobSource,
  type StageOptions,
  type StagedBlob,
} from '../domain/attachments/storage.js';

/** Staged uploads live here, inside the root, so publishing one is a rename within one filesystem. */
const TEMP_DIR = '.tmp';
const DAY_MS = 24 * 60 * 60 * 1000;

export interface LocalDiskStorage extends AttachmentStorage {
  root: string;
  /** Removes staged files a crashed process left behind; returns how many. */
  sweepTemp(olderThanMs?: number): Promise<number>;
}

/**
 * Blobs as files under `root`, at `<root>/<ab>/<cd>/<sha256>`. A blob is streamed to a private temp file
 * while it is hashed, fsynced, then renamed into place and its directory fsynced: a file under a final
 * name is always complete, and a failed upload leaves nothing behind.
 */
export function createLocalDiskStorage(root: string): LocalDiskStorage {
  const tempDir = path.join(root, TEMP_DIR);
  const blobPath = (key: string) =>
    isBlobKey(key) ? path.join(root, key.slice(0, 2), key.slice(2, 4), key) : undefined;

  async function stage(data: BlobSource, options: StageOptions = {}): Promise<StagedBlob> {
    let temp: string;
    let written: { sha256: string; size: number };
    try {
      await mkdir(tempDir, { recursive: true });
      temp = path.join(tempDir, `${randomBytes(16).toString('hex')}.part`);
      written = await writeTemp(temp, data, options.maxBytes);
    } catch (error) {
      releaseSource(data);
      throw error;
    }
    const { sha256, size } = written;
    let state: 'staged' | 'committed' | 'discarded' = 'staged';
    return {
      key: sha256,
      sha256,
      size,
      open: () => createReadStream(temp),
      async commit() {
        if (state !== 'staged') throw new Error(`Blob ${sha256} was already ${state}`);
        const created = await publish(temp, blobPath(sha256)!, size);
        state = 'committed';
        return { created };
      },
      async discard() {
        if (state !== 'staged') return;
        state = 'discarded';
        await unlinkQuietly(temp);
      },
    };
  }

  /** Renames the temp file into place, unless a complete identical blob is already there. */
  async function publish(temp: string, final: string, size: number): Promise<boolean> {
    const existing = await stat(final).catch(() => undefined);
    // Same sha256 means same bytes; a size mismatch can only be damage, which the fresh copy repairs.
    if (existing?.size === size) {
      await unlinkQuietly(temp);
      return false;
    }
    const dir = path.dirname(final);
    const madeDirs = await mkdir(dir, { recursive: true });
    // Two uploads of the same bytes may both get here; rename is atomic and both files are identical.
    await rename(temp, final);
    await syncDir(dir);
    if (madeDirs) {
      await syncDir(path.dirname(dir));
      await syncDir(root);
    }
    return true;
  }

  async function put(data: BlobSource, options?: StageOptions) {
    const staged = await stage(data, options);
    try {
      const { created } = await staged.commit();
      return { key: staged.key, sha256: staged.sha256, size: staged.size, created };
    } catch (error) {
      await staged.discard();
      throw error;
    }
  }

  async function openBlob(key: string) {
    const file = blobPath(key);
    if (!file) throw new BlobNotFoundError(key);
    let handle: FileHandle;
    try {
      handle = await open(file, 'r');
    } catch (error) {
      if (isNotFound(error)) throw new BlobNotFoundError(key);
      throw error;
    }
    return handle.createReadStream();
  }

  async function statBlob(key: string) {
    const file = blobPath(key);
    const found = file ? await stat(file).catch(() => undefined) : undefined;
    return found?.isFile() ? { size: found.size } : undefined;
  }

  async function remove(key: string) {
    const file = blobPath(key);
    return file ? unlinkQuietly(file) : false;
  }

  async function sweepTemp(olderThanMs = DAY_MS) {
    const names = await readdir(tempDir).catch(() => [] as string[]);
    let removed = 0;
    for (const name of names) {
      const file = path.join(tempDir, name);
      const info = await stat(file).catch(() => undefined);
      if (info && Date.now() - info.mtimeMs >= olderThanMs && (await unlinkQuietly(file))) removed += 1;
    }
    return removed;
  }

  return { root, stage, put, open: openBlob, stat: statBlob, remove, sweepTemp };
}

/** Streams `data` into a new file while hashing it; on any failure the file is removed. */
async function writeTemp(temp: string, data: BlobSource, maxBytes: number | undefined) {
  const hash = createHash('sha256');
  let size = 0;
  const handle = await open(temp, 'wx');
  let handleOpen = true;
  try {
    for await (const chunk of chunks(data)) {
      size += chunk.byteLength;
      if (maxBytes !== undefined && size > maxBytes) throw new BlobTooLargeError(maxBytes);
      hash.update(chunk);
      await writeAll(handle, chunk);
    }
    await handle.sync();
    handleOpen = false;
    await handle.close();
  } catch (error) {
    if (handleOpen) await handle.close().catch(() => {});
    await unlinkQuietly(temp).catch(() => {});
    throw error;
  }
  return { sha256: hash.digest('hex'), size };
}

async function* chunks(data: BlobSource): AsyncGenerator<Uint8Array> {
  if (data instanceof Uint8Array) {
    yield data;
    return;
  }
  for await (const chunk of data) yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
}

async function writeAll(handle: FileHandle, chunk: Uint8Array) {
  let offset = 0;
  while (offset < chunk.byteLength) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.byteLength - offset);
    offset += bytesWritten;
  }
}

async function syncDir(dir: string) {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function unlinkQuietly(file: string): Promise<boolean> {
  try {
    await unlink(file);
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

const isNotFound = (error: unknown) => (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
