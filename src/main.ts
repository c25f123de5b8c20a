import { ConfigError, loadConfig, type Config } from './config.js';
import { DataDirLockedError } from './db/data-dir-lock.js';
import { MigrationError } from './db/migrate.js';
import type { Bootstrapped } from './domain/spaces/bootstrap.js';
import { createLogger, describeError } from './logger.js';
import { buildApp } from './server.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config);
  const app = await buildApp(config, { logger });
  await app.start();
  logger.info(
    { url: config.publicUrl, database: app.databaseKind, migrationsApplied: app.appliedMigrations.length },
    'server started',
  );
  printBanner(config, app.bootstrapped);

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: describeError(error) }, 'shutdown failed');
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
