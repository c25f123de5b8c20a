import { DomainError } from '../../src/domain/errors.js';
import type { Scope } from '../../src/domain/tokens/scopes.js';
import { admit, scoped } from '../access.js';
import { builder } from '../builder.js';
import type { GraphQLContext } from '../context.js';

/** Type names by id prefix: the project's prefixed ids are already global (Relay's `Node.id`). */
const TYPE_OF_PREFIX: Record<string, string> = {
  spc: 'Space',
  fod: 'Folder',
  dst: 'Datasheet',
  rec: 'Record',
  fld: 'Field',
  viw: 'View',
};

export const NodeRef = builder.interfaceRef<{ id: string }>('Node').implement({
  description: 'An object with a global id (the prefixed id: spc, fod, dst, rec, fld, viw).',
  fields: (t) => ({ id: t.exposeID('id') }),
  resolveType: (value) => TYPE_OF_PREFIX[value.id.slice(0, 3)] ?? null,
});

type Fetch = (ctx: GraphQLContext, id: string) => Promise<{ id: string } | null | undefined>;
const fetchers = new Map<string, Fetch>();

/** Each type's module says how `node(id)` reads an id of its prefix (null when not found or out of reach). */
export function nodeFetcher(prefix: string, fetch: Fetch): void {
  fetchers.set(prefix, fetch);
}

/**
 * Whether the token reaches the datasheet for `scope`: false when it is missing, of another space or outside the
 * token's restriction (read as not found); a token missing the scope or role is refused (FORBIDDEN) first.
 */
export async function reachable(ctx: GraphQLContext, scope: Scope, datasheetId: string): Promise<boolean> {
  await admit(ctx, scope);
  try {
    await admit(ctx, scope, { datasheetId });
    return true;
  } catch (error) {
    if (error instanceof DomainError && error.reason === 'DATASHEET_NOT_FOUND') return false;
    throw error;
  }
}

async function fetchNode(ctx: GraphQLContext, id: string): Promise<{ id: string } | null> {
  const fetch = fetchers.get(id.slice(0, 3));
  if (!fetch) {
    if (!ctx.actor) await admit(ctx, 'spaces:read');
    return null;
  }
  return (await fetch(ctx, id)) ?? null;
}

builder.queryField('node', (t) =>
  t.field({
    type: NodeRef,
    nullable: true,
    description: 'Any object by its id; null when it does not exist or is out of the token’s reach.',
    ...scoped('spaces:read'),
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => fetchNode(ctx, String(id)),
  }),
);

builder.queryField('nodes', (t) =>
  t.field({
    type: [NodeRef],
    nullable: { list: false, items: true },
    description: 'Objects by id, in order; null for each that does not exist or is out of reach.',
    ...scoped('spaces:read'),
    args: { ids: t.arg.idList({ required: true }) },
    resolve: (_root, { ids }, ctx) => Promise.all(ids.map((id) => fetchNode(ctx, String(id)))),
  }),
);
