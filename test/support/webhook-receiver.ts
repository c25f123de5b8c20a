import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature } from '../../src/domain/webhooks/signature.js';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** What the receiver answered. */
  status: number;
}

/**
 * A real HTTP receiver for webhook tests: records every request and answers each path with the statuses
 * planned for it, in order (the last one repeats; 200 when none).
 */
export async function startReceiver() {
  const received: Received[] = [];
  const plans = new Map<string, number[]>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const plan = plans.get(req.url ?? '') ?? [];
      const status = (plan.length > 1 ? plan.shift() : plan[0]) ?? 200;
      received.push({ path: req.url ?? '', headers: req.headers, body, status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'thanks' : 'receiver failed');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    received,
    at: (path: string) => received.filter((r) => r.path === path),
    plan: (path: string, statuses: number[]) => void plans.set(path, [...statuses]),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** The body as the receiver parsed it, after checking its signature with the webhook's secret. */
export function verified<T = Record<string, unknown>>(r: Received, secret: string): T {
  const signature = r.headers['x-tablebase-signature'];
  if (!verifySignature(secret, r.body, typeof signature === 'string' ? signature : undefined))
    throw new Error(`bad signature on ${r.path}: ${String(signature)}`);
  return JSON.parse(r.body) as T;
}

/** Polls until `check` returns a value other than undefined/false (the test's own timeout bounds it). */
export async function eventually<T>(check: () => T | undefined | false | Promise<T | undefined | false>): Promise<T> {
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
}
