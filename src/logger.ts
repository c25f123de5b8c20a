import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from './config.js';

export type { Logger };

/**
 * Structured JSON logs on stdout. Request logs carry method, path, status and timing only: headers are
 * never serialized, so bearer tokens cannot reach a log line.
 */
export function createLogger(config: Pick<Config, 'logLevel'>, destination?: DestinationStream): Logger {
  const options = {
    level: config.logLevel,
    base: undefined,
    redact: { paths: ['authorization', '*.authorization', '*.headers', 'token', '*.token', 'secret'], remove: true },
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * What may be logged of an unexpected error: its kind and one line of its message, never a stack or query
 * text. Prisma's messages start with an empty line and "Invalid `prisma.x()` invocation in" followed by the
 * calling source file and code; their last line says what went wrong, and only it is kept.
 */
export function describeError(error: unknown): { name: string; code?: string; message: string } {
  if (!(error instanceof Error)) return { name: typeof error, message: 'non-error thrown' };
  const code = (error as { code?: unknown }).code;
  const lines = error.message
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const line = (/^Invalid `.*` invocation/.test(lines[0] ?? '') ? lines.at(-1) : lines[0]) ?? '';
  return {
    name: error.name,
    ...(typeof code === 'string' ? { code } : {}),
    message: redactSecrets(line.slice(0, 200)),
  };
}

export function redactSecrets(text: string): string {
  return text
    .replace(/\btbk_[0-9A-Za-z]+/g, 'tbk_[redacted]')
    .replace(/\btbu_[0-9A-Za-z]+/g, 'tbu_[redacted]')
    .replace(/\btbx_[0-9A-Za-z]+/g, 'tbx_[redacted]')
    .replace(/Bearer\s+\S+/gi, 'Bearer [redacted]');
}

/**
 * A request path fit for a log line: capabilities carried in paths (pre-signed upload URLs, embed link ids,
 * which let anyone holding them upload or read) are replaced.
 */
export function redactPath(path: string): string {
  return redactSecrets(path)
    .replace(/\bemb[0-9A-Za-z]{24}\b/g, 'emb[redacted]')
    .replace(/^\/attachments\/.*/, '/attachments/[redacted]');
}

/**
 * One line per request once it is answered or aborted: its id, method, redacted path, status and time taken (5xx at
 * error, aborts at warn). The id is also the `request-id` response header. Replaces pino-http, which built a child
 * logger and serialized the request for every call whether or not the line was written.
 */
export function requestLogger(logger: Logger, options: { ignore: (url: string) => boolean }) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const id = randomUUID();
    res.setHeader('request-id', id);
    const url = req.url ?? '';
    if (!options.ignore(url)) {
      const start = performance.now();
      res.once('close', () => {
        const aborted = !res.writableFinished;
        const level = aborted ? 'warn' : res.statusCode >= 500 ? 'error' : 'info';
        if (!logger.isLevelEnabled(level)) return;
        const line = {
          req: { id, method: req.method, path: redactPath(url.split('?')[0]!) },
          res: { statusCode: res.statusCode },
          responseTime: Math.round(performance.now() - start),
        };
        logger[level](line, aborted ? 'request aborted' : 'request completed');
      });
    }
    next();
  };
}
