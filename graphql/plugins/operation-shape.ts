import {
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/**
 * What an operation asks for once its fragments are expanded: fields selected (its cost), deepest field
 * nesting, aliases and directives. Each fragment is measured once and its figures reused at every spread,
 * so the work is linear in the document's size even when fragments spread each other exponentially
 * (24 chained fragments expand to 2^24 selections; measuring them takes 24 steps). A fragment that spreads
 * itself (directly or not) counts nothing the second time; validation refuses such documents anyway.
 * Expanded counts may exceed Number.MAX_SAFE_INTEGER; callers compare them with limits, never with each other.
 */
export interface Shape {
  fields: number;
  depth: number;
  aliases: number;
  directives: number;
}

const EMPTY: Shape = Object.freeze({ fields: 0, depth: 0, aliases: 0, directives: 0 });

export function shapeMeter(fragment: (name: string) => FragmentDefinitionNode | null | undefined) {
  const memo = new Map<string, Shape>();
  const inProgress = new Set<string>();

  function ofFragment(name: string): Shape {
    const known = memo.get(name);
    if (known) return known;
    const definition = fragment(name);
    if (!definition || inProgress.has(name)) return EMPTY;
    inProgress.add(name);
    const shape = ofSelectionSet(definition.selectionSet);
    inProgress.delete(name);
    const withOwn = { ...shape, directives: shape.directives + (definition.directives?.length ?? 0) };
    memo.set(name, withOwn);
    return withOwn;
  }

  function ofSelectionSet(set: SelectionSetNode): Shape {
    const total = { fields: 0, depth: 0, aliases: 0, directives: 0 };
    for (const selection of set.selections) {
      let inner: Shape;
      let depth: number;
      if (selection.kind === Kind.FIELD) {
        inner = selection.selectionSet ? ofSelectionSet(selection.selectionSet) : EMPTY;
        depth = 1 + inner.depth;
        total.fields += 1;
        if (selection.alias) total.aliases += 1;
      } else {
        inner =
          selection.kind === Kind.INLINE_FRAGMENT
            ? ofSelectionSet(selection.selectionSet)
            : ofFragment(selection.name.value);
        depth = inner.depth;
      }
      total.fields += inner.fields;
      total.aliases += inner.aliases;
      total.directives += inner.directives + (selection.directives?.length ?? 0);
      total.depth = Math.max(total.depth, depth);
    }
    return total;
  }

  return (operation: OperationDefinitionNode): Shape => {
    const shape = ofSelectionSet(operation.selectionSet);
    return { ...shape, directives: shape.directives + (operation.directives?.length ?? 0) };
  };
}

/** The fragments of a document by name (the first of a name wins; validation refuses duplicates). */
export function fragmentsOf(document: DocumentNode): (name: string) => FragmentDefinitionNode | undefined {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION && !fragments.has(def.name.value)) fragments.set(def.name.value, def);
  }
  return (name) => fragments.get(name);
}
