import type { Plugin } from 'graphql-yoga';
import { Kind, type DocumentNode } from 'graphql';
import type { GraphQLContext } from '../context.js';
import { maskError } from '../errors.js';
import { fragmentsOf, shapeMeter } from './operation-shape.js';

/**
 * Meters each GraphQL operation once, before execution, against a GraphQL budget: the token's, or for an
 * anonymous request its client address's (at the smallest plan's rate), so parsing, validating and refusing
 * anonymous operations is rate limited too. The cost is the number of fields the operation selects
 * (fragments expanded), so a wide query costs more than a narrow one. Over budget, the operation is refused
 * with RATE_LIMITED and nothing runs.
 */
export function useAccessMeter(): Plugin<GraphQLContext> {
  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const ctx = args.contextValue;
      const cost = operationCost(args.document);
      try {
        if (ctx.actor) await ctx.services.access.meter(ctx.actor, {}, cost);
        else await ctx.services.access.meterAnonymous(ctx.clientAddress ?? 'unknown', cost);
      } catch (error) {
        // Errors set here bypass Yoga's masking; map them the same way.
        setResultAndStopExecution({ errors: [maskError(error, 'Unexpected error.') as never] });
      }
    },
  };
}

/** Fields selected by the document's operations, fragments expanded (at least 1; capped where counting stops being exact). */
export function operationCost(document: DocumentNode): number {
  const measure = shapeMeter(fragmentsOf(document));
  let fields = 0;
  for (const def of document.definitions) if (def.kind === Kind.OPERATION_DEFINITION) fields += measure(def).fields;
  return Math.min(Math.max(1, fields), Number.MAX_SAFE_INTEGER);
}
