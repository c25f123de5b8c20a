import { mkdir, open, readFile, rm, writeFile, rename } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * PGlite allows one process per data directory. The process that opens it holds `DATA_DIR/server.lock`
 * (created exclusively, holding its pid); a lock whose pid is gone is stale and taken over. A server
 * also publishes in the lock how to reach its loopback admin endpoint, so the CLI can act through it.
 */
export interface LockInfo {
  pid: number;
  role: 'server' | 'cli';
  admin?: { url: string; secret: string };
}

export class DataDirLockedError extends Error {
  override name = 'DataDirLockedError';
  constructor(
    readonly dataDir: string,
    readonly holder: LockInfo,
  ) {
    super(`Data directory ${dataDir} is in use by another process (pid ${holder.pid}, ${holder.role}).`);
  }
}

export interface DataDirLock {
  /** Publishes the admin endpoint of the server holding the lock. */
  publishAdmin(admin: { url: string; secret: string }): Promise<void>;
  release(): Promise<void>;
}

const lockPath = (dataDir: string) => path.join(dataDir, 'server.lock');

export async function acquireDataDirLock(dataDir: string, role: LockInfo['role']): Promise<DataDirLock> {
  await mkdir(dataDir, { recursive: true });
  const file = lockPath(dataDir);
  const info: LockInfo = { pid: process.pid, role };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(file, 'wx', 0o600);
      await handle.writeFile(JSON.stringify(info));
      await handle.close();
      return lockHandle(file, info);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = await readLock(dataDir);
      if (holder && isAlive(holder.pid)) throw new DataDirLockedError(dataDir, holder);
      // Stale (its process died) or half-written by a process that died: take it over.
      await rm(file, { force: true });
    }
  }
  throw new Error(`Could not take the lock on ${dataDir}`);
}

function lockHandle(file: string, info: LockInfo): DataDirLock {
  let released = false;
  return {
    async publishAdmin(admin) {
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify({ ...info, admin }), { mode: 0o600 });
      await rename(tmp, file);
    },
    async release() {
      if (released) return;
      released = true;
      const holder = readLockSync(file);
      if (holder?.pid === process.pid) await rm(file, { force: true });
    },
  };
}

/** The live holder of the lock, or undefined when the directory is free (or its lock is stale). */
export async function readLiveLock(dataDir: string): Promise<LockInfo | undefined> {
  const holder = await readLock(dataDir);
  return holder && isAlive(holder.pid) ? holder : undefined;
}

async function readLock(dataDir: string): Promise<LockInfo | undefined> {
  try {
    return parseLock(await readFile(lockPath(dataDir), 'utf8'));
  } catch {
    return undefined;
  }
}

function readLockSync(file: string): LockInfo | undefined {
  try {
    return parseLock(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function parseLock(text: string): LockInfo | undefined {
  const value = JSON.parse(text) as Partial<LockInfo>;
  return typeof value.pid === 'number' ? (value as LockInfo) : undefined;
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
