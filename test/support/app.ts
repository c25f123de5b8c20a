import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { loadConfig, type Config } from '../../src/config.js';
import { buildApp, type App, type BuildOptions } from '../../src/server.js';
import { freshPostgresDatabase } from './database.js';

export interface TestApp {
  app: App;
  url: string;
  config: Config;
  /** The bootstrap token (every scope) of the installation's first space. */
  token: string;
  spaceId: string;
  close(): Promise<void>;
}

/** A started server on a free port over a fresh database: in-memory PGlite, or a new PostgreSQL database. */
export async function startTestApp(
  env: Record<string, string> = {},
  options: Pick<BuildOptions, 'countRoundTrips' | 'logger'> = {},
): Promise<TestApp> {
  const pgdb = await freshPostgresDatabase();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tb-test-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: pgdb?.url,
    LOG_LEVEL: 'silent',
    ...env,
  });
  const app = await buildApp(config, {
    inMemory: !pgdb,
    logger: pino({ level: 'silent' }),
    shutdownGraceMs: 2_000,
    ...options,
  });
  await app.start(0, '127.0.0.1');
  const bootstrapped = app.bootstrapped;
  if (!bootstrapped) throw new Error('a fresh database must bootstrap');
  return {
    app,
    url: app.url(),
    config,
    token: bootstrapped.secret,
    spaceId: bootstrapped.spaceId,
    async close() {
      await app.stop();
      await pgdb?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The scope of the user behind `t`'s bootstrap token in its first space, for calling the services directly. */
export async function ownerScope(
  t: Pick<TestApp, 'app' | 'spaceId' | 'token'>,
): Promise<{ spaceId: string; userId: string }> {
  return { spaceId: t.spaceId, userId: (await t.app.services.tokens.authenticate(t.token)).userId };
}
