import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { createFusionRouter } from '../rest/app.js';
import { createAttachmentDownloadRouter } from '../rest/attachment-download.js';
import { graphqlBody } from '../graphql/body.js';
import { createYogaServer } from '../graphql/yoga.js';
import { attachGraphqlWs } from '../graphql/ws.js';
import { startAdminServer, type AdminServer } from './admin-server.js';
import type { Config } from './config.js';
import { bootstrapInstallation, type Bootstrapped } from './domain/spaces/bootstrap.js';
import { openInstallation } from './installation.js';
import { listenAuthChanges } from './db/auth-changes.js';
import { withRequestAuthor } from './domain/events/author.js';
import { concurrencyLimit } from './ratelimit/concurrency.js';
import { createLogger, describeError, requestLogger, type Logger } from './logger.js';

export interface BuildOptions {
  logger?: Logger;
  /** Embedded database in memory, no data-directory lock (tests). */
  inMemory?: boolean;
  /** How long stop() lets in-flight requests finish before closing their connections. */
  shutdownGraceMs?: number;
  /** Count the statements sent to the database, read through `roundTrips` (tests, measurements). */
  countRoundTrips?: boolean;
}

export type App = Awaited<ReturnType<typeof buildApp>>;

/**
 * Opens the installation and composes HTTP: Fusion REST at /fusion, GraphQL at /graphql, health probes.
 * Does not listen until start() is called.
 */
export async function buildApp(config: Config, options: BuildOptions = {}) {
  const logger = options.logger ?? createLogger(config);
  const installation = await openInstallation(config, {
    role: 'server',
    inMemory: options.inMemory ?? false,
    logger,
    countRoundTrips: options.countRoundTrips ?? false,
  });
  const { services, db } = installation;
  let bootstrapped: Bootstrapped | undefined;
  try {
    bootstrapped = await bootstrapInstallation(db.prisma);
  } catch (error) {
    await installation.close();
    throw error;
  }
  let stopping = false;

  const app = express();
  app.disable('x-powered-by');
  // No ETag: every answer is dynamic and marked no-store (the Fusion router), so hashing each body (a page of 1,000
  // records is ~150 KB) bought nothing.
  app.set('etag', false);
  app.set('trust proxy', false);
  app.locals.services = services;
  app.use(requestLogger(logger, { ignore: (url) => url === '/healthz' || url === '/readyz' }));
  app.use(concurrencyLimit(config.maxConcurrentRequestsPerToken));
  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/readyz', async (_req, res) => {
    const ready = !stopping && (await services.health.ready());
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable' });
  });
  app.use('/fusion', createFusionRouter(logger));
  app.use('/attachments', createAttachmentDownloadRouter(services));
  const yoga = createYogaServer(services, db.prisma, logger);
  app.use(yoga.graphqlEndpoint, graphqlBody, (req, res) => {
    // The change feed names each write's request and token (graphql/yoga.ts sets the token once authenticated).
    const requestId = res.getHeader('request-id');
    const author = { requestId: typeof requestId === 'string' ? requestId : null, tokenId: null };
    void withRequestAuthor(author, () => yoga(req, res));
  });
  app.use((_req: Request, res: Response) => void res.status(404).json({ error: 'Not found' }));
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    logger.error({ err: describeError(error) }, 'request failed');
    if (!res.headersSent) res.status(500).json({ error: 'Server error' });
  });

  // Slow clients (slowloris) cannot hold a connection by trickling headers or a body: Node closes a connection
  // whose headers took longer than headersTimeout (and answers 408 to a request body past requestTimeout),
  // checking every second rather than its default 30 s.
  const server = http.createServer(
    {
      headersTimeout: config.headersTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      connectionsCheckingInterval: 1_000,
    },
    app,
  );
  // GraphQL subscriptions over WebSocket (graphql-ws) on the same port and path as GraphQL over HTTP.
  const ws = attachGraphqlWs(server, yoga, {
    onSocketError: (error) => logger.info({ reason: error.message }, 'websocket closed on a protocol error'),
  });
  let admin: AdminServer | undefined;
  let authChanges: { close(): Promise<void> } | undefined;
  let purge: NodeJS.Timeout | undefined;
  let sweep: NodeJS.Timeout | undefined;

  return {
    app,
    services,
    bootstrapped,
    appliedMigrations: installation.appliedMigrations,
    databaseKind: db.kind,
    /** Statements sent to the database so far, when built with `countRoundTrips`. */
    roundTrips: db.roundTrips,
    /** The installation's database client, for tests and tooling; transports go through services. */
    prisma: db.prisma,
    /** Live subscriptions open in this process (GraphQL over WebSocket and SSE, REST event streams). */
    openSubscriptions: () => services.live.openCount,
    /** Open graphql-ws connections. */
    openWebSockets: () => ws.connections,
    /** The installation's database, for tests and tooling (e.g. to make it fail). */
    database: db,
    server,
    url: () => {
      const address = server.address() as AddressInfo | null;
      if (!address) throw new Error('server is not listening');
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}`;
    },
    async start(port = config.port, host = config.host): Promise<void> {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      // Expired idempotency keys are reclaimed on reuse anyway, and expired upload slots refused; this keeps
      // their tables from growing.
      const recoverImports = () =>
        services.imports
          .recoverStale()
          .catch((error: unknown) => logger.warn({ err: describeError(error) }, 'import recovery failed'));
      void recoverImports();
      services.feed.start();
      // PostgreSQL: verified tokens are kept in memory while every change to tokens, memberships and spaces is heard.
      if (db.kind === 'postgres' && config.databaseUrl) {
        authChanges = listenAuthChanges(config.databaseUrl, {
          onChange: () => services.tokenCache.invalidate(),
          onListening: (listening) => services.tokenCache.enable(listening),
          onError: (error) => logger.warn({ err: describeError(error) }, 'token change listener failed'),
        });
      }
      purge = setInterval(() => {
        void recoverImports();
        services.idempotency
          .purgeExpired()
          .catch((error: unknown) => logger.warn({ err: describeError(error) }, 'idempotency purge failed'));
        services.uploads
          .purgeExpired()
          .catch((error: unknown) => logger.warn({ err: describeError(error) }, 'upload slot purge failed'));
      }, 3_600_000).unref();
      // Attachments no cell refers to any more go after the grace period (ATTACHMENT_SWEEP_INTERVAL_SECONDS=0: never).
      if (config.attachmentSweep.intervalMs > 0) {
        sweep = setInterval(() => {
          services.attachmentSweeper
            .sweep()
            .catch((error: unknown) => logger.warn({ err: describeError(error) }, 'attachment sweep failed'));
        }, config.attachmentSweep.intervalMs).unref();
      }
      await services.webhookDelivery.start();
      if (installation.lock) {
        admin = await startAdminServer(services, logger);
        await installation.lock.publishAdmin({ url: admin.url, secret: admin.secret });
      }
    },
    /** Stops accepting, lets in-flight requests finish (up to the grace period), then closes the database. */
    async stop(): Promise<void> {
      if (stopping) return;
      stopping = true;
      clearInterval(purge);
      clearInterval(sweep);
      // Live subscriptions end first (their streams complete, so their responses finish), then the sockets close.
      services.live.close();
      await ws.close();
      const closed = new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
      server.closeIdleConnections();
      const grace = setTimeout(() => server.closeAllConnections(), options.shutdownGraceMs ?? 10_000);
      await closed;
      clearTimeout(grace);
      await admin?.close();
      await authChanges?.close();
      await services.attachmentSweeper.idle();
      await installation.close();
    },
  };
}
