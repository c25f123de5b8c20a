import type { Queryable } from './queryable.js';
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import type { PGlite } from '@electric-sql/pglite';
import { isBackground } from './background.js';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../../prisma/generated/client/client.js';
import { beforeCommit } from './commit-scope.js';

export type { PrismaClient };

export type { Queryable } from './queryable.js';

/**
 * A raw connection for what Prisma's model API cannot do or does too slowly: multi-statement SQL
 * (migrations), and the set-based record write path (Prisma's raw queries cost about 2.4× a direct
 * driver call for a 1,000-row insert, measured on PostgreSQL).
 */
export interface SqlSession extends Queryable {
  exec(sql: string): Promise<void>;
}

/** Runs store functions on a Prisma client or interactive transaction. */
export function asQueryable(db: {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
}): Queryable {
  return { query: <Row>(sql: string, params: unknown[] = []) => db.$queryRawUnsafe<Row[]>(sql, ...params) };
}

/**
 * Statements sent to the database, counted when asked for (tests and measurements): every query a raw
 * session, Prisma or a transaction sends, BEGIN and COMMIT included. On PostgreSQL each is one round trip.
 */
export interface RoundTripCounter {
  /** Statements sent by requests and other foreground work. */
  count: number;
  /** Statements sent by background work (background.ts: the change feed's dispatcher and consumers). */
  background: number;
}

function tally(counter: RoundTripCounter, statements = 1): void {
  if (isBackground()) counter.background += statements;
  else counter.count += statements;
}

export interface Database extends Queryable {
  kind: 'pglite' | 'postgres';
  /** Present when opened with `countRoundTrips`. */
  roundTrips?: RoundTripCounter;
  prisma: PrismaClient;
  /** Runs `fn` inside one transaction on a raw session; rolls back if it throws. */
  transaction<T>(fn: (session: SqlSession) => Promise<T>): Promise<T>;
  /**
   * Embedded only: `listener` prepares a replacement instance, opened after the current one broke (see
   * pglite-supervisor.ts), before it serves; e.g. migrates an in-memory database again.
   */
  onReopen?(listener: (db: Queryable & Pick<Database, 'transaction'>) => Promise<void>): void;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres://… selects PostgreSQL; absent selects embedded PGlite under dataDir. */
  databaseUrl?: string | undefined;
  dataDir: string;
  /** In-memory PGlite, for tests that do not need files. */
  inMemory?: boolean;
  poolSize?: number;
  /** Count the statements sent (Database.roundTrips); off in production. */
  countRoundTrips?: boolean;
  /** PostgreSQL: `statement_timeout` of every session (0 = none). */
  statementTimeoutMs?: number;
  /** PostgreSQL: how long a caller waits for a pooled connection before failing (0 = forever). */
  poolTimeoutMs?: number;
  /** Embedded: told when the instance broke and is being replaced (for a log line). */
  onBroken?: (reason: unknown) => void;
}

export const DEFAULT_STATEMENT_TIMEOUT_MS = 15_000;
export const DEFAULT_POOL_TIMEOUT_MS = 10_000;

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const counter = options.countRoundTrips ? { count: 0, background: 0 } : undefined;
  const db = options.databaseUrl
    ? await openPostgres(options.databaseUrl, options, counter)
    : await openPglite(options, counter);
  return counter ? { ...db, roundTrips: counter } : db;
}

/** The PGlite instance seen through a counter of the statements it runs (transactions: BEGIN, each statement, COMMIT). */
function countingPglite(pglite: PGlite, counter: RoundTripCounter): PGlite {
  type Tx = Parameters<Parameters<PGlite['transaction']>[0]>[0];
  return countStatements(pglite, counter, (prop, target) =>
    prop === 'transaction'
      ? <T>(fn: (tx: Tx) => Promise<T>) => {
          tally(counter, 2); // BEGIN and COMMIT (or ROLLBACK)
          return target.transaction((tx) => fn(countStatements(tx, counter)));
        }
      : undefined,
  );
}

type AnyFunction = (...args: unknown[]) => unknown;

/** `object` with each call of query/exec/sql counted; `special` may replace other methods. */
function countStatements<T extends object>(
  object: T,
  counter: RoundTripCounter,
  special?: (prop: PropertyKey, target: T) => unknown,
): T {
  return new Proxy(object, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      if (prop === 'query' || prop === 'exec' || prop === 'sql') {
        return (...args: unknown[]) => {
          tally(counter);
          return (value as AnyFunction).apply(target, args);
        };
      }
      return special?.(prop, target) ?? (value as AnyFunction).bind(target);
    },
  });
}

