import type { PrismaClient } from './client.js';

/** The client Prisma hands to an interactive transaction. */
export type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

/** Anything that runs raw SQL: the client itself or a transaction. */
export type RawDb = Pick<Tx, '$queryRawUnsafe' | '$executeRawUnsafe'>;
