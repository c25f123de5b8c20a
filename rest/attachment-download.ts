import { pipeline } from 'node:stream/promises';
import { Router, type Request, type Response } from 'express';
import { DomainError } from '../src/domain/errors.js';
import { rateHeaders } from './errors.js';
import type { Services } from '../src/services.js';
import { failure } from './envelope.js';
import { malformedParameter, segmentProblem } from './parse/path-params.js';

/** Types a browser may render in place; anything else downloads, so an uploaded page cannot run as this site. */
const INLINE = /^(image\/(png|jpeg|gif|webp|avif|bmp)|application\/pdf|audio\/|video\/|text\/plain$)/;

/**
 * `GET /attachments/<token>`: the file behind an attachment token, as the `url` of every attachment object points
 * at. Like the reference's bucket URLs it needs no bearer token: the token is the unguessable capability.
 * Files never change under a token, so they are cacheable for good.
 */
export function createAttachmentDownloadRouter(services: Services): Router {
  const router = Router();
  // Before routing, which would throw a URIError naming nothing: a token that is not valid percent-encoding
  // or holds a NUL is refused naming it.
  router.use((req: Request, res: Response, next) => {
    const problem = segmentProblem(req.path.slice(1));
    if (!problem) return next();
    const malformed = malformedParameter('token', problem);
    res.status(malformed.status).json(failure(malformed.status, malformed.message));
  });
  router.get(/^\/(.+)$/, async (req: Request, res: Response) => {
    // Routing has decoded the path once already.
    const token = (req.params as Record<string, string>)[0]!;
    let file;
    try {
      await services.access.meterAddress(req.socket.remoteAddress);
      file = await services.attachments.open(token);
    } catch (error) {
      if (error instanceof DomainError && error.is('RATE_LIMITED')) {
        const rate = error.details.rate;
        return void res.set(rateHeaders(rate)).status(429).json({ success: false, code: 429, message: error.message });
      }
      if (error instanceof DomainError)
        return void res.status(404).json({ success: false, code: 404, message: error.message });
      throw error;
    }
    const inline = INLINE.test(file.mimeType);
    res.setHeader('Content-Type', file.mimeType);
    res.setHeader('Content-Length', String(file.size));
    res.setHeader(
      'Content-Disposition',
      `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(file.name)}`,
    );
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    await pipeline(file.stream, res);
  });
  return router;
}
