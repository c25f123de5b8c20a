/**
 * "The database cannot answer right now", as distinct from "the statement is wrong": a lost or refused
 * connection, an exhausted pool, a statement cancelled by `statement_timeout`, an embedded database that
 * broke and is being reopened. Transports answer these with 503 (never 401 or a 500 carrying SQL).
 */
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
  constructor(
    message = 'The database is unavailable; try again shortly',
    readonly reason: 'unavailable' | 'timeout' = 'unavailable',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const STATEMENT_TIMEOUT_MESSAGE = 'The database took too long to answer; try again or narrow the request';

/** SQLSTATEs of a database that cannot serve: connection exceptions (08…), shutdown/cannot connect, too many connections. */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[1-4]|53300|3D000)$/;
/** Driver messages of a lost or unreachable server (pg, pg-pool, PGlite, and the adapters that wrap them). */
const UNAVAILABLE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|ECONNREFUSED|ECONNRESET|Cannot use a pool after calling end|Client has encountered a connection error|PGlite is clos(ed|ing)|ERRORDATA_STACK_SIZE exceeded|The database is unavailable/;

/**
 * Classifies an error thrown by the database layer (directly, or wrapped by Prisma: the SQLSTATE sits in
 * `code`, `meta.code`, `cause` or the message). Returns undefined for errors a statement earned itself.
 */
export function databaseUnavailable(error: unknown): DatabaseUnavailableError | undefined {
  if (error instanceof DatabaseUnavailableError) return error;
  const seen = new Set<unknown>();
  for (let e: unknown = error; e && typeof e === 'object' && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    if (e instanceof DatabaseUnavailableError) return e;
    const { code, meta, message } = e as {
      code?: unknown;
      meta?: { code?: unknown; driverAdapterError?: unknown };
      message?: unknown;
    };
    const codes = [code, meta?.code].filter((c): c is string => typeof c === 'string');
    const text = typeof message === 'string' ? message : '';
    if (codes.includes('57014') || /Code: `57014`|canceling statement due to statement timeout/.test(text)) {
      return new DatabaseUnavailableError(STATEMENT_TIMEOUT_MESSAGE, 'timeout');
    }
    // Prisma's own codes for an unreachable server, a closed connection and a pool timeout.
    if (
      codes.some((c) => UNAVAILABLE_SQLSTATE.test(c) || /^P10(01|02|17)$|^P2024$/.test(c)) ||
      UNAVAILABLE_MESSAGE.test(text)
    ) {
      return new DatabaseUnavailableError();
    }
    if (meta?.driverAdapterError) e = { cause: meta.driverAdapterError };
  }
  return undefined;
}
