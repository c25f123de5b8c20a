import http from 'node:http';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgresDatabase, onPostgres } from '../support/database.js';
import { fusion } from '../support/fusion.js';
import { freePort, runTs, runTsToEnd, waitReady, type Running } from '../support/process.js';

/** The real entry points (src/main.ts, src/cli.ts) as separate processes, as a user runs them. */
let dataDir: string;
let pgdb: Awaited<ReturnType<typeof freshPostgresDatabase>>;
let env: Record<string, string | undefined>;
let port: number;
let url: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'tb-e2e-'));
  pgdb = await freshPostgresDatabase();
  port = await freePort();
  url = `http://127.0.0.1:${port}`;
  env = { DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: pgdb?.url, LOG_LEVEL: 'info' };
});
afterAll(async () => {
  await pgdb?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

const running = new Set<Running>();
afterEach(async () => {
  // A failed test must not leave its server holding the port or the data directory.
  for (const server of running) {
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
    await server.exited;
  }
  running.clear();
});

async function startServer(extra: Record<string, string> = {}): Promise<Running> {
  const server = runTs('src/main.ts', [], { ...env, ...extra });
  running.add(server);
  await server.waitFor(/Fusion API/);
  await waitReady(url);
  return server;
}

async function stopServer(server: Running): Promise<number | string> {
  server.child.kill('SIGTERM');
  return server.exited;
}

const spaces = (token: string) =>
  fusion<{ spaces: { id: string; name: string }[] }>(url, 'GET', '/v1/spaces', { token });

const jsonLogLines = (text: string) => text.split('\n').filter((line) => line.startsWith('{'));

describe('a fresh installation', () => {
  let token: string;

  it('starts with zero set-up, prints a token once with a curl line, and serves it', async () => {
    const server = await startServer();
    const [, printed] = await server.waitFor(/\n\s+(tbk_[0-9A-Za-z]+)\n/);
    token = printed!;
    expect(server.stdout()).toContain(
      `curl -H "Authorization: Bearer ${token}" http://127.0.0.1:${port}/fusion/v1/spaces`,
    );
    const res = await spaces(token);
    expect(res.status).toBe(200);
    expect(res.body.data?.spaces).toEqual([expect.objectContaining({ name: 'My Space', isAdmin: true })]);
    // Requests are logged, the token never is.
    await server.waitFor(/"path":"\/fusion\/v1\/spaces"/);
    expect(jsonLogLines(server.stdout()).join('\n')).not.toContain(token.slice(4));
    expect(server.stderr()).not.toContain(token.slice(4));
    expect(await stopServer(server)).toBe(0);
  });

  it('keeps its data across restarts and does not bootstrap again', async () => {
    const server = await startServer();
    expect(server.stdout()).not.toMatch(/tbk_/);
    expect(server.stdout()).not.toContain('First start');
    const res = await spaces(token);
    expect(res.body.data?.spaces).toHaveLength(1);
    expect(await stopServer(server)).toBe(0);
  });

  it.skipIf(onPostgres())('refuses a second server on the same data directory, in one line', async () => {
    const server = await startServer();
    const second = await runTsToEnd('src/main.ts', [], { ...env, PORT: String(await freePort()) });
    expect(second.code).toBe(1);
    expect(second.stderr.trim()).toMatch(/^Data directory .* is in use by another process \(pid \d+, server\)\.$/);
    expect((await spaces(token)).status).toBe(200);
    expect(await stopServer(server)).toBe(0);
    await expect(stat(path.join(dataDir, 'server.lock'))).rejects.toThrow();
  });

  it('lets the CLI manage the installation through the running server', async () => {
    const server = await startServer();
    const created = await runTsToEnd(
      'src/cli.ts',
      ['space', 'create', '--name', 'Sales', '--plan', 'PRO', '--json'],
      env,
    );
    expect(created.code).toBe(0);
    const space = JSON.parse(created.stdout) as { id: string; plan: string };
    expect(space.plan).toBe('PRO');
    const issued = await runTsToEnd(
      'src/cli.ts',
      ['token', 'create', '--space', space.id, '--scopes', 'spaces:read'],
      env,
    );
    expect(issued.code).toBe(0);
    const [secret] = issued.stdout.match(/tbk_[0-9A-Za-z]+/)!;
    expect((await spaces(secret)).body.data?.spaces).toEqual([{ id: space.id, name: 'Sales', isAdmin: true }]);

    const listed = await runTsToEnd('src/cli.ts', ['token', 'list', '--space', space.id, '--json'], env);
    const [tokenRow] = JSON.parse(listed.stdout) as { id: string }[];
    expect(listed.stdout).not.toContain(secret);
    const revoked = await runTsToEnd('src/cli.ts', ['token', 'revoke', '--token', tokenRow!.id], env);
    expect(revoked.code).toBe(0);
    expect((await spaces(secret)).status).toBe(401);
    expect(await stopServer(server)).toBe(0);
  });

  it('lets the CLI work on the database directly when no server runs', async () => {
    const created = await runTsToEnd('src/cli.ts', ['space', 'create', '--name', 'Offline'], env);
    expect(created.code).toBe(0);
    const listed = await runTsToEnd('src/cli.ts', ['space', 'list'], env);
    expect(listed.stdout).toMatch(/spc\w+ +FREE +"Offline"/);
    expect(listed.stdout).toMatch(/"Sales"/);
  });

  it.each([
    [['space', 'create'], /^error: --name is required$/],
    [['space', 'set-plan', '--space', 'spcNope000000', '--plan', 'PRO'], /^error: Space spcNope000000 does not exist$/],
    [['space', 'create', '--name', 'x', '--plan', 'GOLD'], /^error: plan must be one of FREE, PLUS, PRO, ENTERPRISE$/],
    [['token', 'create', '--space', 'spcNope000000'], /^error: Space spcNope000000 does not exist$/],
    [['tokens', 'make'], /^error: unknown command "tokens make"; see --help$/],
    [['space', 'list', '--colour', 'red'], /^error: Unknown option '--colour'/],
  ])('CLI errors are one clear line and a non-zero exit: %o', async (args, message) => {
    const result = await runTsToEnd('src/cli.ts', args, env);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr.trim()).toMatch(message);
  });
});

describe('start-up and shutdown', () => {
  it.each([
    [{ PORT: 'eighty' }, 'Invalid configuration: PORT must be a number (got "eighty")'],
    [
      { DATABASE_URL: 'mysql://localhost/db' },
      'Invalid configuration: DATABASE_URL must be a postgres:// or postgresql:// URL',
    ],
    [
      { LOG_LEVEL: 'chatty' },
      'Invalid configuration: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "chatty")',
    ],
  ])('refuses invalid configuration %o in one line', async (bad, line) => {
    const result = await runTsToEnd('src/main.ts', [], { ...env, ...bad });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`${line}\n`);
  });

  it('finishes in-flight requests on SIGTERM, then exits cleanly', async () => {
    const server = await startServer();
    const body = JSON.stringify({ query: '{ __typename }' });
    const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      });
      req.on('error', reject);
      // Half the body now, the rest after the server was told to stop.
      req.write(body.slice(0, 5));
      setTimeout(() => req.end(body.slice(5)), 700);
    });
    await new Promise((r) => setTimeout(r, 200));
    server.child.kill('SIGTERM');
    expect(await response).toEqual({ status: 200, text: '{"data":{"__typename":"Query"}}' });
    expect(await server.exited).toBe(0);
    // New connections are refused once it stopped.
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});
