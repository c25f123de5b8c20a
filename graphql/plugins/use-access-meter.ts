import type { Plugin } from 'graphql-yoga';
import type { DocumentNode } from 'graphql';
import type { GraphQLContext } from '../context.js';
import { maskError } from '../errors.js';
import { costOf } from './operation-cost.js';

/**
 * Meters each GraphQL operation once, before execution, against a GraphQL budget: the token's, or for an
 * anonymous request its client address's (at the smallest plan's rate), so parsing, validating and refusing
 * anonymous operations is rate limited too. The cost is the number of fields the operation selects
 * (fragments expanded), a paged field's selection counted once per 100 rows it may return, a list-answering record
 * mutation's once per 100 items of its input lists (operation-cost.ts), so a wide
 * query, or a long page, costs more than a narrow or short one. Over budget, the operation is refused
 * with RATE_LIMITED and nothing runs.
 */
export function useAccessMeter(): Plugin<GraphQLContext> {
  return {
    onExecute: ({ args, setResultAndStopExecution }) => meterOperation(args, setResultAndStopExecution),
    // A subscription is metered once, when it is set up (its events are not operations of their own).
    onSubscribe: ({ args, setResultAndStopExecution }) => meterOperation(args, setResultAndStopExecution),
  };
}

async function meterOperation(
  args: { contextValue: GraphQLContext; document: DocumentNode; variableValues?: Record<string, unknown> | null },
  setResultAndStopExecution: (result: { errors: never[] }) => void,
): Promise<void> {
  const ctx = args.contextValue;
  const cost = operationCost(args.document, args.variableValues ?? {});
  try {
    if (ctx.actor) await ctx.services.access.meter(ctx.actor, {}, cost);
    else await ctx.services.access.meterAnonymous(ctx.clientAddress ?? 'unknown', cost);
  } catch (error) {
    // Errors set here bypass Yoga's masking; map them the same way.
    setResultAndStopExecution({ errors: [maskError(error, 'Unexpected error.') as never] });
  }
}

/** The operation's cost (at least 1; capped where counting stops being exact). */
export function operationCost(document: DocumentNode, variables: Record<string, unknown> = {}): number {
  return Math.min(Math.max(1, costOf(document, variables)), Number.MAX_SAFE_INTEGER);
}
