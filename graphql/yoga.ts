import { createYoga } from 'graphql-yoga';
import { setAuthorToken } from '../src/domain/events/author.js';
import type { Logger } from 'pino';
import type { Services } from '../src/services.js';
import type { PrismaClient } from '../src/db/client.js';
import { DomainError } from '../src/domain/errors.js';
import { bearerSecret } from '../src/domain/tokens/token.service.js';
import type { GraphQLContext } from './context.js';
import { maskError } from './errors.js';
import { yogaLogger } from './logging.js';
import { schema } from './schema.js';
import { createLoaders } from './modules/loaders.js';
import { useAccessMeter } from './plugins/use-access-meter.js';
import { useOperationLimits } from './plugins/use-operation-limits.js';
import { useTextArguments } from './plugins/use-text-arguments.js';

export function createYogaServer(services: Services, prisma: PrismaClient, logger: Logger) {
  return createYoga<Record<string, unknown>, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    maskedErrors: { maskError },
    plugins: [useOperationLimits(), useTextArguments(), useAccessMeter()],
    logging: yogaLogger(logger),
    context: async ({
      request,
      req,
      res,
      connectionParams,
    }: {
      request?: Request;
      req?: { socket?: { remoteAddress?: string } };
      res?: { getHeader(name: string): unknown };
      /** graphql-ws (graphql/ws.ts): the client's connection_init payload. */
      connectionParams?: Readonly<Record<string, unknown>>;
    }) => {
      const secret = connectionParams
        ? connectionSecret(connectionParams)
        : bearerSecret(request?.headers.get('authorization'));
      let actor = null;
      if (secret !== undefined) {
        try {
          actor = await services.tokens.authenticate(secret);
        } catch (error) {
          // A bad token is the same as none: resolvers that need a caller answer UNAUTHORIZED.
          if (!(error instanceof DomainError)) throw error;
        }
      }
      const requestId = res?.getHeader('request-id');
      setAuthorToken(actor?.tokenId ?? null);
      return {
        services,
        actor,
        secret: actor ? secret! : null,
        prisma,
        requestId: typeof requestId === 'string' ? requestId : null,
        clientAddress: req?.socket?.remoteAddress ?? null,
        loaders: createLoaders(services, actor),
      };
    },
  });
}

/**
 * The token of a graphql-ws connection, from its `connectionParams`: `authorization` (or `Authorization`) as
 * `Bearer <token>`, or the bare token under `token`.
 */
export function connectionSecret(params: Readonly<Record<string, unknown>>): string | undefined {
  const header = params.authorization ?? params.Authorization;
  if (typeof header === 'string') return bearerSecret(header);
  return typeof params.token === 'string' && params.token.length > 0 ? params.token : undefined;
}
