import { createHash } from 'node:crypto';
import http from 'node:http';
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../support/process.js';

export interface Probe {
  method: string;
  /** Sent as is (no normalization). */
  path: string;
  headers?: Record<string, string | number>;
  body?: string | Buffer;
}

export interface ProbeAnswer {
  status: number;
  text: string;
  ms: number;
}

/** How long one hostile request may take before it counts as a hang. */
export const PROBE_TIMEOUT_MS = Number(process.env.PROBE_TIMEOUT_MS ?? 30_000);

/** One request over node:http that rejects with "hang" when the server has not answered within the timeout. */
export function probe(baseUrl: string, request: Probe, timeoutMs = PROBE_TIMEOUT_MS): Promise<ProbeAnswer> {
  const url = new URL(baseUrl);
  if (process.env.FUZZ_TRACE)
    appendFileSync(process.env.FUZZ_TRACE, `${request.method} ${request.path.slice(0, 160)}\n`);
  const start = performance.now();
  return new Promise((resolve, reject) => {
    let answered = false;
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
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
            ms: performance.now() - start,
          }),
        );
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`hang: no answer within ${timeoutMs} ms to ${request.method} ${request.path.slice(0, 200)}`));
    }, timeoutMs);
    // The server may refuse early (413, 431, 401) and close while a large body is still being written: the
    // client then sees a reset and maybe not the answer. Status 0 stands for "closed without an answer".
    req.on('error', () => {});
    req.on('close', () => {
      clearTimeout(timer);
      if (!answered) resolve({ status: 0, text: '', ms: performance.now() - start });
    });
    req.end(request.body);
  });
}

export const sha256 = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');

/** One line of the reliability summary (printed by `npm run test:reliability`). */
export interface SummaryRow {
  suite: string;
  database: 'pglite' | 'postgres';
  cases: number;
  failures: number;
  p99Ms?: number | undefined;
  rssGrowthPct?: number | undefined;
  note?: string | undefined;
}

/** Appends a row to RELIABILITY_SUMMARY (or .tmp/reliability-summary.jsonl) and prints it. */
export function report(row: SummaryRow): void {
  const file = process.env.RELIABILITY_SUMMARY ?? path.join(ROOT, '.tmp', 'reliability-summary.jsonl');
  mkdirSync(path.dirname(file), { recursive: true });
  appendFileSync(file, `${JSON.stringify(row)}\n`);
  console.log(`[reliability] ${JSON.stringify(row)}`);
}

export const databaseKind = (): 'pglite' | 'postgres' => (process.env.DATABASE_URL ? 'postgres' : 'pglite');

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
