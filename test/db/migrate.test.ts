import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, MigrationError, readMigrations, type Migration } from '../../src/db/migrate.js';
import { emptyDatabase } from '../support/db.js';

type Db = Awaited<ReturnType<typeof emptyDatabase>>;
let db: Db;
beforeEach(async () => {
  db = await emptyDatabase();
});
afterEach(async () => {
  await db.dispose();
});

const migration = (name: string, sql: string): Migration => ({
  name,
  sql,
  checksum: createHash('sha256').update(sql).digest('hex'),
});

async function tables(): Promise<string[]> {
  const rows = await db.transaction((s) =>
    s.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    ),
  );
  return rows.map((r) => r.table_name);
}

describe('migrate', () => {
  it('applies the project migrations to an empty database once, with Prisma bookkeeping', async () => {
    const local = await readMigrations();
    expect(await migrate(db)).toEqual(local.map((m) => m.name));
    expect(await migrate(db)).toEqual([]);
    const rows = await db.transaction((s) =>
      s.query<{ migration_name: string; checksum: string; applied_steps_count: number }>(
        'SELECT migration_name, checksum, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name',
      ),
    );
    expect(rows).toEqual(local.map((m) => ({ migration_name: m.name, checksum: m.checksum, applied_steps_count: 1 })));
    expect(await tables()).toContain('records');
  });

  it('applies only what is pending, in name order', async () => {
    const a = migration('20260101000000_a', 'CREATE TABLE a (id int PRIMARY KEY);');
    const b = migration('20260102000000_b', 'CREATE TABLE b (id int REFERENCES a(id));');
    expect(await migrate(db, [a])).toEqual([a.name]);
    expect(await migrate(db, [a, b])).toEqual([b.name]);
    expect(await tables()).toEqual(['_prisma_migrations', 'a', 'b']);
  });

  it('refuses to start when an applied migration was modified', async () => {
    const a = migration('20260101000000_a', 'CREATE TABLE a (id int);');
    await migrate(db, [a]);
    const edited = migration(a.name, 'CREATE TABLE a (id bigint);');
    await expect(migrate(db, [edited])).rejects.toThrow(MigrationError);
    await expect(migrate(db, [edited])).rejects.toThrow(
      /20260101000000_a was modified after it was applied \(checksum mismatch\)/,
    );
  });

  it('refuses to start when the database has a migration the code does not know', async () => {
    const a = migration('20260101000000_a', 'CREATE TABLE a (id int);');
    await migrate(db, [a]);
    await expect(migrate(db, [])).rejects.toThrow(/20260101000000_a is applied to the database but missing/);
  });

  it('rolls everything back when a migration fails, naming it', async () => {
    const a = migration('20260101000000_a', 'CREATE TABLE a (id int);');
    const broken = migration('20260102000000_broken', 'CREATE TABLE c (id int); SELECT no_such_function();');
    await expect(migrate(db, [a, broken])).rejects.toThrow(
      /Migration 20260102000000_broken failed: .*no_such_function/,
    );
    expect(await tables()).toEqual([]);
    expect(await migrate(db, [a])).toEqual([a.name]);
  });

  it('migrates once when several processes start together', async () => {
    // On PostgreSQL each call takes its own pooled connection, so the advisory lock is what serializes them.
    const results = await Promise.all([migrate(db), migrate(db), migrate(db)]);
    expect(results.filter((applied) => applied.length > 0)).toHaveLength(1);
  });
});
