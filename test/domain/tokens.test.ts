import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.js';
import { bootstrapInstallation } from '../../src/domain/spaces/bootstrap.js';
import { SCOPES } from '../../src/domain/tokens/scopes.js';
import { hashSecret } from '../../src/domain/tokens/token.service.js';
import { testInstallation } from '../support/db.js';

let inst: Awaited<ReturnType<typeof testInstallation>>;
let spaceId: string;
beforeAll(async () => {
  inst = await testInstallation();
  spaceId = (await inst.services.spaces.create({ name: 'Tokens' })).id;
});
afterAll(async () => {
  await inst?.dispose();
});

describe('tokens', () => {
  it('shows the secret once and stores only its hash and a recognisable prefix', async () => {
    const { secret, token } = await inst.services.tokens.create({ spaceId, name: 'ci' });
    expect(secret).toMatch(/^tbk_[0-9A-Za-z]{43}$/);
    expect(token.prefix).toBe(secret.slice(0, 12));
    expect(token.scopes).toEqual([...SCOPES]);
    const row = await inst.db.prisma.apiToken.findUniqueOrThrow({ where: { id: token.id } });
    expect(row.secretHash).toBe(hashSecret(secret));
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(JSON.stringify(await inst.services.tokens.list(spaceId))).not.toContain(secret);
  });

  it('never answers the stored hash of a secret (list, create, revoke)', async () => {
    const created = await inst.services.tokens.create({ spaceId, name: 'hashless' });
    const hash = hashSecret(created.secret);
    const answers = [
      created,
      await inst.services.tokens.list(spaceId),
      await inst.services.tokens.revoke(created.token.id),
    ];
    for (const answer of answers) {
      expect(JSON.stringify(answer)).not.toContain(hash);
      expect(JSON.stringify(answer)).not.toContain('secretHash');
    }
  });

  it('authenticates to the token owner with its scopes and datasheet restriction', async () => {
    const { secret, token } = await inst.services.tokens.create({
      spaceId,
      scopes: ['records:read'],
      datasheetIds: ['dst0Yj5aNeoHldqvf6'],
    });
    expect(await inst.services.tokens.authenticate(secret)).toEqual({
      userId: token.userId,
      tokenId: token.id,
      spaceId,
      spaceName: expect.any(String),
      scopes: ['records:read'],
      datasheetIds: ['dst0Yj5aNeoHldqvf6'],
      role: 'owner',
      plan: 'FREE',
    });
  });

  it('refuses revoked, expired and unknown tokens alike', async () => {
    const revoked = await inst.services.tokens.create({ spaceId });
    await inst.services.tokens.revoke(revoked.token.id);
    const expiring = await inst.services.tokens.create({ spaceId, expiresAt: new Date(Date.now() + 60_000) });
    await inst.db.prisma.apiToken.update({
      where: { id: expiring.token.id },
      data: { expiresAt: new Date(Date.now() - 1) },
    });
    for (const secret of [revoked.secret, expiring.secret, 'tbk_doesnotexist', 'not-a-token']) {
      await expect(inst.services.tokens.authenticate(secret)).rejects.toMatchObject({
        code: 'UNAUTHORIZED',
        message: 'Unauthorized',
      });
    }
  });

  it.each([
    [{ scopes: ['records:delete'] }, 'scopes', /Unknown scope "records:delete"/],
    [{ scopes: [] }, 'scopes', /at least one scope/],
    [{ datasheetIds: ['rec123'] }, 'datasheets', /"rec123" is not a datasheet id/],
    [{ expiresAt: new Date(Date.now() - 1000) }, 'expires', /expiry must be in the future/],
    [{ userId: 'usrNotAMember' }, 'user', /not a member/],
  ])('rejects bad input %o naming the parameter', async (input, parameter, message) => {
    const before = await inst.db.prisma.apiToken.count();
    const error = await inst.services.tokens.create({ spaceId, ...input }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ details: { parameter } });
    expect((error as Error).message).toMatch(message);
    expect(await inst.db.prisma.apiToken.count()).toBe(before);
  });

  it('rejects a token for a space that does not exist', async () => {
    await expect(inst.services.tokens.create({ spaceId: 'spcMissing0001' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});

describe('spaces', () => {
  it('creates spaces owned by the installation admin and changes plans', async () => {
    const created = await inst.services.spaces.create({ name: '  Sales  ', plan: 'plus' });
    expect(created).toMatchObject({ name: 'Sales', plan: 'PLUS' });
    expect((await inst.services.spaces.setPlan(created.id, 'PRO')).plan).toBe('PRO');
    const again = await inst.services.spaces.create({ name: 'Ops' });
    expect(again.ownerId).toBe(created.ownerId);
  });

  it.each([
    [{ name: '' }, /must not be empty/],
    [{ name: 'x'.repeat(101) }, /longer than 100/],
    [{ name: 'ok', plan: 'GOLD' }, /plan must be one of FREE, PLUS, PRO, ENTERPRISE/],
  ])('rejects %o', async (input, message) => {
    await expect(inst.services.spaces.create(input)).rejects.toThrow(message);
  });

  it('bootstraps only an empty installation', async () => {
    expect(await bootstrapInstallation(inst.db.prisma)).toBeUndefined();
  });
});
