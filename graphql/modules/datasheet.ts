import type { ViewDef } from '../../src/domain/datasheets/schema.js';
import type { FieldApi } from '../../src/domain/schema/field-api.js';
import { admit, scoped } from '../access.js';
import { builder } from '../builder.js';
import type { GraphQLContext } from '../context.js';
import { NodeRef, nodeFetcher, reachable } from './node.js';
import { SpaceRef } from './space.js';

/** A datasheet is carried by its id; everything else is read through the request's loaders. */
export interface DatasheetNode {
  id: string;
}

const SCHEMA_SCOPE = 'datasheets:read';

async function schemaOf(ctx: GraphQLContext, datasheetId: string) {
  const schema = await ctx.loaders.schema.load(datasheetId);
  if (!schema) throw new Error(`datasheet ${datasheetId} vanished during the request`);
  return schema;
}

export const FieldRef = builder.objectRef<FieldApi & { datasheetId: string }>('Field');
FieldRef.implement({
  interfaces: [NodeRef],
  description: 'A field as the Fusion API describes it.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    type: t.exposeString('type', { description: 'The Fusion type name (SingleText, Number, MultiSelect, …).' }),
    property: t.field({ type: 'JSON', nullable: true, resolve: (f) => f.property ?? null }),
    isPrimary: t.boolean({ resolve: (f) => f.isPrimary === true }),
    description: t.string({ nullable: true, resolve: (f) => f.desc ?? null }),
    editable: t.exposeBoolean('editable', { description: 'Whether the token may write its cells.' }),
  }),
});

export const ViewRef = builder.objectRef<ViewDef>('View');
ViewRef.implement({
  interfaces: [NodeRef],
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    type: t.exposeString('type'),
    filter: t.field({ type: 'JSON', nullable: true, resolve: (v) => v.filter ?? null }),
    sort: t.field({ type: 'JSON', resolve: (v) => v.sort }),
    hiddenFieldIds: t.idList({ resolve: (v) => v.hiddenFields }),
    fieldOrder: t.idList({ description: 'Field ids in column order.', resolve: (v) => v.columnOrder }),
  }),
});

async function fieldsOf(ctx: GraphQLContext, datasheetId: string) {
  await admit(ctx, SCHEMA_SCOPE, { datasheetId });
  return ((await ctx.loaders.fields.load(datasheetId)) ?? []).map((f) => ({ ...f, datasheetId }));
}

export const DatasheetRef = builder.objectRef<DatasheetNode>('Datasheet');
DatasheetRef.implement({
  interfaces: [NodeRef],
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.string({ resolve: async (d, _args, ctx) => (await schemaOf(ctx, d.id)).name }),
    space: t.field({
      type: SpaceRef,
      resolve: async (d, _args, ctx) => {
        await admit(ctx, 'spaces:read');
        return ctx.prisma.space.findUniqueOrThrow({ where: { id: (await schemaOf(ctx, d.id)).spaceId } });
      },
    }),
    fields: t.field({
      type: [FieldRef],
      description: 'Every field: the primary first, then in the first view’s column order.',
      resolve: (d, _args, ctx) => fieldsOf(ctx, d.id),
    }),
    views: t.field({
      type: [ViewRef],
      resolve: async (d, _args, ctx) => {
        await admit(ctx, SCHEMA_SCOPE, { datasheetId: d.id });
        return (await schemaOf(ctx, d.id)).views;
      },
    }),
    recordCount: t.int({
      resolve: async (d, _args, ctx) => {
        await admit(ctx, SCHEMA_SCOPE, { datasheetId: d.id });
        return (await ctx.loaders.recordCount.load(d.id)) ?? 0;
      },
    }),
  }),
});

builder.queryField('datasheet', (t) =>
  t.field({
    type: DatasheetRef,
    nullable: true,
    description: 'A datasheet by id; null when it does not exist or is out of the token’s reach.',
    ...scoped(SCHEMA_SCOPE),
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) =>
      (await reachable(ctx, SCHEMA_SCOPE, String(id))) ? { id: String(id) } : null,
  }),
);

nodeFetcher('dst', async (ctx, id) => ((await reachable(ctx, SCHEMA_SCOPE, id)) ? { id } : null));

/** A field or view by id: through its datasheet, so tenancy and the token's restriction apply as to the datasheet. */
async function schemaPart(ctx: GraphQLContext, kind: 'field' | 'view', id: string) {
  await admit(ctx, SCHEMA_SCOPE);
  const datasheetId = await ctx.services.datasheets.datasheetOf(ctx.actor!, kind, id);
  if (!datasheetId || !(await reachable(ctx, SCHEMA_SCOPE, datasheetId))) return null;
  if (kind === 'field') return (await fieldsOf(ctx, datasheetId)).find((f) => f.id === id) ?? null;
  return (await schemaOf(ctx, datasheetId)).views.find((v) => v.id === id) ?? null;
}

nodeFetcher('fld', (ctx, id) => schemaPart(ctx, 'field', id));
nodeFetcher('viw', (ctx, id) => schemaPart(ctx, 'view', id));
