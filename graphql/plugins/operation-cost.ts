import { Kind, type DocumentNode, type FieldNode, type SelectionSetNode, type ValueNode } from 'graphql';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../src/domain/records/query-records.js';
import { fragmentsOf } from './operation-shape.js';

/** Rows a list field returns when the operation does not say (`first` absent): its default page size. */
const DEFAULT_ROWS: Record<string, number> = { records: DEFAULT_PAGE_SIZE, history: 50 };

/** A paged field counts its selection once per this many rows it may return (and at least once). */
export const ROWS_PER_UNIT = 100;

/**
 * Mutations answering one item per input item (their answers are not paged): the arguments whose list lengths,
 * summed, are the number of rows they answer.
 */
const LIST_MUTATIONS: Record<string, readonly string[]> = {
  createRecords: ['records'],
  updateRecords: ['records'],
  upsertRecords: ['records'],
  deleteRecords: ['ids'],
  moveRecords: ['ids'],
  applyRecordChanges: ['creates', 'updates', 'deletes'],
};

/**
 * An operation's cost before it runs: every selected field counts 1, and a paged field (one taking `first`, or
 * `records`/`history` at their default page size) counts its selection once per ROWS_PER_UNIT rows it may return
 * (at least once), so a page of 1,000 records costs ten times one of 10 or 100. Per 100 rows rather than per row:
 * at one point per cell, no plan's per-second budget (qps × graphqlCostPerRequest) could ever pay for the
 * 1,000-record page one REST request reads. A list-answering record mutation (LIST_MUTATIONS) counts the same way
 * by the length of its input lists (its answer, even a list of ids, at least once per unit), so creating 1,000
 * records costs as much as reading them. Fragments are costed once and reused at every spread (linear
 * in the document's size); a fragment spreading itself counts nothing the second time.
 */
const INTROSPECTION = new Set(['__schema', '__type']);

export function costOf(document: DocumentNode, variables: Record<string, unknown> = {}): number {
  const fragment = fragmentsOf(document);
  // A variable's default (`$first: Int = 1000`) counts when the request does not send it.
  const values: Record<string, unknown> = {};
  for (const def of document.definitions) {
    if (def.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const v of def.variableDefinitions ?? [])
      if (v.defaultValue) values[v.variable.name.value] = intValue(v.defaultValue, {});
  }
  Object.assign(values, variables);
  const memo = new Map<string, number>();
  const inProgress = new Set<string>();

  const ofFragment = (name: string): number => {
    const known = memo.get(name);
    if (known !== undefined) return known;
    const definition = fragment(name);
    if (!definition || inProgress.has(name)) return 0;
    inProgress.add(name);
    const cost = ofSet(definition.selectionSet);
    inProgress.delete(name);
    memo.set(name, cost);
    return cost;
  };

  const ofSet = (set: SelectionSetNode): number => {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        // Schema introspection (GraphiQL loads it before any token is typed) reads no data: one point, whatever it
        // selects; the operation limits (depth, tokens) bound its work.
        if (INTROSPECTION.has(selection.name.value)) {
          total += 1;
          continue;
        }
        const n = units(selection);
        // A scalar list answer (deleteRecords' ids) counts once per unit beyond the field itself.
        const scalar = LIST_MUTATIONS[selection.name.value] ? n - 1 : 0;
        total += 1 + (selection.selectionSet ? n * ofSet(selection.selectionSet) : scalar);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) total += ofSet(selection.selectionSet);
      else total += ofFragment(selection.name.value);
    }
    return total;
  };

  const units = (field: FieldNode): number => {
    const inputs = LIST_MUTATIONS[field.name.value];
    if (inputs) {
      let rows = 0;
      for (const a of field.arguments ?? []) if (inputs.includes(a.name.value)) rows += listLength(a.value, values);
      return Math.max(1, Math.ceil(rows / ROWS_PER_UNIT));
    }
    const first = field.arguments?.find((a) => a.name.value === 'first');
    const value = first ? intValue(first.value, values) : undefined;
    const rows =
      typeof value === 'number' && Number.isFinite(value)
        ? Math.min(Math.max(1, Math.trunc(value)), MAX_PAGE_SIZE)
        : (DEFAULT_ROWS[field.name.value] ?? 1);
    return Math.max(1, Math.ceil(rows / ROWS_PER_UNIT));
  };

  let fields = 0;
  for (const def of document.definitions) if (def.kind === Kind.OPERATION_DEFINITION) fields += ofSet(def.selectionSet);
  return fields;
}

/** Items of a list argument (a literal, or a variable's value); a single value coerces to a list of one. */
function listLength(node: ValueNode, variables: Record<string, unknown>): number {
  if (node.kind === Kind.LIST) return node.values.length;
  if (node.kind === Kind.NULL) return 0;
  if (node.kind === Kind.VARIABLE) {
    const value = variables[node.name.value];
    return Array.isArray(value) ? value.length : value == null ? 0 : 1;
  }
  return 1;
}

function intValue(node: ValueNode, variables: Record<string, unknown>): unknown {
  if (node.kind === Kind.INT) return Number(node.value);
  if (node.kind === Kind.VARIABLE) return variables[node.name.value];
  return undefined;
}
