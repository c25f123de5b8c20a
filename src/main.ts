import v8 from 'node:v8';
import { ConfigError, loadConfig, type Config } from './config.js';
import { DataDirLockedError } from './db/data-dir-lock.js';
import { MigrationError } from './db/migrate.js';
import type { Bootstrapped } from './domain/spaces/bootstrap.js';
import { createLogger, describeError, type Logger } from './logger.js';
import { buildApp, type App } from './server.js';

/** How long a process with a fault nothing caught may take to stop its server and database before it exits anyway. */
const FATAL_STOP_MS = 5_000;

let logger: Logger | undefined;
let app: App | undefined;
let failing = false;

/**
 * A fault nothing caught (an error event or a rejected promise with no handler) leaves the process in an unknown
 * state: log it (its kind and first line, redacted, never a stack), stop taking requests and close the database
 * within a short bound, and exit 1, rather than dying mid-write with a stack on stderr.
 */
function fatal(kind: 'uncaught exception' | 'unhandled rejection', error: unknown): void {
  if (failing) return;
  failing = true;
  const err = describeError(error);
  if (logger) logger.fatal({ err }, `${kind}: stopping`);
  else process.stderr.write(`Fatal ${kind}: ${err.name}: ${err.message}\n`);
  const bound = new Promise<void>((resolve) => setTimeout(resolve, FATAL_STOP_MS));
  Promise.race([app?.stop(), bound])
    .then(
      () => logger?.info('stopped after a fatal error'),
      (stopError: unknown) => logger?.error({ err: describeError(stopError) }, 'stopping after a fatal error failed'),
    )
    // The log lines reach stdout before the exit, however busy the pipe is.
    .finally(() => (logger ? logger.flush(() => process.exit(1)) : process.exit(1)));
}

process.on('uncaughtException', (error) => fatal('uncaught exception', error));
process.on('unhandledRejection', (reason) => fatal('unhandled rejection', reason));

async function main(): Promise<void> {
  const config = loadConfig();
  // On PostgreSQL the one WebAssembly module is Prisma's query compiler, compiled at its first query: by V8's baseline
  // tier alone it keeps about 70 MB less resident code, at no measurable cost per query (issue 13). PGlite (Postgres
  // itself in WebAssembly) keeps the optimizing tier.
  if (config.databaseUrl) v8.setFlagsFromString('--liftoff-only');
  const log = (logger = createLogger(config));
  const server = (app = await buildApp(config, { logger: log }));
  await server.start();
  log.info(
    { url: config.publicUrl, database: server.databaseKind, migrationsApplied: server.appliedMigrations.length },
    'server started',
  );
  printBanner(config, server.bootstrapped);

  const shutdown = (signal: string) => {
    log.info({ signal }, 'shutting down');
    server.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: describeError(error) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

/** Human-readable start-up note on stdout; the token appears only on the run that created it. */
function printBanner(config: Config, bootstrapped: Bootstrapped | undefined): void {
  const lines = [
    '',
    `  GraphQL     ${config.publicUrl}/graphql`,
    `  Fusion API  ${config.publicUrl}/fusion/v1`,
    `  Database    ${config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.dataDir}`}`,
  ];
  if (bootstrapped) {
    lines.push(
      '',
      `  First start: created space "${bootstrapped.spaceName}" (${bootstrapped.spaceId}) and an API token with every scope.`,
      '  This token is shown once; store it now:',
      '',
      `    ${bootstrapped.secret}`,
      '',
      '  Try it:',
      `    curl -H "Authorization: Bearer ${bootstrapped.secret}" ${config.publicUrl}/fusion/v1/spaces`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof MigrationError || error instanceof DataDirLockedError) {
    process.stderr.write(`${error.message}\n`);
  } else if ((error as NodeJS.ErrnoException)?.code === 'EADDRINUSE') {
    process.stderr.write(`Cannot listen: address already in use (set PORT to another port).\n`);
  } else {
    const { name, message } = describeError(error);
    process.stderr.write(`Failed to start: ${name}: ${message}\n`);
  }
  process.exit(1);
});
