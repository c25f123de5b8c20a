import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { gql } from '../support/graphql.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const NUL = '\u0000';
const LONE = '\ud800';

describe('text arguments no database can hold', () => {
  it.each([
    [
      'a literal NUL in an input field',
      'mutation { createToken(input: { name: "a\\u0000b" }) { token { id } } }',
      undefined,
      'input.name',
      /NUL character/,
    ],
    [
      'a NUL in a variable',
      'mutation ($id: ID!) { revokeToken(tokenId: $id) { id } }',
      { id: `tkn${NUL}` },
      'tokenId',
      /NUL character/,
    ],
    [
      'an unpaired surrogate in a variable object',
      'mutation ($input: CreateTokenInput!) { createToken(input: $input) { token { id } } }',
      { input: { name: `x${LONE}y` } },
      'input.name',
      /unpaired UTF-16 surrogate/,
    ],
    [
      'a NUL in a list item',
      'mutation ($s: [String!]) { createToken(input: { name: "n", scopes: $s }) { token { id } } }',
      { s: ['records:read', `records:write${NUL}`] },
      'input.scopes[1]',
      /NUL/,
    ],
    ['a NUL in a query argument', '{ auditEvents(action: "\\u0000") { nextCursor } }', undefined, 'action', /NUL/],
    [
      'a NUL in an idempotency key',
      `mutation { createToken(input: { name: "n" }, idempotencyKey: "k\\u0000") { token { id } } }`,
      undefined,
      'idempotencyKey',
      /NUL/,
    ],
    [
      'a NUL in a variable default',
      'mutation ($id: ID! = "\\u0000") { revokeToken(tokenId: $id) { id } }',
      undefined,
      '$id',
      /NUL/,
    ],
  ] as const)(
    'refuses %s with HTTP 400 INVALID_ARGUMENT naming it, and changes nothing',
    async (_label, query, variables, parameter, message) => {
      const before = await t.app.prisma.apiToken.count();
      for (const token of [t.token, undefined]) {
        const res = await gql(t.url, query, { token, ...(variables ? { variables } : {}) });
        expect(res.status).toBe(400);
        expect(res.body.data ?? null).toBeNull();
        expect(res.body.errors).toHaveLength(1);
        expect(res.body.errors?.[0]).toMatchObject({ extensions: { code: 'INVALID_ARGUMENT', parameter } });
        expect(res.body.errors?.[0]?.message).toMatch(message);
        expect(res.body.errors?.[0]?.message).toContain(`"${parameter}"`);
      }
      expect(await t.app.prisma.apiToken.count()).toBe(before);
    },
  );

  it('lets well-formed text through, surrogate pairs included', async () => {
    const res = await gql(
      t.url,
      'mutation ($input: CreateTokenInput!) { createToken(input: $input) { token { name } } }',
      {
        token: t.token,
        variables: { input: { name: 'emoji 😀 ok' } },
      },
    );
    expect(res.body).toEqual({ data: { createToken: { token: { name: 'emoji 😀 ok' } } } });
  });
});
