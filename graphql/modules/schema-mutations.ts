import type { ViewDef } from '../../src/domain/datasheets/schema.js';
import { DomainError, invalidArgument } from '../../src/domain/errors.js';
import type { FieldInput as DomainFieldInput } from '../../src/domain/fields/field-input.js';
import type { FieldApi } from '../../src/domain/schema/field-api.js';
import type { ViewInput as DomainViewInput } from '../../src/domain/views/view.service.js';
import { admit, idempotent, scoped } from '../access.js';
import { builder } from '../builder.js';
import type { GraphQLContext } from '../context.js';
import { DatasheetRef, FieldRef, ViewRef } from './datasheet.js';

/**
 * Schema mutations (datasheets, fields, views). Each admits `datasheets:write` against its target (the access gate
 * applies the token's datasheet restriction and the member's role), calls the domain, and answers the changed
 * object read afresh. With an `idempotencyKey`, a replay answers what the first call answered.
 */
const SCOPE = 'datasheets:write';

const DeletePayload = builder.objectRef<{ id: string }>('DeletePayload').implement({
  description: 'What a delete answers: the id of the deleted object.',
  fields: (t) => ({ id: t.exposeID('id') }),
});

const FieldInput = builder.inputType('FieldInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    type: t.string({ required: true, description: 'The Fusion type name (SingleText, Number, MultiSelect, …).' }),
    property: t.field({
      type: 'JSON',
      required: false,
      description: 'As the Fusion API takes it: an object for most types (SingleText: {}), none for Text, URL, …',
    }),
    description: t.string({ required: false }),
  }),
});

const CreateDatasheetInput = builder.inputType('CreateDatasheetInput', {
  fields: (t) => ({
    spaceId: t.id({ required: true }),
    name: t.string({ required: true }),
    folderId: t.id({ required: false }),
    fields: t.field({
      type: [FieldInput],
      required: false,
      description: 'The first is the primary field; without fields the datasheet starts with a Title text field.',
    }),
  }),
});

const UpdateFieldInput = builder.inputType('UpdateFieldInput', {
  fields: (t) => ({
    name: t.string({ required: false }),
    description: t.string({ required: false }),
    property: t.field({ type: 'JSON', required: false }),
    type: t.string({
      required: false,
      description:
        'A new type converts the cells as AITable does (each cell read through its old type; history and change events written), all or nothing; a pair that does not convert (computed types, links, attachments) is refused naming `type` and the pair.',
    }),
  }),
});

const ViewInput = builder.inputType('ViewInput', {
  fields: (t) => ({
    name: t.string({ required: false }),
    type: t.string({ required: false, description: 'Grid, Gallery, Kanban, Gantt, Calendar or Architecture.' }),
    filter: t.field({ type: 'JSON', required: false, description: 'A filter group; null removes the filter.' }),
    sort: t.field({ type: 'JSON', required: false, description: 'A list of { fieldId, desc }.' }),
    hiddenFieldIds: t.idList({ required: false }),
    fieldOrder: t.idList({ required: false, description: 'Field ids in column order.' }),
  }),
});

type FieldArg = { name: string; type: string; property?: unknown; description?: string | null | undefined };
type ViewArg = {
  name?: string | null | undefined;
  type?: string | null | undefined;
  filter?: unknown;
  sort?: unknown;
  hiddenFieldIds?: readonly (string | number)[] | null | undefined;
  fieldOrder?: readonly (string | number)[] | null | undefined;
};

/** Absent and null both mean "not given" (the domain keeps the current value or its default). */
const given = <T>(value: T | null | undefined): T | undefined => (value === null ? undefined : value);
const ids = (list: readonly (string | number)[] | null | undefined) => list?.map(String) ?? undefined;

const toFieldInput = (f: FieldArg): DomainFieldInput => ({
  name: f.name,
  type: f.type,
  ...(f.property !== undefined && f.property !== null ? { property: f.property } : {}),
  ...(f.description !== undefined ? { description: f.description } : {}),
});

/** GraphQL's view input names to the domain's (hiddenFieldIds → hiddenFields, fieldOrder → columnOrder). */
const VIEW_NAMES: Record<string, string> = { hiddenFields: 'hiddenFieldIds', columnOrder: 'fieldOrder' };
const toViewInput = (v: ViewArg): DomainViewInput => ({
  name: given(v.name),
  type: given(v.type),
  filter: v.filter,
  sort: given(v.sort),
  hiddenFields: ids(v.hiddenFieldIds),
  columnOrder: ids(v.fieldOrder),
});

/** Runs `fn`; an error naming a domain parameter is answered naming the GraphQL argument instead. */
async function naming<T>(names: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    const parameter = error instanceof DomainError ? (error.details as { parameter?: unknown }).parameter : undefined;
    if (!(error instanceof DomainError) || typeof parameter !== 'string') throw error;
    const [head, ...rest] = parameter.split('.');
    const renamed = names[head!];
    if (renamed === undefined) throw error;
    const message = error.message.replace(new RegExp(`\\b${head}\\b`), renamed);
    throw new DomainError(error.reason, message, {
      ...(error.details as object),
      parameter: [renamed, ...rest].join('.'),
    } as never);
  }
}

