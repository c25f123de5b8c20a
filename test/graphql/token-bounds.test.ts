import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { writeBehind } from '../support/behind.js';
import { gql } from '../support/graphql.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const CREATE = 'mutation ($input: CreateTokenInput!) { createToken(input: $input) { secret token { id expiresAt } } }';

async function createThrough(token: string, input: Record<string, unknown>) {
  const res = await gql(t.url, CREATE, { token, variables: { input } });
  const created = res.body.data?.createToken as
    | { secret: string; token: { id: string; expiresAt: string | null } }
    | undefined;
  return { res, created };
}

const whoAmI = async (token: string) => {
  const res = await gql(t.url, '{ me { token { id } } }', { token });
  return res.body.errors?.[0]?.extensions?.code ?? 'OK';
};

const parentToken = (expiresAt?: Date) =>
  t.app.services.tokens.create({
    spaceId: t.spaceId,
    name: 'parent',
    scopes: ['spaces:read', 'tokens:manage'],
    expiresAt,
  });

describe('a token created through GraphQL is bounded by the token that created it', () => {
  it('expires with its creator by default, and may not be set to outlive it', async () => {
    const parentExpiry = new Date(Date.now() + 3_600_000);
    const parent = await parentToken(parentExpiry);
    const inherited = await createThrough(parent.secret, { name: 'child' });
    expect(inherited.created?.token.expiresAt).toBe(parentExpiry.toISOString());

    const before = await t.app.prisma.apiToken.count();
    const later = await createThrough(parent.secret, {
      name: 'child',
      expiresAt: new Date(parentExpiry.getTime() + 1000).toISOString(),
    });
    expect(later.res.status).toBe(400);
    expect(later.res.body.errors?.[0]).toMatchObject({
      extensions: { code: 'INVALID_ARGUMENT', parameter: 'expiresAt' },
    });
    expect(later.res.body.errors?.[0]?.message).toContain(parentExpiry.toISOString());
    expect(await t.app.prisma.apiToken.count()).toBe(before);

    const earlier = new Date(parentExpiry.getTime() - 60_000).toISOString();
    expect((await createThrough(parent.secret, { name: 'child', expiresAt: earlier })).created?.token.expiresAt).toBe(
      earlier,
    );
  });

  it('is revoked with its creator, and so are the tokens it created', async () => {
    const parent = await parentToken();
    const child = (await createThrough(parent.secret, { name: 'child' })).created!;
    const grandchild = (await createThrough(child.secret, { name: 'grandchild' })).created!;
    const sibling = (await createThrough(t.token, { name: 'unrelated' })).created!;
    expect([await whoAmI(child.secret), await whoAmI(grandchild.secret)]).toEqual(['OK', 'OK']);

    const revoked = await gql(t.url, 'mutation ($id: ID!) { revokeToken(tokenId: $id) { revokedAt } }', {
      token: t.token,
      variables: { id: parent.token.id },
    });
    expect(revoked.body.errors).toBeUndefined();

    expect([await whoAmI(parent.secret), await whoAmI(child.secret), await whoAmI(grandchild.secret)]).toEqual([
      'UNAUTHORIZED',
      'UNAUTHORIZED',
      'UNAUTHORIZED',
    ]);
    expect(await whoAmI(sibling.secret)).toBe('OK');
    const rows = await t.app.prisma.apiToken.findMany({
      where: { id: { in: [child.token.id, grandchild.token.id, sibling.token.id] } },
    });
    expect(Object.fromEntries(rows.map((r) => [r.id, r.revokedAt !== null]))).toEqual({
      [child.token.id]: true,
      [grandchild.token.id]: true,
      [sibling.token.id]: false,
    });
  });

  it('is refused at once when its creator is revoked or expired by any other path', async () => {
    // As when the child was written while its creator was being revoked: only the creator's row says so.
    for (const end of ['revoked_at = now()', "expires_at = now() - interval '1 second'"]) {
      const parent = await parentToken();
      const child = (await createThrough(parent.secret, { name: 'child' })).created!;
      const grandchild = (await createThrough(child.secret, { name: 'grandchild' })).created!;
      await writeBehind(t, () =>
        t.app.prisma.$executeRawUnsafe(`UPDATE api_tokens SET ${end} WHERE id = $1`, parent.token.id),
      );
      expect([await whoAmI(child.secret), await whoAmI(grandchild.secret)]).toEqual(['UNAUTHORIZED', 'UNAUTHORIZED']);
    }
  });
});
