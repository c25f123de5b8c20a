import { mkdtemp, mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, isStale } from '../../src/tooling/build.js';
import { freshPostgresDatabase } from '../support/database.js';
import { fusion } from '../support/fusion.js';
import { freePort, ROOT, runNode, waitReady, type Running } from '../support/process.js';

/**
 * The production build (`npm start` runs dist/src/main.js): compiled into a directory of its own inside the package
 * (so its imports resolve to node_modules and it is ESM), it starts, migrates, and serves both APIs and the files it
 * reads beside its code (the OpenAPI document, the migrations).
 */
describe('the compiled server', () => {
  let outdir: string;
  let dataDir: string;
  let pgdb: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  let server: Running | undefined;

  beforeAll(async () => {
    await mkdir(path.join(ROOT, '.tmp'), { recursive: true });
    outdir = await mkdtemp(path.join(ROOT, '.tmp', 'dist-'));
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'tb-build-'));
    pgdb = await freshPostgresDatabase();
  });
  afterAll(async () => {
    if (server && server.child.exitCode === null) server.child.kill('SIGKILL');
    await server?.exited;
    await pgdb?.drop();
    await rm(outdir, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
  });

  it('builds, is fresh until a source changes, and serves REST and GraphQL from dist', async () => {
    await buildServer(ROOT, outdir);
    expect(isStale(ROOT, outdir)).toBe(false);

    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    server = runNode([path.join(outdir, 'src/main.js')], {
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: pgdb?.url,
      LOG_LEVEL: 'warn',
    });
    const [, token] = await server.waitFor(/\n\s+(tbk_[0-9A-Za-z]+)\n/, 60_000);
    await waitReady(url, 60_000);
    const spaces = await fusion<{ spaces: { id: string }[] }>(url, 'GET', '/v1/spaces', { token: token! });
    expect(spaces.body.success).toBe(true);
    expect(spaces.body.data?.spaces).toHaveLength(1);
    const openapi = await fetch(`${url}/fusion/v1/openapi.json`);
    expect(openapi.status).toBe(200);
    expect(((await openapi.json()) as { openapi: string }).openapi).toMatch(/^3\./);
    const graphql = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(await graphql.json()).toEqual({ data: { __typename: 'Query' } });
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('is stale when it is missing or older than a source', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'tb-build-root-'));
    try {
      await mkdir(path.join(root, 'src'));
      await writeFile(path.join(root, 'src/main.ts'), 'export const answer: number = 42;\n');
      await writeFile(path.join(root, 'package.json'), '{"type":"module"}\n');
      await writeFile(path.join(root, 'tsconfig.json'), '{"compilerOptions":{"experimentalDecorators":true}}\n');
      expect(isStale(root)).toBe(true);
      await buildServer(root);
      expect(isStale(root)).toBe(false);
      const later = new Date(Date.now() + 60_000);
      await utimes(path.join(root, 'src/main.ts'), later, later);
      expect(isStale(root)).toBe(true);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
