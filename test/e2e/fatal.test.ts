import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { freshPostgresDatabase, onPostgres } from '../support/database.js';
import { freePort, ROOT, runTs, waitReady, type Running } from '../support/process.js';

/** src/main.ts as a process, with a fault injected that nothing in the server catches. */
let dataDir: string;
let pgdb: Awaited<ReturnType<typeof freshPostgresDatabase>>;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'tb-fatal-'));
  pgdb = await freshPostgresDatabase();
});
afterAll(async () => {
  await pgdb?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

let server: Running | undefined;
afterEach(async () => {
  if (server && server.child.exitCode === null) server.child.kill('SIGKILL');
  await server?.exited;
});

it.each(['exception', 'rejection'])(
  'an uncaught %s is logged without stack or secret, and the server stops cleanly with exit code 1',
  async (fault) => {
    const port = await freePort();
    server = runTs('src/main.ts', [], {
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: pgdb?.url,
      LOG_LEVEL: 'info',
      FAULT: fault,
      NODE_OPTIONS: `--import ${path.join(ROOT, 'test/support/fault-injector.mjs')}`,
    });
    await server.waitFor(/Fusion API/);
    await waitReady(`http://127.0.0.1:${port}`);

    server.child.kill('SIGUSR2');
    expect(await server.exited).toBe(1);

    const lines = server
      .stdout()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const fatal = lines.find((line) => line.level === 60);
    expect(fatal).toMatchObject({
      err: { name: 'Error', message: 'injected fault near tbk_[redacted]' },
      msg: `${fault === 'exception' ? 'uncaught exception' : 'unhandled rejection'}: stopping`,
    });
    expect((fatal!.err as { stack?: string }).stack ?? '').toBe('');
    expect(lines.at(-1)).toMatchObject({ level: 30, msg: 'stopped after a fatal error' });
    const output = server.stdout() + server.stderr();
    expect(output).not.toContain('AAAAAAAAAA');
    expect(output).not.toContain('/secret/stack');
    expect(server.stderr()).toBe('');
    // The database was closed: the embedded one's lock on the data directory is released.
    if (!onPostgres()) await expect(stat(path.join(dataDir, 'server.lock'))).rejects.toThrow();
  },
);
