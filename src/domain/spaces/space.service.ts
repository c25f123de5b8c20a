import type { PrismaClient } from '../../db/client.js';
import type { Tx } from '../../db/tx.js';
import { invalidArgument, notFound } from '../errors.js';
import { newId } from '../ids.js';
import { isPlan, PLANS, type Plan } from './plans.js';
import type { Actor } from '../context.js';

export const SPACE_NAME_MAX = 100;

export interface SpaceSummary {
  id: string;
  name: string;
  plan: Plan;
  createdAt: Date;
}

export interface CreateSpaceInput {
  name: string;
  plan?: string | undefined;
  /** Owner user id; defaults to the installation's first user (created when there is none). */
  ownerId?: string | undefined;
}

export function createSpaceService(prisma: PrismaClient) {
  async function create(input: CreateSpaceInput): Promise<SpaceSummary & { ownerId: string }> {
    const name = validateName(input.name);
    const plan = validatePlan(input.plan ?? 'FREE');
    return prisma.$transaction(async (tx) => {
      const ownerId = input.ownerId ?? (await installationAdmin(tx)).id;
      if (input.ownerId && !(await tx.user.findUnique({ where: { id: input.ownerId } }))) {
        throw notFound(`User ${input.ownerId} does not exist`, { parameter: 'owner' });
      }
      const space = await tx.space.create({
        data: { id: newId('space'), name, plan, members: { create: { userId: ownerId, role: 'owner' } } },
      });
      return { ...summary(space), ownerId };
    });
  }

  async function setPlan(spaceId: string, planName: string): Promise<SpaceSummary> {
    const plan = validatePlan(planName);
    const found = await prisma.space.findUnique({ where: { id: spaceId } });
    if (!found) throw notFound(`Space ${spaceId} does not exist`, { parameter: 'space' });
    return summary(await prisma.space.update({ where: { id: spaceId }, data: { plan } }));
  }

  async function list(): Promise<SpaceSummary[]> {
    const spaces = await prisma.space.findMany({ orderBy: { createdAt: 'asc' } });
    return spaces.map(summary);
  }

  /**
   * Spaces the actor may see: those its user is a member of, narrowed to the token's own space. That is
   * the token's space, which authentication read in the same request together with the user's membership
   * (a token whose user is not a member is refused), so no query is needed.
   */
  async function listVisible(actor: Actor): Promise<{ id: string; name: string; plan: Plan; isAdmin: boolean }[]> {
    return [
      {
        id: actor.spaceId,
        name: actor.spaceName,
        plan: actor.plan,
        isAdmin: actor.role === 'owner' || actor.role === 'admin',
      },
    ];
  }

  /** Members of a space by user id, with their names (one round trip); users outside the space are absent. */
  async function members(
    spaceId: string,
    userIds: readonly string[],
  ): Promise<Map<string, { id: string; name: string }>> {
    const rows = await prisma.spaceMember.findMany({
      where: { spaceId, userId: { in: [...userIds] } },
      select: { user: { select: { id: true, name: true } } },
    });
    return new Map(rows.map((r) => [r.user.id, r.user]));
  }

  async function count(): Promise<number> {
    return prisma.space.count();
  }

  return { create, setPlan, list, listVisible, members, count };
}

export type SpaceService = ReturnType<typeof createSpaceService>;

async function installationAdmin(tx: Tx) {
  const first = await tx.user.findFirst({ orderBy: { createdAt: 'asc' } });
  return first ?? tx.user.create({ data: { id: newId('user'), name: 'Admin' } });
}

function validateName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw invalidArgument('Space name must not be empty', { parameter: 'name' });
  if (trimmed.length > SPACE_NAME_MAX) {
    throw invalidArgument(`Space name must not be longer than ${SPACE_NAME_MAX} characters`, { parameter: 'name' });
  }
  return trimmed;
}

function validatePlan(plan: string): Plan {
  const upper = plan.toUpperCase();
  if (!isPlan(upper)) throw invalidArgument(`plan must be one of ${PLANS.join(', ')}`, { parameter: 'plan' });
  return upper;
}

function summary(space: { id: string; name: string; plan: Plan; createdAt: Date }): SpaceSummary {
  return { id: space.id, name: space.name, plan: space.plan, createdAt: space.createdAt };
}