/** The datasheet's fields as the Field type reads them, after a change (this request's cached copy is dropped). */
async function freshField(ctx: GraphQLContext, datasheetId: string, fieldId: string) {
  ctx.loaders.schema.clear(datasheetId);
  ctx.loaders.fields.clear(datasheetId);
  const field = ((await ctx.loaders.fields.load(datasheetId)) ?? []).find((f) => f.id === fieldId);
  if (!field) throw new Error(`field ${fieldId} vanished during the request`);
  return { ...field, datasheetId };
}

function fresh(ctx: GraphQLContext, datasheetId: string) {
  ctx.loaders.schema.clear(datasheetId);
  ctx.loaders.fields.clear(datasheetId);
  ctx.loaders.recordCount.clear(datasheetId);
  return { id: datasheetId };
}

const DATASHEET_ID = { datasheetId: 'id' };

builder.mutationFields((t) => ({
  createDatasheet: t.field({
    type: DatasheetRef,
    description: 'Creates a datasheet with its fields (the first is primary) and a default Grid view.',
    ...scoped(SCOPE),
    args: {
      input: t.arg({ type: CreateDatasheetInput, required: true }),
      idempotencyKey: t.arg.string({ required: false }),
    },
    resolve: async (_root, { input, idempotencyKey }, ctx) => {
      const scope = await admit(ctx, SCOPE, { spaceId: String(input.spaceId) });
      const created = await idempotent(ctx, idempotencyKey, 'createDatasheet', input, async () => {
        const schema = await ctx.services.datasheets.create(scope, {
          name: input.name,
          folderId: input.folderId == null ? undefined : String(input.folderId),
          fields: input.fields?.map(toFieldInput),
        });
        return { id: schema.id };
      });
      return fresh(ctx, created.id);
    },
  }),
  updateDatasheet: t.field({
    type: DatasheetRef,
    description: 'Renames a datasheet.',
    ...scoped(SCOPE),
    args: {
      id: t.arg.id({ required: true }),
      name: t.arg.string({ required: true }),
      idempotencyKey: t.arg.string({ required: false }),
    },
    resolve: async (_root, args, ctx) => {
      const id = String(args.id);
      const scope = await naming(DATASHEET_ID, () => admit(ctx, SCOPE, { datasheetId: id }));
      await idempotent(ctx, args.idempotencyKey, 'updateDatasheet', { id, name: args.name }, async () => {
        await naming(DATASHEET_ID, () => ctx.services.datasheets.rename(scope, id, args.name));
        return { id };
      });
      return fresh(ctx, id);
    },
  }),
  deleteDatasheet: t.field({
    type: DeletePayload,
    description: 'Deletes a datasheet with its fields, views and records.',
    ...scoped(SCOPE),
    args: { id: t.arg.id({ required: true }), idempotencyKey: t.arg.string({ required: false }) },
    resolve: async (_root, args, ctx) => {
      const id = String(args.id);
      const scope = await naming(DATASHEET_ID, () => admit(ctx, SCOPE, { datasheetId: id }));
      return idempotent(ctx, args.idempotencyKey, 'deleteDatasheet', { id }, async () => {
        await naming(DATASHEET_ID, () => ctx.services.datasheets.remove(scope, id));
        fresh(ctx, id);
        return { id };
      });
    },
  }),
  createField: t.field({
    type: FieldRef,
    ...scoped(SCOPE),
    args: {
      datasheetId: t.arg.id({ required: true }),
      input: t.arg({ type: FieldInput, required: true }),
      idempotencyKey: t.arg.string({ required: false }),
    },
    resolve: async (_root, args, ctx) => {
      const datasheetId = String(args.datasheetId);
      const scope = await admit(ctx, SCOPE, { datasheetId });
      return idempotent<FieldApi & { datasheetId: string }>(
        ctx,
        args.idempotencyKey,
        'createField',
        { datasheetId, input: args.input },
        async () => {
          const field = await ctx.services.fields.add(scope, datasheetId, toFieldInput(args.input));
          return freshField(ctx, datasheetId, field.id);
        },
      );
    },
  }),
  updateField: t.field({
    type: FieldRef,
    description:
      'Renames a field, changes its description or property, or changes its type (the cells are converted in the same transaction).',
    ...scoped(SCOPE),
    args: {
      datasheetId: t.arg.id({ required: true }),
      fieldId: t.arg.id({ required: true }),
      input: t.arg({ type: UpdateFieldInput, required: true }),
      idempotencyKey: t.arg.string({ required: false }),
    },
    resolve: async (_root, args, ctx) => {
      const datasheetId = String(args.datasheetId);
      const fieldId = String(args.fieldId);
      const scope = await admit(ctx, SCOPE, { datasheetId });
      const { input } = args;
      return idempotent<FieldApi & { datasheetId: string }>(
        ctx,
        args.idempotencyKey,
        'updateField',
        { datasheetId, fieldId, input },
        async () => {
          await ctx.services.fields.update(scope, datasheetId, fieldId, {
            name: given(input.name),
            type: given(input.type),
            property: given(input.property),
            description: input.description,
          });
          return freshField(ctx, datasheetId, fieldId);
        },
      );
    },
  }),
  deleteField: t.field({
    type: DeletePayload,
    description:
      'Deletes a field and its cells. For a two-way link, conversion "delete" deletes its sibling too, "keepText" turns the sibling into a text field of the titles it linked; otherwise the sibling becomes a one-way link.',
    ...scoped(SCOPE),
    args: {
      datasheetId: t.arg.id({ required: true }),
      fieldId: t.arg.id({ required: true }),
      conversion: t.arg.string({ required: false }),
      idempotencyKey: t.arg.string({ required: false }),
    },
    resolve: async (_root, args, ctx) => {
      const datasheetId = String(args.datasheetId);
      const fieldId = String(args.fieldId);
      const scope = await admit(ctx, SCOPE, { datasheetId });
      const conversion = given(args.conversion);
      return idempotent(ctx, args.idempotencyKey, 'deleteField', { datasheetId, fieldId, conversion }, async () => {
        await ctx.services.fields.remove(scope, datasheetId, fieldId, { conversion });
        fresh(ctx, datasheetId);
        return { id: fieldId };
      });
    },
  }),
  createView: t.field({
    type: ViewRef,
    ...scoped(SCOPE),
    args: {
      datasheetId: t.arg.id({ required: true }),
      input: t.arg({ type: ViewInput, required: true }),
      idempotencyKey: t.arg.string({ required: false }),
    },
    resolve: async (_root, args, ctx) => {
      const datasheetId = String(args.datasheetId);
      const scope = await admit(ctx, SCOPE, { datasheetId });
      return idempotent<ViewDef>(ctx, args.idempotencyKey, 'createView', { datasheetId, input: args.input }, () =>
        naming(VIEW_NAMES, async () => {
          const view = await ctx.services.views.add(scope, datasheetId, toViewInput(args.input));
          fresh(ctx, datasheetId);
          return view;
        }),
      );
    },
  }),
  updateView: t.field({
    type: ViewRef,
    ...scoped(SCOPE),
    args: {
      datasheetId: t.arg.id({ required: true }),
      viewId: t.arg.id({ required: true }),
      input: t.arg({ type: ViewInput, required: true }),
      idempotencyKey: t.arg.string({ required: false }),
    },
    resolve: async (_root, args, ctx) => {
      const datasheetId = String(args.datasheetId);
      const viewId = String(args.viewId);
      const scope = await admit(ctx, SCOPE, { datasheetId });
      return idempotent<ViewDef>(
        ctx,
        args.idempotencyKey,
        'updateView',
        { datasheetId, viewId, input: args.input },
        () =>
          naming(VIEW_NAMES, async () => {
            const view = await ctx.services.views.update(scope, datasheetId, viewId, toViewInput(args.input));
            fresh(ctx, datasheetId);
            return view;
          }),
      );
    },
  }),
  deleteView: t.field({
    type: DeletePayload,
    description: "Deletes a view (a datasheet's last view cannot be deleted).",
    ...scoped(SCOPE),
    args: {
      datasheetId: t.arg.id({ required: true }),
      viewId: t.arg.id({ required: true }),
      idempotencyKey: t.arg.string({ required: false }),
    },
    resolve: async (_root, args, ctx) => {
      const datasheetId = String(args.datasheetId);
      const viewId = String(args.viewId);
      const scope = await admit(ctx, SCOPE, { datasheetId });
      return idempotent(ctx, args.idempotencyKey, 'deleteView', { datasheetId, viewId }, async () => {
        await ctx.services.views.remove(scope, datasheetId, viewId);
        fresh(ctx, datasheetId);
        return { id: viewId };
      });
    },
  }),
  moveView: t.field({
    type: DatasheetRef,
    description: 'Moves a view to `index` (0 is first) among the datasheet’s views; answers the datasheet.',
    ...scoped(SCOPE),
    args: {
      datasheetId: t.arg.id({ required: true }),
      viewId: t.arg.id({ required: true }),
      index: t.arg.int({ required: true }),
      idempotencyKey: t.arg.string({ required: false }),
    },
    resolve: async (_root, args, ctx) => {
      const datasheetId = String(args.datasheetId);
      const viewId = String(args.viewId);
      const scope = await admit(ctx, SCOPE, { datasheetId });
      const { index } = args;
      await idempotent(ctx, args.idempotencyKey, 'moveView', { datasheetId, viewId, index }, async () => {
        const order = (await ctx.services.datasheets.get(scope, datasheetId)).views.map((v) => v.id);
        if (!order.includes(viewId)) throw invalidArgument(`View (${viewId}) does not exist`, { parameter: 'viewId' });
        if (index < 0 || index >= order.length)
          throw invalidArgument(`index must be from 0 to ${order.length - 1}`, { parameter: 'index' });
        const rest = order.filter((id) => id !== viewId);
        await ctx.services.views.reorder(scope, datasheetId, [...rest.slice(0, index), viewId, ...rest.slice(index)]);
        return { id: datasheetId };
      });
      return fresh(ctx, datasheetId);
    },
  }),
}));
