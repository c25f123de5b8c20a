import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database, SqlSession } from './client.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../prisma/migrations', import.meta.url));

/** Any constant works; it only has to be the same for every process migrating this database. */
const MIGRATION_LOCK_KEY = 72_616_001;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/** Prisma Migrate's own bookkeeping table, so `prisma migrate deploy` and this migrator agree. */
const BOOKKEEPING_DDL = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
}

/**
 * Applies pending migrations in name order, all in one transaction, under an advisory lock so that
 * several processes starting at once migrate exactly once. Refuses to go on when an applied migration's
 * file changed, is missing, or failed half-way, because the schema is then not what the code expects.
 * Returns the names it applied.
 */
export async function migrate(db: Database, migrations?: Migration[]): Promise<string[]> {
  const local = migrations ?? (await readMigrations());
  return db.transaction(async (session) => {
    // Building an index over a large table may outlast DATABASE_STATEMENT_TIMEOUT_MS; a migration runs to the end.
    await session.exec('SET LOCAL statement_timeout = 0');
    await session.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await session.exec(BOOKKEEPING_DDL);
    const applied = await session.query<AppliedRow>(
      'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL ORDER BY started_at',
    );
    verifyApplied(applied, local);
    const done = new Set(applied.map((row) => row.migration_name));
    const pending = local.filter((m) => !done.has(m.name));
    for (const migration of pending) await apply(session, migration);
    return pending.map((m) => m.name);
  });
}

function verifyApplied(applied: AppliedRow[], local: Migration[]): void {
  const byName = new Map(local.map((m) => [m.name, m]));
  for (const row of applied) {
    const migration = byName.get(row.migration_name);
    if (!row.finished_at) {
      throw new MigrationError(
        `Migration ${row.migration_name} started but never finished; inspect the database and mark it rolled back before starting again.`,
      );
    }
    if (!migration) {
      throw new MigrationError(
        `Migration ${row.migration_name} is applied to the database but missing from prisma/migrations; this code is older than the database.`,
      );
    }
    if (migration.checksum !== row.checksum) {
      throw new MigrationError(
        `Migration ${row.migration_name} was modified after it was applied (checksum mismatch); restore the original migration.sql and add a new migration instead.`,
      );
    }
  }
}

async function apply(session: SqlSession, migration: Migration): Promise<void> {
  try {
    await session.exec(migration.sql);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new MigrationError(`Migration ${migration.name} failed: ${reason}`);
  }
  await session.query(
    `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
     VALUES ($1, $2, $3, now(), now(), 1)`,
    [randomUUID(), migration.checksum, migration.name],
  );
}

/** True when the database answers and every local migration is applied. */
export async function isReady(db: Database, expected: number): Promise<boolean> {
  const rows = await db.prisma.$queryRawUnsafe<{ applied: bigint | number }[]>(
    'SELECT count(*) AS applied FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
  );
  return Number(rows[0]?.applied ?? 0) >= expected;
}
