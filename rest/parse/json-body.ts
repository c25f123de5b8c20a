import express, { type NextFunction, type Request, type Response } from 'express';
import { MalformedRequest } from '../errors.js';
import { isUtf8 } from 'node:buffer';
import { jsonNestsDeeperThan, NOT_UTF8_MESSAGE, TOO_DEEP_MESSAGE } from '../../src/http/json-depth.js';
import { mayHoldNul, nulInBody, nulInQuery } from './nul-text.js';

/**
 * The largest JSON body a Fusion call may send, counted after any Content-Encoding is undone. The largest
 * legal request is a records write: 10 records per call, text cells of at most 100,000 characters (up to
 * 3 bytes each in UTF-8), so 10 MiB holds ten records of several full text cells each; the reference's
 * 100 MiB let one request cost a hundred times that in parsing.
 */
export const MAX_JSON_BODY_BYTES = 10 * 1024 * 1024;

const tooLarge = () =>
  new MalformedRequest('body', `The request body is larger than ${MAX_JSON_BODY_BYTES / 1024 / 1024} MiB`, 413);

/**
 * JSON bodies, capped at MAX_JSON_BODY_BYTES after inflating (gzip, deflate, br). A declared Content-Length
 * over the cap is refused before a byte is read, closing the connection instead of draining the body. A body
 * nested deeper than MAX_JSON_DEPTH is refused (400) before anything walks it. Text holding a NUL, in the
 * query string or the body, is refused naming where it is.
 */
export function jsonBody() {
  const suspect = new WeakSet<Request>();
  const tooDeep = new WeakSet<Request>();
  const notUtf8 = new WeakSet<Request>();
  const parse = express.json({
    limit: MAX_JSON_BODY_BYTES,
    verify: (req, _res, raw) => {
      // Checked on the raw text, before anything walks the parsed value recursively (the NUL search among them).
      if (jsonNestsDeeperThan(raw)) tooDeep.add(req as Request);
      // A UTF-8 body (the JSON default) that is not valid UTF-8 is refused, not stored with U+FFFD in its place.
      else if (!/charset=(?!"?utf-?8)/i.test(String(req.headers['content-type'])) && !isUtf8(raw))
        notUtf8.add(req as Request);
      else if (mayHoldNul(raw)) suspect.add(req as Request);
    },
  });
  return (req: Request, res: Response, next: NextFunction): void => {
    const declared = Number(req.headers['content-length']);
    if (declared > MAX_JSON_BODY_BYTES && req.is('json')) {
      res.set('Connection', 'close');
      return next(tooLarge());
    }
    const nul = nulInQuery(req.originalUrl);
    if (nul) return next(nul);
    parse(req, res, (error?: unknown) => {
      if ((error as { type?: unknown } | undefined)?.type === 'entity.too.large') return next(tooLarge());
      if (!error && tooDeep.has(req)) return next(new MalformedRequest('body', TOO_DEEP_MESSAGE));
      if (!error && notUtf8.has(req)) return next(new MalformedRequest('body', NOT_UTF8_MESSAGE));
      next(error ?? (suspect.has(req) ? nulInBody(req.body) : undefined));
    });
  };
}