async function openPglite(options: DatabaseOptions, counter: RoundTripCounter | undefined): Promise<Database> {
  const dir = path.join(options.dataDir, 'pgdata');
  if (!options.inMemory) await mkdir(dir, { recursive: true });
  // Loaded only here: a server on PostgreSQL never holds the embedded database's code (about 20 MB resident).
  const [{ PGlite }, { superviseDatabase }, { PrismaPGlite }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('./pglite-supervisor.js'),
    import('pglite-prisma-adapter'),
  ]);
  const supervisor = await superviseDatabase({
    open: () => (options.inMemory ? PGlite.create() : PGlite.create(dir)),
    wrap: counter ? (pglite) => countingPglite(pglite, counter) : undefined,
    onBroken: options.onBroken,
  });
  const pglite = supervisor.client;
  const prisma = withCommitHooks(new PrismaClient({ adapter: new PrismaPGlite(pglite) }));
  const raw = (client: PGlite) => ({
    query: async <Row>(sql: string, params?: unknown[]) => (await client.query<Row>(sql, params)).rows,
    transaction: <T>(fn: (session: SqlSession) => Promise<T>) =>
      client.transaction(async (tx) => {
        const session: SqlSession = {
          exec: async (sql) => void (await tx.exec(sql)),
          query: async <Row>(sql: string, params?: unknown[]) => (await tx.query<Row>(sql, params)).rows,
        };
        const result = await fn(session);
        await beforeCommit(session);
        return result;
      }),
  });
  return {
    kind: 'pglite',
    prisma,
    ...raw(pglite),
    onReopen: (listener) => supervisor.onReopen((client) => listener(raw(client))),
    async close() {
      await prisma.$disconnect();
      await supervisor.close();
    },
  };
}

/** Interactive transactions (`$transaction(async (tx) => …)`) run the commit scope's hook last (commit-scope.ts). */
function withCommitHooks(prisma: PrismaClient): PrismaClient {
  const original = prisma.$transaction.bind(prisma) as (arg: unknown, options?: unknown) => Promise<unknown>;
  const hooked = (arg: unknown, options?: unknown) =>
    typeof arg === 'function'
      ? original(async (tx: Parameters<typeof asQueryable>[0]) => {
          const result: unknown = await (arg as (tx: unknown) => Promise<unknown>)(tx);
          await beforeCommit(asQueryable(tx));
          return result;
        }, options)
      : original(arg, options);
  Object.defineProperty(prisma, '$transaction', { value: hooked, configurable: true, writable: true });
  return prisma;
}

/** A pg client class that counts every query it sends (Prisma's, raw ones, BEGIN/COMMIT). */
function countingClient(counter: RoundTripCounter): typeof pg.Client {
  return class CountingClient extends pg.Client {
    override query(...args: unknown[]): never {
      tally(counter);
      return (super.query as (...a: unknown[]) => never)(...args);
    }
  } as typeof pg.Client;
}

async function openPostgres(
  url: string,
  options: DatabaseOptions,
  counter: RoundTripCounter | undefined,
): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    // A statement running longer is cancelled by the server (SQLSTATE 57014, answered 503), and a caller
    // waiting longer for a connection fails instead of queueing forever behind a saturated pool.
    statement_timeout: options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
    connectionTimeoutMillis: options.poolTimeoutMs ?? DEFAULT_POOL_TIMEOUT_MS,
    ...(counter ? { Client: countingClient(counter) } : {}),
  });
  // An idle client losing its server connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const prisma = withCommitHooks(new PrismaClient({ adapter: new PrismaPg(pool) }));
  return {
    kind: 'postgres',
    prisma,
    query: async <Row>(sql: string, params?: unknown[]) => (await pool.query(sql, params as unknown[])).rows as Row[],
    async transaction(fn) {
      const client = await pool.connect();
      // A checked-out client has no listener of the pool's: a connection lost between two statements would be an
      // unhandled 'error' event (the process would stop). Kept, and the client destroyed on release.
      let lost: Error | undefined;
      const onError = (error: Error) => {
        lost = error;
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const session: SqlSession = {
          exec: async (sql) => void (await client.query(sql)),
          query: async <Row>(sql: string, params?: unknown[]) =>
            (await client.query(sql, params as unknown[])).rows as Row[],
        };
        const result = await fn(session);
        await beforeCommit(session);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.off('error', onError);
        client.release(lost);
      }
    },
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}
