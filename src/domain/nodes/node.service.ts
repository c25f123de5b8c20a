import type { PrismaClient } from '../../db/client.js';
import type { Actor } from '../context.js';
import { DomainError, invalidArgument } from '../errors.js';

/** A node as the Fusion API shows it (aitable-fusion-api.md §2.14). */
export interface NodeApi {
  id: string;
  name: string;
  type: 'Folder' | 'Datasheet';
  icon: string;
  isFav: boolean;
  /** 0 manager, 1 editor, 2 update-only, 3 read-only. */
  permission: number;
  parentId?: string;
  children?: NodeApi[];
}

const API_TYPE = { FOLDER: 'Folder', DATASHEET: 'Datasheet' } as const;
const SEARCH_TYPES = ['Folder', 'Datasheet', 'Form', 'Dashboard', 'Mirror', 'Automation'] as const;

/** The permission a member's role gives on every node of the space (no per-node permissions yet). */
function permissionOf(role: Actor['role']): number {
  return role === 'owner' || role === 'admin' ? 0 : role === 'editor' ? 1 : 3;
}

/**
 * The space's node tree as the Fusion node routes list it. A token restricted to datasheets sees only
 * those datasheets (and folders on their way); a node of another space answers as a missing one.
 */
export function createNodeService(prisma: PrismaClient) {
  type Row = { id: string; name: string; type: 'FOLDER' | 'DATASHEET'; icon: string | null; parentId: string | null };
  const visible = (actor: Actor, row: Row) =>
    row.type === 'FOLDER' || actor.datasheetIds.length === 0 || actor.datasheetIds.includes(row.id);
  const toApi = (actor: Actor, row: Row, withParent = false): NodeApi => ({
    id: row.id,
    name: row.name,
    type: API_TYPE[row.type],
    icon: row.icon ?? '',
    isFav: false,
    permission: permissionOf(actor.role),
    ...(withParent && row.parentId ? { parentId: row.parentId } : {}),
  });
  const select = { id: true, name: true, type: true, icon: true, parentId: true } as const;

  return {
    /** The first level under the space's root. */
    async listRoot(actor: Actor): Promise<NodeApi[]> {
      const rows = await prisma.node.findMany({
        where: { spaceId: actor.spaceId, parentId: null },
        orderBy: { position: 'asc' },
        select,
      });
      return rows.filter((r) => visible(actor, r)).map((r) => toApi(actor, r));
    },

    /** One node; a folder's children one level deep. */
    async detail(actor: Actor, nodeId: string): Promise<NodeApi> {
      const row = await prisma.node.findFirst({ where: { id: nodeId, spaceId: actor.spaceId }, select });
      if (!row || !visible(actor, row))
        throw new DomainError('DATASHEET_NOT_FOUND', "Can't find the specified datasheet", { parameter: 'nodeId' });
      const node = toApi(actor, row);
      if (row.type !== 'FOLDER') return node;
      const children = (
        await prisma.node.findMany({ where: { parentId: row.id }, orderBy: { position: 'asc' }, select })
      ).filter((c) => visible(actor, c));
      return children.length ? { ...node, children: children.map((c) => toApi(actor, c)) } : node;
    },

    /** One node with its parent's id, or undefined when missing, of another space or out of the token's reach. */
    async get(actor: Actor, nodeId: string): Promise<NodeApi | undefined> {
      const row = await prisma.node.findFirst({ where: { id: nodeId, spaceId: actor.spaceId }, select });
      return row && visible(actor, row) ? toApi(actor, row, true) : undefined;
    },

    /**
     * Nodes of the space: the children of `parentId` (null: the root's; undefined: the whole tree), optionally of
     * one type and matching part of their name.
     */
    async list(
      actor: Actor,
      input: {
        parentId?: string | null | undefined;
        type?: 'FOLDER' | 'DATASHEET' | undefined;
        query?: string | undefined;
      },
    ): Promise<NodeApi[]> {
      const rows = await prisma.node.findMany({
        where: {
          spaceId: actor.spaceId,
          ...(input.parentId !== undefined ? { parentId: input.parentId } : {}),
          ...(input.type ? { type: input.type } : {}),
          ...(input.query ? { name: { contains: input.query, mode: 'insensitive' } } : {}),
        },
        orderBy: [{ parentId: 'asc' }, { position: 'asc' }],
        select,
      });
      return rows.filter((r) => visible(actor, r)).map((r) => toApi(actor, r, true));
    },

    /** v2 search: nodes of a type, optionally by permission and a part of their name. */
    async search(
      actor: Actor,
      input: { type: string | undefined; permissions?: number[] | undefined; query?: string | undefined },
    ): Promise<NodeApi[]> {
      if (!input.type || !(SEARCH_TYPES as readonly string[]).includes(input.type)) {
        throw invalidArgument(`type must be one of ${SEARCH_TYPES.join(', ')}`, { parameter: 'type' });
      }
      const bad = input.permissions?.find((p) => !Number.isInteger(p) || p < 0 || p > 3);
      if (bad !== undefined)
        throw invalidArgument('permissions must be integers from 0 to 3', { parameter: 'permissions' });
      const dbType = input.type === 'Folder' ? 'FOLDER' : input.type === 'Datasheet' ? 'DATASHEET' : undefined;
      if (!dbType) return [];
      if (input.permissions?.length && !input.permissions.includes(permissionOf(actor.role))) return [];
      const rows = await prisma.node.findMany({
        where: {
          spaceId: actor.spaceId,
          type: dbType,
          ...(input.query ? { name: { contains: input.query, mode: 'insensitive' } } : {}),
        },
        orderBy: [{ parentId: 'asc' }, { position: 'asc' }],
        select,
      });
      return rows.filter((r) => visible(actor, r)).map((r) => toApi(actor, r, true));
    },
  };
}

export type NodeService = ReturnType<typeof createNodeService>;
