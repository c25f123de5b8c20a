import type { Config } from './config.js';
import { openDatabase, type Database } from './db/client.js';
import { acquireDataDirLock, type DataDirLock, type LockInfo } from './db/data-dir-lock.js';
import { migrate, readMigrations } from './db/migrate.js';
import { createServices, type Services } from './services.js';
import { createRateLimiter } from './ratelimit/limiter.js';
import { describeError, type Logger } from './logger.js';

export interface Installation {
  db: Database;
  services: Services;
  /** Held while the embedded database is open; absent on PostgreSQL. */
  lock: DataDirLock | undefined;
  appliedMigrations: string[];
  close(): Promise<void>;
}

export interface OpenOptions {
  role: LockInfo['role'];
  /** Embedded database in memory (tests); takes no lock. */
  inMemory?: boolean;
  logger?: Logger;
  /** Count the statements sent to the database (tests, measurements). */
  countRoundTrips?: boolean;
}

/** Opens the database (taking the data-directory lock for PGlite), migrates it and wires the services. */
export async function openInstallation(config: Config, options: OpenOptions): Promise<Installation> {
  const embedded = !config.databaseUrl;
  const lock = embedded && !options.inMemory ? await acquireDataDirLock(config.dataDir, options.role) : undefined;
  let db: Database | undefined;
  try {
    db = await openDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      inMemory: options.inMemory ?? false,
      countRoundTrips: options.countRoundTrips ?? false,
      statementTimeoutMs: config.statementTimeoutMs,
      poolTimeoutMs: config.poolTimeoutMs,
      onBroken: (reason) =>
        options.logger?.error({ err: describeError(reason) }, 'embedded database broke; reopening it'),
    });
    const migrations = await readMigrations();
    const appliedMigrations = await migrate(db, migrations);
    // A replacement embedded instance (after the current one broke) is migrated before it serves: a no-op on
    // the data directory, the whole schema again in memory.
    db.onReopen?.((fresh) => migrate({ ...db!, ...fresh }, migrations).then(() => {}));
    const opened = db;
    const limiter = createRateLimiter(config.rateLimit, { redisUrl: config.redisUrl, logger: options.logger });
    const services = createServices(opened, {
      config,
      expectedMigrations: migrations.length,
      limiter,
      onListenerError: (error) => options.logger?.error({ err: describeError(error) }, 'change listener failed'),
      onWebhookDisabled: (webhookId, reason) => options.logger?.warn({ webhookId, reason }, 'webhook disabled'),
    });
    return {
      db: opened,
      services,
      lock,
      appliedMigrations,
      async close() {
        services.live.close();
        await services.webhookDelivery.stop();
        await services.feed.close();
        services.indexing.stop();
        await services.indexing.idle();
        await services.feed.close();
        await limiter.close();
        await opened.close();
        await lock?.release();
      },
    };
  } catch (error) {
    await db?.close().catch(() => {});
    await lock?.release();
    throw error;
  }
}
