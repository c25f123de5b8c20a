import http, { type IncomingHttpHeaders } from 'node:http';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

export interface RawRequest {
  method: string;
  /** Sent as is: no normalization or encoding, so malformed paths reach the server. */
  path: string;
  headers?: Record<string, string | number>;
  body?: string | Buffer;
  /** false: send the headers and `body` but never finish the request (the answer must come before the body does). */
  end?: boolean;
}

/**
 * One request over `node:http`, for what fetch will not send: malformed paths, bodies shorter than their
 * Content-Length, bodies never finished. Resolves with the server's answer; an unfinished request is then destroyed.
 */
export function rawRequest(baseUrl: string, request: RawRequest): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: request.method,
        path: request.path,
        headers: request.headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') });
          if (request.end === false) req.destroy();
        });
      },
    );
    // The server may close the connection while an unfinished body is still being written.
    req.on('error', (error: NodeJS.ErrnoException) =>
      request.end === false && error.code !== undefined ? undefined : reject(error),
    );
    if (request.body !== undefined) req.write(request.body);
    else req.flushHeaders();
    if (request.end !== false) req.end();
  });
}

/** Sends the headers and part of a body, then drops the connection: the server never gets the rest, nor can it answer. */
export function abortedRequest(baseUrl: string, request: Omit<RawRequest, 'end'>): Promise<void> {
  const url = new URL(baseUrl);
  return new Promise((resolve) => {
    const req = http.request({
      host: url.hostname,
      port: url.port,
      method: request.method,
      path: request.path,
      headers: request.headers,
      agent: false,
    });
    req.on('error', () => {});
    req.on('close', () => resolve());
    req.write(request.body ?? '', () => setImmediate(() => req.destroy()));
  });
}
