import SchemaBuilder from '@pothos/core';
import PrismaPlugin from '@pothos/plugin-prisma';
import type PrismaTypes from '../prisma/generated/pothos-types.js';
import { getDatamodel } from '../prisma/generated/pothos-types.js';
import type { GraphQLContext } from './context.js';

/** Plugins and scalars only; types live in graphql/modules. Importing this opens no database. */
export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  PrismaTypes: PrismaTypes;
  Scalars: { DateTime: { Input: Date; Output: Date | number | string }; JSON: { Input: unknown; Output: unknown } };
  DefaultFieldNullability: false;
}>({
  defaultFieldNullability: false,
  plugins: [PrismaPlugin],
  prisma: {
    client: (ctx) => ctx.prisma,
    dmmf: getDatamodel(),
    exposeDescriptions: false,
    filterConnectionTotalCount: true,
    onUnusedQuery: process.env.NODE_ENV === 'production' ? null : 'warn',
  },
});

builder.queryType({});
builder.mutationType({});

builder.scalarType('DateTime', {
  // Records carry epoch milliseconds (no Date made for a field not selected); replayed (idempotent) results come
  // back from JSON with dates as numbers or ISO strings.
  serialize: (value) =>
    (value instanceof Date ? value : new Date(typeof value === 'number' ? value : String(value))).toISOString(),
  parseValue: (value) => {
    const date = new Date(String(value));
    if (Number.isNaN(date.getTime())) throw new TypeError('DateTime must be an ISO 8601 string');
    return date;
  },
});

builder.scalarType('JSON', {
  description: 'Any JSON value (cells, field properties, view filters and sorts).',
  serialize: (value) => value,
  parseValue: (value) => value,
});
