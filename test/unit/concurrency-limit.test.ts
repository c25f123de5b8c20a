import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { concurrencyLimit } from '../../src/ratelimit/concurrency.js';

/** A request still in flight (its response never closes) through the middleware: answers whether it passed. */
function send(limit: ReturnType<typeof concurrencyLimit>, url: string, headers: Record<string, string> = {}) {
  const req = { url, headers: { authorization: 'Bearer tbk_x', ...headers } } as unknown as IncomingMessage;
  let status = 0;
  const res = Object.assign(new EventEmitter(), {
    writeHead: (code: number) => {
      status = code;
    },
    end: () => {},
  }) as unknown as ServerResponse;
  let passed = false;
  limit(req, res, () => {
    passed = true;
  });
  return { passed, status, close: () => res.emit('close') };
}

describe('requests in flight per token', () => {
  it('refuses the request past the cap with 429 and lets one through once another finished', () => {
    const limit = concurrencyLimit(2);
    const a = send(limit, '/fusion/v1/spaces');
    send(limit, '/graphql');
    const refused = send(limit, '/fusion/v1/spaces');
    expect([refused.passed, refused.status]).toEqual([false, 429]);
    a.close();
    expect(send(limit, '/fusion/v1/spaces').passed).toBe(true);
  });

  it('does not count live streams (bounded by the subscription limit instead)', () => {
    const limit = concurrencyLimit(1);
    expect(send(limit, '/fusion/v1/datasheets/dst1/events').passed).toBe(true);
    expect(send(limit, '/fusion/v1/datasheets/dst1/events?after=3').passed).toBe(true);
    expect(send(limit, '/graphql', { accept: 'text/event-stream' }).passed).toBe(true);
    expect(send(limit, '/fusion/v1/spaces').passed).toBe(true);
    // A look-alike path is an ordinary request.
    expect(send(limit, '/fusion/v1/datasheets/dst1/events-log').status).toBe(429);
  });
});
