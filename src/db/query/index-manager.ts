import { createHash } from 'node:crypto';
import type { Queryable } from '../client.js';
import type { FieldDef } from '../../domain/fields/field-type.js';
import { fieldTypeOf } from '../../domain/fields/registry.js';
import { conditionFieldIds, type FilterGroup } from '../../domain/views/view.schema.js';
import { cellExpr } from './cell-expr.js';
import { sortKeyExprs } from './sort-keys.js';

export interface ViewIndexInput {
  datasheetId: string;
  fields: readonly FieldDef[];
  views: readonly { filter: unknown; sort: readonly { fieldId: string; desc: boolean }[] }[];
}

/**
 * Expression indexes that follow the views: every field a view sorts on gets an index in exactly the
 * ORDER BY shape the query engine emits (datasheet, emptiness flag, value, position, id, same directions),
 * every field a view filters on an index on its value. Indexes are named `rx_<hash>` from their
 * definition, created CONCURRENTLY, and dropped when no view needs them any more.
 */
export async function syncViewIndexes(
  q: Queryable,
  input: ViewIndexInput,
): Promise<{ created: string[]; dropped: string[] }> {
  const wanted = new Map<string, string>();
  // Formula and lookup fields compute per query (with its clock, bound values, other rows), so no index can hold them.
  const fieldOf = (id: string) => input.fields.find((f) => f.id === id && fieldTypeOf(f.type).computed === undefined);
  for (const view of input.views) {
    const first = view.sort[0];
    const sorted = first && fieldOf(first.fieldId);
    if (sorted) add(wanted, input.datasheetId, sortIndexDefinition(sorted, first!.desc));
    for (const id of view.filter ? conditionFieldIds(view.filter as FilterGroup) : []) {
      const field = fieldOf(id);
      if (field) add(wanted, input.datasheetId, valueIndexDefinition(field));
    }
  }
  const existing = await q.query<{ indexname: string }>(
    `SELECT indexname FROM pg_indexes WHERE tablename = 'records' AND indexname LIKE $1`,
    [`rx_${tag(input.datasheetId)}_%`],
  );
  const have = new Set(existing.map((r) => r.indexname));
  const created: string[] = [];
  for (const [name, definition] of wanted) {
    if (have.has(name)) continue;
    await q.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS ${name} ON records (${definition})`);
    created.push(name);
  }
  const dropped = [...have].filter((name) => !wanted.has(name));
  for (const name of dropped) await q.query(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
  return { created, dropped };
}

/** The index serving ORDER BY on this field first (the engine's key shape: flag, value, then position, id). */
export function sortIndexDefinition(field: FieldDef, desc: boolean): string {
  const [flag, value] = sortKeyExprs(field, 'records').map(unqualified) as [string, string];
  const dir = desc ? 'DESC' : 'ASC';
  return `datasheet_id, (${flag}) ${dir}, (${value}) ${dir}, position, id`;
}

/** The index serving comparisons of this field's value (cellExpr's `value`, as filters compile it). */
export function valueIndexDefinition(field: FieldDef): string {
  return `datasheet_id, (${unqualified(cellExpr(field, fieldTypeOf(field.type), 'records').value)})`;
}

/** Whether an index on this field's value can exist (formula and lookup fields compute per query). */
export const isIndexable = (field: FieldDef) => fieldTypeOf(field.type).computed === undefined;

/** Index expressions name columns bare; the engine's expressions qualify them with the table. */
const unqualified = (expr: string) => expr.replaceAll('records.', '');

/** The datasheet part of index names: `<prefix>_<tag>_<definition hash>`. */
export const datasheetTag = (datasheetId: string) =>
  createHash('sha256').update(datasheetId).digest('hex').slice(0, 10);
const tag = datasheetTag;

/** The definition part of index names: view indexes (rx_) and query indexes (qx_) of one definition share it. */
export const definitionHash = (definition: string) =>
  createHash('sha256').update(definition).digest('hex').slice(0, 16);

function add(wanted: Map<string, string>, datasheetId: string, definition: string): void {
  wanted.set(`rx_${tag(datasheetId)}_${definitionHash(definition)}`, definition);
}

/**
 * Keeps each datasheet's indexes in step with its views: after a view or field change is committed, the
 * datasheet's indexes are synced in the background, one datasheet at a time, never failing the write.
 */
export function startViewIndexing(
  q: Queryable,
  subscribe: (listener: (event: { type: string; datasheetId: string; spaceId: string }) => void) => () => void,
  load: (spaceId: string, datasheetId: string) => Promise<ViewIndexInput>,
  onError: (error: unknown) => void,
): { idle(): Promise<void>; stop(): void } {
  const queues = new Map<string, Promise<void>>();
  const unsubscribe = subscribe((event) => {
    if (event.type !== 'schema.changed') return;
    const previous = queues.get(event.datasheetId) ?? Promise.resolve();
    const next = previous
      .then(async () => {
        const input = await load(event.spaceId, event.datasheetId).catch(() => undefined);
        if (input) await syncViewIndexes(q, input);
      })
      .catch(onError)
      .finally(() => {
        if (queues.get(event.datasheetId) === next) queues.delete(event.datasheetId);
      });
    queues.set(event.datasheetId, next);
  });
  return {
    idle: async () => {
      while (queues.size) await Promise.all([...queues.values()]);
    },
    stop: unsubscribe,
  };
}
