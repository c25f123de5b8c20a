import { PGlite, type Transaction } from '@electric-sql/pglite';
import { DatabaseUnavailableError } from './unavailable.js';

/**
 * The embedded database behind one stable PGlite-shaped facade, which the Prisma adapter and the raw
 * session use. It repairs two faults of the embedded stack that hostile input reaches:
 *
 * 1. PGlite runs PostgreSQL's main loop in WASM and catches what it throws. A JavaScript exception that is
 *    not PostgreSQL's own error longjmp, above all V8's `RangeError: Maximum call stack size exceeded` from
 *    a deeply nested expression (a huge formula compiles to one), is swallowed: the statement "succeeds"
 *    with no rows (a token lookup then reads as "no such token": 401) and the backend is left mid-statement:
 *    its error stack, memory contexts and transaction never unwound. Enough of these and every statement
 *    answers `ERRORDATA_STACK_SIZE exceeded` (XX000) while RSS grows. (@electric-sql/pglite 0.4,
 *    `execProtocolRawSync`: `catch (e) { if (e.status === POSTGRES_MAIN_LONGJMP) … }`.) Such an exception
 *    marks the instance broken: the statement fails, and the instance is replaced by a fresh one opened
 *    from the same data directory (crash recovery, as after kill -9) or, in memory, an empty one that
 *    `onReopen` listeners (the migrator) prepare again. Meanwhile every call answers
 *    DatabaseUnavailableError (503) and /readyz is 503.
 * 2. pglite-prisma-adapter 0.7's `PGliteTransaction.rollback()` calls `tx.rollback()` without awaiting it and
 *    then lets the transaction callback return, so PGlite, not yet seeing the transaction closed, sends a
 *    `COMMIT` after the `ROLLBACK` ("WARNING: there is no transaction in progress"). The facade's
 *    transaction awaits a started rollback before returning, so nothing follows it.
 */
export interface PgliteSupervisor {
  /** Forwards to the current instance; stable across reopening. */
  readonly client: PGlite;
  /** False while the current instance is broken or being replaced. */
  readonly available: boolean;
  /** Called after a replacement instance opened, before it serves (e.g. to migrate an in-memory database). */
  onReopen(listener: (client: PGlite) => Promise<void>): void;
  /** Settles when no replacement is under way (tests, shutdown). */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export interface SupervisorOptions {
  /** Opens a new instance (on the data directory, or in memory). */
  open: () => Promise<PGlite>;
  /** Wraps an opened instance (statement counting). */
  wrap?: (pglite: PGlite) => PGlite;
  onBroken?: (reason: unknown) => void;
}

interface Instance {
  raw: PGlite;
  client: PGlite;
  broken: unknown;
}

const POSTGRES_MAIN_LONGJMP = 100;

type Module = { _PostgresMainLoopOnce: (...args: unknown[]) => unknown };

/** Records, on the instance, any exception PGlite's main loop would swallow (see 1. above). */
function watchMainLoop(instance: Instance): void {
  const mod = (instance.raw as unknown as { Module?: Module }).Module;
  const loopOnce = mod?._PostgresMainLoopOnce;
  if (!mod || typeof loopOnce !== 'function') return;
  mod._PostgresMainLoopOnce = (...args: unknown[]) => {
    try {
      return loopOnce(...args);
    } catch (error) {
      if ((error as { status?: unknown } | null)?.status !== POSTGRES_MAIN_LONGJMP)
        instance.broken ??= error ?? 'exception';
      throw error;
    }
  };
}

/** XX000 raised once PostgreSQL's error stack overflowed: the backend cannot recover by itself. */
const isWedged = (error: unknown) => /ERRORDATA_STACK_SIZE exceeded/.test(String((error as Error | null)?.message));

export async function superviseDatabase(options: SupervisorOptions): Promise<PgliteSupervisor> {
  const make = async (): Promise<Instance> => {
    const raw = await options.open();
    const instance: Instance = { raw, client: options.wrap ? options.wrap(raw) : raw, broken: undefined };
    watchMainLoop(instance);
    return instance;
  };
  let current = await make();
  let replacing: Promise<void> | undefined;
  let closed = false;
  const listeners: ((client: PGlite) => Promise<void>)[] = [];

  function replace(instance: Instance): void {
    if (replacing || closed || instance !== current) return;
    options.onBroken?.(instance.broken);
    replacing = (async () => {
      // The broken instance is abandoned, not closed: closing runs a shutdown checkpoint from a state that
      // is no longer trustworthy. Reopening recovers from the WAL like after a crash.
      for (;;) {
        try {
          const next = await make();
          for (const listener of listeners) await listener(next.client);
          current = next;
          return;
        } catch (error) {
          options.onBroken?.(error);
          await new Promise((resolve) => setTimeout(resolve, 1_000));
          if (closed) return;
        }
      }
    })().finally(() => (replacing = undefined));
  }

  /** Runs `run` on the current instance; a broken instance fails the call and is replaced. */
  async function guarded<T>(instance: Instance, run: () => Promise<T>): Promise<T> {
    if (instance.broken || instance !== current || replacing) throw new DatabaseUnavailableError();
    try {
      const result = await run();
      if (instance.broken) throw new DatabaseUnavailableError();
      return result;
    } catch (error) {
      if (isWedged(error)) instance.broken ??= error;
      if (instance.broken) {
        replace(instance);
        throw error instanceof DatabaseUnavailableError
          ? error
          : new DatabaseUnavailableError(undefined, 'unavailable', { cause: error });
      }
      throw error;
    } finally {
      if (instance.broken) replace(instance);
    }
  }

  function guardTx(
    instance: Instance,
    tx: Transaction,
  ): { tx: Transaction; rolledBack: () => Promise<void> | undefined } {
    let rollback: Promise<void> | undefined;
    const guardedTx: Transaction = Object.create(tx, {
      query: { value: (...args: Parameters<Transaction['query']>) => guarded(instance, () => tx.query(...args)) },
      exec: { value: (...args: Parameters<Transaction['exec']>) => guarded(instance, () => tx.exec(...args)) },
      // Remembered so the transaction awaits it before returning (2. above). Not guarded: rolling back is
      // always worth trying.
      rollback: { value: () => (rollback ??= tx.rollback()) },
    }) as Transaction;
    return { tx: guardedTx, rolledBack: () => rollback };
  }

  const facade = new Proxy({} as PGlite, {
    get(_target, prop) {
      const instance = current;
      const client = instance.client;
      if (prop === 'query' || prop === 'exec') {
        const method = (client[prop] as (...args: unknown[]) => Promise<unknown>).bind(client);
        return (...args: unknown[]) => guarded(instance, () => method(...args));
      }
      if (prop === 'transaction') {
        return <T>(callback: (tx: Transaction) => Promise<T>) =>
          guarded(instance, () =>
            client.transaction(async (tx) => {
              const { tx: guardedTx, rolledBack } = guardTx(instance, tx);
              try {
                return await callback(guardedTx);
              } finally {
                // A failed rollback throws here, so PGlite rolls back itself instead of committing.
                await rolledBack();
              }
            }),
          );
      }
      const value = Reflect.get(client, prop, client) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(client) : value;
    },
  });

  return {
    client: facade,
    get available() {
      return !current.broken && !replacing && !closed;
    },
    onReopen: (listener) => void listeners.push(listener),
    settled: async () => {
      while (replacing) await replacing;
    },
    async close() {
      closed = true;
      await replacing?.catch(() => {});
      if (!current.broken) await current.raw.close();
    },
  };
}

export { PGlite };
