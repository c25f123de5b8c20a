import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenCache } from '../../src/domain/tokens/token-cache.js';
import type { TokenRow } from '../../src/db/stores/access.store.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { onPostgres } from '../support/database.js';
import { writeBehind } from '../support/behind.js';
import { fusion } from '../support/fusion.js';

/**
 * Verified tokens are kept in memory (src/domain/tokens/token-cache.ts) while the server hears the database's
 * notifications of changes to tokens, memberships and spaces (PostgreSQL: src/db/auth-changes.ts). A change made by
 * another process, straight on the database, still takes effect on the very next request.
 */
let t: TestApp;
/** Another process's connection: it writes the database directly, as another server or the CLI does. */
let other: pg.Client;

const until = async (ok: () => boolean) => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 25));
};

beforeAll(async () => {
  t = await startTestApp({}, { countRoundTrips: true });
  if (onPostgres()) {
    other = new pg.Client({ connectionString: t.config.databaseUrl });
    await other.connect();
    await until(() => t.app.services.tokenCache.enabled);
  }
});
afterAll(async () => {
  await other?.end();
  await t?.close();
});

async function newToken(scopes?: string[]): Promise<{ secret: string; id: string }> {
  const created = await t.app.services.tokens.create({ spaceId: t.spaceId, ...(scopes ? { scopes } : {}) });
  return { secret: created.secret, id: created.token.id };
}

const spaces = (secret: string) => fusion(t.url, 'GET', '/v1/spaces', { token: secret });

/** Statements a request sent (the token lookup among them, unless it was remembered). */
async function statements(send: () => Promise<unknown>): Promise<number> {
  const before = t.app.roundTrips!.count;
  await send();
  return t.app.roundTrips!.count - before;
}

describe.runIf(onPostgres())('verified tokens kept in memory (PostgreSQL)', () => {
  it('looks a token up once, then answers from memory; keeps nothing while the changes are not heard', async () => {
    const { secret } = await newToken();
    await spaces(secret); // the lookup, and its last-used time written
    const remembered = await statements(() => spaces(secret));
    t.app.services.tokenCache.enable(false);
    try {
      const looked = await statements(() => spaces(secret));
      expect(looked).toBe(remembered + 1);
      expect(await statements(() => spaces(secret))).toBe(looked);
    } finally {
      t.app.services.tokenCache.enable(true);
    }
  });

  it('refuses a token on the next request once another process revoked it in the database', async () => {
    const { secret, id } = await newToken();
    expect((await spaces(secret)).status).toBe(200);
    expect((await spaces(secret)).status).toBe(200);
    await writeBehind(t, () => other.query(`UPDATE api_tokens SET revoked_at = now() WHERE id = $1`, [id]));
    expect((await spaces(secret)).status).toBe(401);
  });

  it('refuses a token once another process revoked the token it was created through', async () => {
    const parent = await newToken();
    const child = await t.app.services.tokens.createFor(
      (await t.app.services.tokens.authenticate(parent.secret)) as never,
      { name: 'child', spaceId: t.spaceId },
      { userId: null, tokenId: parent.id },
    );
    expect((await spaces(child.secret)).status).toBe(200);
    await writeBehind(t, () => other.query(`UPDATE api_tokens SET revoked_at = now() WHERE id = $1`, [parent.id]));
    expect((await spaces(child.secret)).status).toBe(401);
  });

  it('applies a role lowered by another process on the next request', async () => {
    const { secret } = await newToken();
    const datasheet = await fusion<{ id: string }>(t.url, 'POST', `/v1/spaces/${t.spaceId}/datasheets`, {
      token: secret,
      body: { name: 'roles', fields: [{ name: 'Name', type: 'SingleText', property: {} }] },
    });
    expect(datasheet.status).toBe(200);
    const write = () =>
      fusion(t.url, 'POST', `/v1/datasheets/${datasheet.body.data!.id}/records`, {
        token: secret,
        body: { records: [{ fields: { Name: 'x' } }] },
      });
    expect((await write()).status).toBe(200);
    await writeBehind(t, () =>
      other.query(`UPDATE space_members SET role = 'reader' WHERE space_id = $1`, [t.spaceId]),
    );
    try {
      expect((await write()).body).toMatchObject({ success: false });
    } finally {
      await other.query(`UPDATE space_members SET role = 'owner' WHERE space_id = $1`, [t.spaceId]);
    }
  });
});

describe('the token cache', () => {
  const row = { id: 'tkn1', revoked: false } as TokenRow;

  it('does not keep a lookup that an invalidation overtook', () => {
    const cache = createTokenCache();
    cache.enable(true);
    const since = cache.generation;
    cache.invalidate(); // a revocation heard while the lookup was under way
    cache.set('h', row, since);
    expect(cache.get('h')).toBeUndefined();
    cache.set('h', row, cache.generation);
    expect(cache.get('h')).toBe(row);
  });

  it('forgets entries past their time and the oldest past its size, and keeps nothing while off', () => {
    let now = 0;
    const cache = createTokenCache({ ttlMs: 100, size: 2, now: () => now });
    cache.set('a', row, cache.generation);
    expect(cache.get('a')).toBeUndefined();
    cache.enable(true);
    for (const h of ['a', 'b', 'c']) cache.set(h, row, cache.generation);
    expect([cache.get('a'), cache.size]).toEqual([undefined, 2]);
    now = 101;
    expect(cache.get('b')).toBeUndefined();
  });
});
