import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { gql } from '../support/graphql.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const REVOKE = 'mutation ($id: ID!) { revokeToken(tokenId: $id) { revokedAt } }';

describe('GraphQL errors carry GraphQL codes, never the REST facade’s', () => {
  it("answers a refusal the REST facade codes 602 (the member's role) with FORBIDDEN and nothing else", async () => {
    const { prisma } = t.app;
    const userId = newId('user');
    await prisma.user.create({ data: { id: userId, name: 'Reader' } });
    await prisma.spaceMember.create({ data: { spaceId: t.spaceId, userId, role: 'reader' } });
    const reader = await t.app.services.tokens.create({
      spaceId: t.spaceId,
      name: 'reader',
      scopes: ['tokens:manage'],
      userId,
    });

    const res = await gql(t.url, REVOKE, { token: reader.secret, variables: { id: reader.token.id } });
    expect(res.body.errors?.[0]?.message).toBe('Operation denied');
    expect([res.status, res.body.errors?.[0]?.extensions]).toEqual([403, { code: 'FORBIDDEN' }]);
    expect(res.text).not.toMatch(/602|fusionCode|httpStatus|"role"/);
  });

  it('names the parameter of a missing object, with NOT_FOUND and no business code', async () => {
    const res = await gql(t.url, REVOKE, { token: t.token, variables: { id: 'tknNope' } });
    expect([res.status, res.body.errors?.[0]?.extensions]).toEqual([404, { code: 'NOT_FOUND', parameter: 'token' }]);
    expect(res.text).not.toMatch(/301|fusionCode/);
  });

  it('documents every code it answers in the schema (enum ErrorCode)', async () => {
    const res = await gql(t.url, '{ __type(name: "ErrorCode") { enumValues { name description } } }', {
      token: t.token,
    });
    const values = (res.body.data!.__type as { enumValues: { name: string; description: string }[] }).enumValues;
    const names = values.map((v) => v.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'UNAUTHORIZED',
        'FORBIDDEN',
        'NOT_FOUND',
        'INVALID_ARGUMENT',
        'QUERY_TOO_COMPLEX',
        'INTERNAL_SERVER_ERROR',
      ]),
    );
    expect(values.every((v) => v.description.length > 0)).toBe(true);
  });
});
