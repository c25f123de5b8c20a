import { randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { ADMIN_COMMANDS, isAdminCommand, UsageError, type AdminArgs } from './admin-commands.js';
import { DomainError } from './domain/errors.js';
import { describeError } from './logger.js';
import type { Services } from './services.js';

export interface AdminServer {
  url: string;
  secret: string;
  close(): Promise<void>;
}

/**
 * The loopback endpoint through which `npm run cli` manages an installation whose embedded database this
 * server holds open. Bound to 127.0.0.1 only, and every call carries the secret published in the
 * data directory's lock file (readable by the same OS user only).
 */
export async function startAdminServer(services: Services, logger: Logger): Promise<AdminServer> {
  const secret = randomBytes(32).toString('hex');
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json());
  app.post('/admin/commands', async (req: Request, res: Response) => {
    const given = Buffer.from(String(req.headers['x-admin-secret'] ?? ''));
    const expected = Buffer.from(secret);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res.status(401).json({ error: 'Unauthorized' });
      return;
    }
    const { command, args } = req.body as { command?: string; args?: AdminArgs };
    if (!command || !isAdminCommand(command)) {
      res.status(400).json({ error: `Unknown command ${String(command)}` });
      return;
    }
    try {
      res.json({ result: await ADMIN_COMMANDS[command](services, args ?? {}) });
    } catch (error) {
      if (error instanceof DomainError || error instanceof UsageError) {
        res.status(400).json({ error: error.message });
        return;
      }
      logger.error({ err: describeError(error), command }, 'admin command failed');
      res.status(500).json({ error: 'Server error' });
    }
  });
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    res.status(400).json({ error: error instanceof SyntaxError ? 'Invalid JSON' : 'Bad request' });
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    secret,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
