import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { WebhookBody } from '../../src/domain/webhooks/payload.js';
import { freshPostgresDatabase } from '../support/database.js';
import { fusion } from '../support/fusion.js';
import { freePort, runTs, waitReady, type Running } from '../support/process.js';
import { eventually, startReceiver, verified, type Receiver } from '../support/webhook-receiver.js';

/**
 * Deliveries are rows in the database: one pending when the server stops (cleanly or killed) is delivered by the
 * next server process, with the same delivery id, and once the receiver answered 2xx it is never sent again.
 */
let dataDir: string;
let pgdb: Awaited<ReturnType<typeof freshPostgresDatabase>>;
let env: Record<string, string | undefined>;
let url: string;
let rx: Receiver;
let token: string;
let datasheetId: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'tb-webhooks-'));
  pgdb = await freshPostgresDatabase();
  rx = await startReceiver();
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  env = {
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: pgdb?.url,
    LOG_LEVEL: 'warn',
    RATE_LIMIT: 'off',
    WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
    WEBHOOK_BACKOFF_BASE_MS: '100',
    WEBHOOK_BACKOFF_MAX_MS: '200',
    WEBHOOK_MAX_ATTEMPTS: '100',
    WEBHOOK_POLL_MS: '50',
    WEBHOOK_TIMEOUT_MS: '1000',
  };
});
afterAll(async () => {
  await rx?.close();
  await pgdb?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

const running = new Set<Running>();
afterEach(async () => {
  for (const server of running) {
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
    await server.exited;
  }
  running.clear();
});

async function startServer(): Promise<Running> {
  const server = runTs('src/main.ts', [], env);
  running.add(server);
  // Generous bounds: a loaded machine starts a server (tsx, migrations) slowly.
  await server.waitFor(/Fusion API/, 150_000);
  await waitReady(url, 60_000);
  return server;
}

/** The first start prints the token; a datasheet to hook. */
async function setUp(server: Running): Promise<void> {
  if (token) return;
  token = (await server.waitFor(/\n\s+(tbk_[0-9A-Za-z]+)\n/))[1]!;
  const spaces = await fusion<{ spaces: { id: string }[] }>(url, 'GET', '/v1/spaces', { token });
  const made = await fusion<{ id: string }>(url, 'POST', `/v1/spaces/${spaces.body.data!.spaces[0]!.id}/datasheets`, {
    token,
    body: { name: 'Restarts', fields: [{ name: 'Title', type: 'SingleText', property: {} }] },
  });
  if (!made.body.data) throw new Error(made.text);
  datasheetId = made.body.data.id;
}

it.each(['SIGTERM', 'SIGKILL'] as const)(
  'delivers what was pending when the server stopped (%s) after a restart, once',
  async (signal) => {
    const hookPath = `/restart-${signal}`;
    rx.plan(hookPath, [503]);
    const first = await startServer();
    await setUp(first);
    const hook = await fusion<{ id: string; secret: string }>(url, 'POST', `/v1/datasheets/${datasheetId}/webhooks`, {
      token,
      body: { url: rx.url(hookPath) },
    });
    const { id: hookId, secret } = hook.body.data!;
    await fusion(url, 'POST', `/v1/datasheets/${datasheetId}/records`, {
      token,
      body: { records: [{ fields: { Title: `pending at ${signal}` } }] },
    });
    // The receiver fails the first attempts; the server stops with the delivery pending.
    await eventually(() => rx.at(hookPath).length >= 2);
    first.child.kill(signal);
    expect(await first.exited).toBe(signal === 'SIGTERM' ? 0 : 'SIGKILL');
    const beforeRestart = rx.at(hookPath).length;
    rx.plan(hookPath, [200]);

    await startServer();
    const delivered = await eventually(() => rx.at(hookPath).find((r) => r.status === 200));
    expect(rx.at(hookPath).length).toBeGreaterThan(beforeRestart);
    const body = verified<WebhookBody>(delivered, secret);
    expect(body).toMatchObject({ kind: 'records.created', webhookId: hookId, datasheetId });
    expect(JSON.stringify(body.records)).toContain(`pending at ${signal}`);
    // Every attempt, before and after the restart, carried the same delivery id.
    expect(new Set(rx.at(hookPath).map((r) => r.headers['x-tablebase-delivery']))).toEqual(new Set([body.deliveryId]));
    // The log says succeeded, counting every attempt the receiver saw; nothing is sent after the 2xx.
    const log = await eventually(async () => {
      const page = await fusion<{ deliveries: { id: string; status: string; attempts: number }[] }>(
        url,
        'GET',
        `/v1/datasheets/${datasheetId}/webhooks/${hookId}/deliveries`,
        { token },
      );
      const [delivery] = page.body.data!.deliveries;
      return delivery?.status === 'succeeded' && delivery;
    });
    expect(log).toMatchObject({ id: body.deliveryId, attempts: rx.at(hookPath).length });
    expect(rx.at(hookPath).filter((r) => r.status === 200)).toHaveLength(1);
  },
  400_000,
);
