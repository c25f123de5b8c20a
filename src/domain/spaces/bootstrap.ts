import type { PrismaClient } from '../../db/client.js';
import { advisoryXactLock, LOCK_KEYS } from '../../db/locks.js';
import { newId } from '../ids.js';
import { SCOPES } from '../tokens/scopes.js';
import { newTokenData } from '../tokens/token.service.js';

export interface Bootstrapped {
  spaceId: string;
  spaceName: string;
  userId: string;
  /** Shown once; only its hash is stored. */
  secret: string;
}

/**
 * On an empty installation: one space, its owner and a token with every scope, in one transaction
 * (under a lock, so several processes starting together bootstrap once). Returns undefined when the
 * installation already has a space.
 */
export async function bootstrapInstallation(prisma: PrismaClient): Promise<Bootstrapped | undefined> {
  return prisma.$transaction(async (tx) => {
    await advisoryXactLock(tx, LOCK_KEYS.bootstrap);
    if ((await tx.space.count()) > 0) return undefined;
    const user = await tx.user.create({ data: { id: newId('user'), name: 'Admin' } });
    const space = await tx.space.create({
      data: {
        id: newId('space'),
        name: 'My Space',
        plan: 'ENTERPRISE',
        members: { create: { userId: user.id, role: 'owner' } },
      },
    });
    const { secret, data } = newTokenData({
      spaceId: space.id,
      userId: user.id,
      name: 'Bootstrap token',
      scopes: [...SCOPES],
      datasheetIds: [],
    });
    await tx.apiToken.create({ data });
    return { spaceId: space.id, spaceName: space.name, userId: user.id, secret };
  });
}
