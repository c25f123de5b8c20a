import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';

export interface PostResult {
  /** HTTP status, null when no answer came (refused, reset, timed out). */
  status: number | null;
  /** The first characters of the answer's body (never more is read). */
  snippet: string | null;
  error: string | null;
}

const SNIPPET_BYTES = 512;

/**
 * One POST to a webhook target, connecting only to `addresses` (checked by the target guard; the host name
 * still names the TLS server and the Host header). No redirect is followed (a 3xx is an answer like any other),
 * the whole exchange is bounded by `timeoutMs`, and at most a short snippet of the answer is read.
 */
export function postJson(
  url: URL,
  addresses: string[],
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<PostResult> {
  const lookup: LookupFunction = (_host, options, callback) => {
    const all = addresses.map((address) => ({ address, family: isIP(address) }));
    if ((options as { all?: boolean }).all) (callback as (e: null, a: typeof all) => void)(null, all);
    else callback(null, all[0]!.address, all[0]!.family);
  };
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<PostResult>((resolve) => {
    let settled = false;
    const finish = (result: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const request = client.request(
      url,
      {
        method: 'POST',
        lookup,
        agent: false,
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'tablebase-webhooks/1',
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () => {
          const text = Buffer.concat(chunks).subarray(0, SNIPPET_BYTES).toString('utf8');
          const status = response.statusCode ?? null;
          finish({ status, snippet: text || null, error: status !== null && status >= 300 ? `HTTP ${status}` : null });
          response.destroy();
        };
        response.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (size >= SNIPPET_BYTES) done();
        });
        response.on('end', done);
        response.on('error', done);
      },
    );
    const timer = setTimeout(() => {
      request.destroy();
      finish({ status: null, snippet: null, error: `timed out after ${timeoutMs} ms` });
    }, timeoutMs);
    request.on('error', (error: NodeJS.ErrnoException) =>
      finish({ status: null, snippet: null, error: `request failed: ${error.code ?? error.message}` }),
    );
    request.end(body);
  });
}
