import type { Actor } from '../src/domain/context.js';
import type { Services } from '../src/services.js';
import type { PrismaClient } from '../src/db/client.js';
import type { Loaders } from './modules/loaders.js';

export interface GraphQLContext {
  services: Services;
  /** Null for anonymous requests; resolvers that need a caller go through `requireActor`. */
  actor: Actor | null;
  /** The token secret `actor` was authenticated from: live subscriptions authenticate it again per event. */
  secret: string | null;
  /** For plugin-prisma's selections only; resolvers call services. */
  prisma: PrismaClient;
  requestId: string | null;
  /** The peer's address (the server trusts no proxy headers), for metering anonymous operations. */
  clientAddress: string | null;
  /** Per-request batching of the relations that fan out (graphql/modules/loaders.ts). */
  loaders: Loaders;
}
