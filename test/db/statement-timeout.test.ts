import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/client.js';
import { databaseUnavailable } from '../../src/db/unavailable.js';
import { toFusionFailure } from '../../rest/errors.js';
import { maskError } from '../../graphql/errors.js';
import { freshPostgresDatabase, onPostgres } from '../support/database.js';

describe('database timeouts: configuration', () => {
  it('reads DATABASE_STATEMENT_TIMEOUT_MS and DATABASE_POOL_TIMEOUT_MS with defaults', () => {
    expect(loadConfig({})).toMatchObject({ statementTimeoutMs: 15_000, poolTimeoutMs: 10_000 });
    expect(loadConfig({ DATABASE_STATEMENT_TIMEOUT_MS: '0', DATABASE_POOL_TIMEOUT_MS: '250' })).toMatchObject({
      statementTimeoutMs: 0,
      poolTimeoutMs: 250,
    });
    expect(() => loadConfig({ DATABASE_STATEMENT_TIMEOUT_MS: 'soon' })).toThrow(
      /DATABASE_STATEMENT_TIMEOUT_MS must be a number/,
    );
    expect(() => loadConfig({ DATABASE_POOL_TIMEOUT_MS: '-1' })).toThrow(/DATABASE_POOL_TIMEOUT_MS must be at least 0/);
  });
});

// PGlite runs one statement at a time in this process and has no statement_timeout to speak of.
describe.skipIf(!onPostgres())('database timeouts on PostgreSQL', () => {
  it('cancels a statement past statement_timeout and answers 503 without SQL', async () => {
    const pgdb = (await freshPostgresDatabase())!;
    const db = await openDatabase({ databaseUrl: pgdb.url, dataDir: '', statementTimeoutMs: 100 });
    try {
      const error = await db.prisma.$queryRawUnsafe('SELECT pg_sleep(30)').catch((e: unknown) => e);
      expect(databaseUnavailable(error)?.reason).toBe('timeout');
      const rest = toFusionFailure(error);
      expect(rest.status).toBe(503);
      expect(rest.body).toMatchObject({ success: false, code: 503, message: expect.stringMatching(/took too long/) });
      expect(JSON.stringify(rest.body)).not.toMatch(/pg_sleep|57014|SELECT/);
      const gql = maskError(error, 'Unexpected error.') as Error & {
        extensions: { code: string; http: { status: number } };
      };
      expect(gql.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', http: { status: 503 } });
      // The session is still usable after the cancellation.
      expect(await db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
      await pgdb.drop();
    }
  });

  it('fails a caller that waits past the pool timeout instead of queueing forever', async () => {
    const pgdb = (await freshPostgresDatabase())!;
    const db = await openDatabase({ databaseUrl: pgdb.url, dataDir: '', poolSize: 1, poolTimeoutMs: 100 });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let holding!: () => void;
    const holds = new Promise<void>((resolve) => (holding = resolve));
    try {
      const holder = db.transaction(async (session) => {
        await session.query('SELECT 1');
        holding();
        await held;
      });
      // The one connection is taken before the second caller asks for it.
      await holds;
      const error = await db.prisma.$queryRawUnsafe('SELECT 1').catch((e: unknown) => e);
      expect(databaseUnavailable(error)?.reason, String(error)).toBe('unavailable');
      expect(toFusionFailure(error).status).toBe(503);
      release();
      await holder;
    } finally {
      release();
      await db.close();
      await pgdb.drop();
    }
  });
});
