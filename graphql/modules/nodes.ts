import type { NodeApi } from '../../src/domain/nodes/node.service.js';
import { admit } from '../access.js';
import { builder } from '../builder.js';
import type { GraphQLContext } from '../context.js';
import { DatasheetRef } from './datasheet.js';
import { NodeRef, nodeFetcher } from './node.js';

/** Nodes are read with the scope the REST node routes use (datasheets:read). */
const NODE_SCOPE = 'datasheets:read';

const NodeType = builder.enumType('NodeType', { values: ['FOLDER', 'DATASHEET'] as const });

export const FolderRef = builder.objectRef<NodeApi>('Folder');
FolderRef.implement({
  interfaces: [NodeRef],
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    parent: t.field({
      type: FolderRef,
      nullable: true,
      description: 'The folder holding this one; null at the root.',
      resolve: async (folder, _args, ctx) =>
        folder.parentId ? ((await folderOf(ctx, folder.parentId)) ?? null) : null,
    }),
    children: t.field({
      type: [NodeRef],
      description: 'Folders and datasheets directly inside, in order (a restricted token sees only its datasheets).',
      resolve: async (folder, _args, ctx) => {
        await admit(ctx, NODE_SCOPE);
        return ctx.services.nodes.list(ctx.actor!, { parentId: folder.id });
      },
    }),
  }),
});

async function folderOf(ctx: GraphQLContext, id: string): Promise<NodeApi | undefined> {
  await admit(ctx, NODE_SCOPE);
  const node = await ctx.services.nodes.get(ctx.actor!, id);
  return node?.type === 'Folder' ? node : undefined;
}

nodeFetcher('fod', folderOf);

builder.prismaObjectFields('Space', (t) => ({
  nodes: t.field({
    type: [NodeRef],
    description:
      'Folders and datasheets: the root level, or the children of `parentId`; `query` (part of a name) without a parent searches the whole tree.',
    args: {
      parentId: t.arg.id({ required: false }),
      type: t.arg({ type: NodeType, required: false }),
      query: t.arg.string({ required: false }),
    },
    resolve: async (space, args, ctx) => {
      await admit(ctx, NODE_SCOPE);
      if (space.id !== ctx.actor!.spaceId) return [];
      return ctx.services.nodes.list(ctx.actor!, {
        parentId: args.parentId ? String(args.parentId) : args.query ? undefined : null,
        type: args.type ?? undefined,
        query: args.query ?? undefined,
      });
    },
  }),
  datasheets: t.field({
    type: [DatasheetRef],
    description: 'Every datasheet of the space the token reaches, wherever it sits in the tree.',
    resolve: async (space, _args, ctx) => {
      await admit(ctx, NODE_SCOPE);
      if (space.id !== ctx.actor!.spaceId) return [];
      return ctx.services.nodes.list(ctx.actor!, { type: 'DATASHEET' });
    },
  }),
}));
