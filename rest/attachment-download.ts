import { pipeline } from 'node:stream/promises';
import { Router, type Request, type Response } from 'express';
import type { RateDecision } from '../src/domain/access/access.service.js';
import { DomainError, ErrorCode } from '../src/domain/errors.js';
import { rateHeaders } from './errors.js';
import type { Services } from '../src/services.js';

/** Types a browser may render in place; anything else downloads, so an uploaded page cannot run as this site. */
const INLINE = /^(image\/(png|jpeg|gif|webp|avif|bmp)|application\/pdf|audio\/|video\/|text\/plain$)/;

/**
 * `GET /attachments/<token>`: the file behind an attachment token, as the `url` of every attachment object points
 * at. Like the reference's bucket URLs it needs no bearer token: the token is the unguessable capability.
 * Files never change under a token, so they are cacheable for good.
 */
export function createAttachmentDownloadRouter(services: Services): Router {
  const router = Router();
  router.get(/^\/(.+)$/, async (req: Request, res: Response) => {
    const token = decodeURIComponent((req.params as Record<string, string>)[0]!);
    let file;
    try {
      await services.access.meterAddress(req.socket.remoteAddress);
      file = await services.attachments.open(token);
    } catch (error) {
      if (error instanceof DomainError && error.code === ErrorCode.RATE_LIMITED) {
        const rate = error.details.rate as RateDecision;
        return void res.set(rateHeaders(rate)).status(429).json({ success: false, code: 429, message: error.message });
      }
      if (error instanceof DomainError) return void res.status(404).json({ success: false, code: 404, message: error.message });
      throw error;
    }
    const inline = INLINE.test(file.mimeType);
    res.setHeader('Content-Type', file.mimeType);
    res.setHeader('Content-Length', String(file.size));
    res.setHeader('Content-Disposition', `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(file.name)}`);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    await pipeline(file.stream, res);
  });
  return router;
}
