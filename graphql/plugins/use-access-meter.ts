import type { Plugin } from 'graphql-yoga';
import { Kind, type DocumentNode, type SelectionSetNode } from 'graphql';
import type { GraphQLContext } from '../context.js';
import { maskError } from '../errors.js';

/**
 * Meters each GraphQL operation once, before execution, against the token's GraphQL budget: the cost is
 * the number of fields the operation selects (fragments included), so a wide query costs more than a
 * narrow one. Over budget, the operation is refused with RATE_LIMITED and nothing runs.
 */
export function useAccessMeter(): Plugin<GraphQLContext> {
  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const ctx = args.contextValue;
      if (!ctx.actor) return;
      try {
        await ctx.services.access.meter(ctx.actor, {}, operationCost(args.document));
      } catch (error) {
        // Errors set here bypass Yoga's masking; map them the same way.
        setResultAndStopExecution({ errors: [maskError(error, 'Unexpected error.') as never] });
      }
    },
  };
}

export function operationCost(document: DocumentNode): number {
  const fragments = new Map<string, SelectionSetNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def.selectionSet);
  const count = (set: SelectionSetNode, seen: Set<string>): number =>
    set.selections.reduce((sum, s) => {
      if (s.kind === Kind.FIELD) return sum + 1 + (s.selectionSet ? count(s.selectionSet, seen) : 0);
      if (s.kind === Kind.INLINE_FRAGMENT) return sum + count(s.selectionSet, seen);
      const fragment = fragments.get(s.name.value);
      if (!fragment || seen.has(s.name.value)) return sum;
      return sum + count(fragment, new Set([...seen, s.name.value]));
    }, 0);
  return Math.max(
    1,
    document.definitions.reduce((sum, def) => (def.kind === Kind.OPERATION_DEFINITION ? sum + count(def.selectionSet, new Set()) : sum), 0),
  );
}
