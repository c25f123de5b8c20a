import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { gql } from '../support/graphql.js';

/** The server's own logger (createLogger), at debug, writing into memory. */
const lines: string[] = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    done();
  },
});
const records = () =>
  lines.map(
    (l) => JSON.parse(l) as { level: number; msg: string; err?: { name: string; message: string; code?: string } },
  );
const ERROR = 50;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({}, { logger: createLogger({ logLevel: 'debug' }, sink) });
});
afterAll(async () => {
  await t?.close();
});

describe('GraphQL error logging', () => {
  it('logs refusals a client caused at debug only, not at error', async () => {
    lines.length = 0;
    for (let i = 0; i < 5; i++) {
      expect((await gql(t.url, '{ spaces { id } }')).body.errors?.[0]?.extensions?.code).toBe('UNAUTHORIZED');
      expect(
        (await gql(t.url, '{ spaces { id } }', { token: 'tbk_not_a_real_token' })).body.errors?.[0]?.extensions?.code,
      ).toBe('UNAUTHORIZED');
    }
    expect(
      (await gql(t.url, 'mutation { revokeToken(tokenId: "tknNope") { id } }', { token: t.token })).body.errors?.[0]
        ?.extensions?.code,
    ).toBe('NOT_FOUND');
    expect((await gql(t.url, '{ spaces { nope } }', { token: t.token })).body.errors?.[0]?.extensions?.code).toBe(
      'GRAPHQL_VALIDATION_FAILED',
    );
    expect(records().filter((r) => r.level >= ERROR)).toEqual([]);
    expect(records().filter((r) => r.msg === 'graphql operation refused').length).toBeGreaterThanOrEqual(10);
    expect(lines.join('\n')).not.toContain('tbk_not_a_real_token');
  });

  it('logs an unexpected failure once at error, redacted: no stack, source path, SQL or token', async () => {
    // A real fault: a column Prisma reads is gone (Prisma's message names the calling source file and line).
    await t.app.prisma.$executeRawUnsafe('ALTER TABLE spaces RENAME COLUMN created_at TO created_at_gone');
    try {
      lines.length = 0;
      const res = await gql(t.url, '{ spaces { id createdAt } }', { token: t.token });
      expect(res.body.errors?.[0]).toMatchObject({
        message: 'Unexpected error.',
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      });
      expect(res.text).not.toMatch(/created_at|prisma|\.ts/i);
    } finally {
      await t.app.prisma.$executeRawUnsafe('ALTER TABLE spaces RENAME COLUMN created_at_gone TO created_at');
    }
    const failures = records().filter((r) => r.level >= ERROR);
    expect(failures).toHaveLength(1);
    // What went wrong, in one line.
    expect(failures[0]).toMatchObject({
      msg: 'graphql operation failed',
      err: { name: 'PrismaClientKnownRequestError', message: expect.stringMatching(/does not exist/) },
    });
    const logged = lines.join('\n');
    expect(logged).not.toMatch(/\.ts:\d+|\/work\/|node_modules|\n\s+at |SELECT|FROM "|invocation/i);
    expect(logged).not.toContain(t.token);
  });
});
