import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestLogger } from '../../src/logger.js';

/** The request log: one line per answered request, secrets out of paths, 5xx at error, probes and ids. */
const lines: Record<string, unknown>[] = [];
let server: http.Server;
let base: string;

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const log = requestLogger(pino({ base: undefined }, sink), { ignore: (url) => url === '/healthz' });
  server = http.createServer((req, res) =>
    log(req, res, () => {
      res.statusCode = req.url!.startsWith('/boom') ? 500 : 200;
      res.end('{}');
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const settled = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('requestLogger', () => {
  it('logs method, redacted path, status and time under the id it sends as request-id', async () => {
    const res = await fetch(`${base}/fusion/v1/uploads/tbu_SECRETSECRET?x=tbk_TOKEN`);
    await settled();
    const line = lines.at(-1)!;
    expect(line).toMatchObject({
      level: 30,
      msg: 'request completed',
      req: { method: 'GET', path: '/fusion/v1/uploads/tbu_[redacted]' },
      res: { statusCode: 200 },
    });
    expect((line.req as { id: string }).id).toBe(res.headers.get('request-id'));
    expect(typeof line.responseTime).toBe('number');
    expect(JSON.stringify(lines)).not.toMatch(/SECRET|TOKEN/);
  });

  it('logs server errors at error level and leaves probes out', async () => {
    const before = lines.length;
    await fetch(`${base}/healthz`);
    await fetch(`${base}/boom`);
    await settled();
    expect(lines.slice(before)).toEqual([expect.objectContaining({ level: 50, res: { statusCode: 500 } })]);
  });
});
