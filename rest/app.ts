import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import { describeError } from '../src/logger.js';
import { RegisterRoutes } from './__generated__/routes.js';
import { ROUTE_NOT_FOUND, toFusionFailure } from './errors.js';
import { idempotency } from './middleware/idempotency.js';
import { authenticateFirst } from './authentication.js';
import { jsonBody } from './parse/json-body.js';
import { pathParameterGuard } from './parse/path-params.js';
import { createDocsRouter, isDocsPath } from './docs.js';
import { withRequestAuthor } from '../src/domain/events/author.js';

/** The Fusion facade: path and token checks, JSON parsing, the tsoa routes, the reference's 404 and error envelope. */
export function createFusionRouter(logger: Logger): Router {
  const router = express.Router();
  const json = jsonBody();
  // Before any body is read: path parameters that cannot be ids, then the token of routes that need one.
  router.use(pathParameterGuard(router));
  router.use(authenticateFirst);
  // A pre-signed upload's body is the file itself, whatever its content type: never parse it.
  router.use((req, res, next) =>
    req.method === 'PUT' && req.path.toLowerCase().startsWith('/v1/uploads/') ? next() : json(req, res, next),
  );
  router.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-cache,no-store,must-revalidate');
    next();
  });
  // The OpenAPI document and console answer only their own paths; other requests skip that router.
  const docs = createDocsRouter();
  router.use((req, res, next) => (isDocsPath(req.path) ? docs(req, res, next) : next()));
  // The change feed names each write's request and token (src/domain/events/author.ts); the token is set by
  // authentication once it admitted the request (authentication.ts).
  router.use((_req, res, next) => {
    const requestId = res.getHeader('request-id');
    withRequestAuthor({ requestId: typeof requestId === 'string' ? requestId : null, tokenId: null }, next);
  });
  router.use(idempotency);
  RegisterRoutes(router);
  router.use((_req: Request, res: Response) => void res.status(404).json(ROUTE_NOT_FOUND));
  router.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const failure = toFusionFailure(error);
    if (failure.unexpected) {
      logger.error({ requestId: res.getHeader('request-id'), err: describeError(error) }, 'fusion request failed');
    }
    // A streamed answer that failed midway: cut it, so the client sees a broken answer, never a short whole one.
    // A client that left before its body was whole has no one to answer: the request is logged as aborted.
    if (res.headersSent || clientLeft(error)) return void res.destroy();
    res.set(failure.headers).status(failure.status).json(failure.body);
  });
  return router;
}

/** The body parser's fault for a request whose client closed the connection before its body was whole. */
const clientLeft = (error: unknown) => (error as { type?: unknown } | null)?.type === 'request.aborted';
