import { openDatabase, type Database } from '../../src/db/client.js';
import { freshPostgresDatabase } from './database.js';

/** An empty, unmigrated database: in-memory PGlite, or a fresh database on DATABASE_URL's server. */
export async function emptyDatabase(): Promise<Database & { dispose(): Promise<void> }> {
  const pgdb = await freshPostgresDatabase();
  const db = await openDatabase({ databaseUrl: pgdb?.url, dataDir: '', inMemory: !pgdb, poolSize: 4 });
  return Object.assign(db, {
    async dispose() {
      await db.close();
      await pgdb?.drop();
    },
  });
}

/** A migrated installation (services over a fresh database) without HTTP. */
export async function testInstallation() {
  const { openInstallation } = await import('../../src/installation.js');
  const { loadConfig } = await import('../../src/config.js');
  const pgdb = await freshPostgresDatabase();
  const config = loadConfig({ DATABASE_URL: pgdb?.url, DATA_DIR: '/nonexistent' });
  const installation = await openInstallation(config, { role: 'server', inMemory: !pgdb });
  return Object.assign(installation, {
    async dispose() {
      await installation.close();
      await pgdb?.drop();
    },
  });
}
