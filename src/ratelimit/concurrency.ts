import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Requests in flight per token: a client holding many slow requests open at once (long streams, slow
 * reads of the answer, a flood of concurrent calls) cannot take every worker and database connection from
 * the others. Counted by the request's Authorization header before anything else runs (so the count costs no
 * token lookup, and a caller can only spend the budget of a token it holds); past the cap the request answers
 * at once with HTTP 429 in its transport's shape. Requests without a token are bounded by the address limits.
 */
export const DEFAULT_MAX_CONCURRENT_REQUESTS_PER_TOKEN = 32;

/**
 * Live streams (the REST event stream, GraphQL over SSE) stay open for as long as the client listens: they are
 * bounded by the per-token subscription limit (SUBSCRIPTIONS_PER_TOKEN), not by this one.
 */
function isLiveStream(req: IncomingMessage): boolean {
  const url = req.url ?? '';
  if (/^\/fusion\/v1\/datasheets\/[^/?]+\/events(?:\?|$)/.test(url)) return true;
  return url.startsWith('/graphql') && String(req.headers.accept ?? '').includes('text/event-stream');
}

export function concurrencyLimit(max: number) {
  const inFlight = new Map<string, number>();
  const message = `Too many requests in flight for this token (at most ${max} at once); wait for some to finish`;
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const key = req.headers.authorization;
    if (!key || max <= 0 || isLiveStream(req)) return next();
    const count = inFlight.get(key) ?? 0;
    if (count >= max) {
      const graphql = (req.url ?? '').startsWith('/graphql');
      const body = graphql
        ? { errors: [{ message, extensions: { code: 'RATE_LIMITED', limit: max } }] }
        : { success: false, code: 429, message };
      res.writeHead(429, {
        'content-type': 'application/json; charset=utf-8',
        'retry-after': '1',
        connection: 'close',
      });
      res.end(JSON.stringify(body));
      return;
    }
    inFlight.set(key, count + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const left = (inFlight.get(key) ?? 1) - 1;
      if (left <= 0) inFlight.delete(key);
      else inFlight.set(key, left);
    };
    // 'close' comes once the answer is sent or the connection dropped, whichever happens.
    res.once('close', release);
    next();
  };
}
