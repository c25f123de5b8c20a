import type { Database } from '../../db/client.js';
import { listRecords, type ListSpec, type PastRow } from '../../db/query/list-records.js';
import { recordHistories } from '../../db/stores/record-history.store.js';
import { recordsInSpace } from '../../db/stores/record.store.js';
import type { Scope } from '../context.js';
import { loadSchema, type DatasheetSchema, type ViewDef } from '../datasheets/schema.js';
import { invalidArgument } from '../errors.js';
import { lookupSources } from '../records/lookup-sources.js';
import type { FilterGroup } from '../views/view.schema.js';
import type { FeedEvent } from './feed.js';

/**
 * Which records of a change event are, or were, inside a view's filter, decided by the same SQL filter the view's
 * record queries run (formulas, lookups and all):
 * - a record that exists now is in if its current row matches the filter (so a record that entered the view is
 *   in, whatever the event);
 * - an updated record is also in if its row as it was before the event matched: its current cells with the
 *   event's changed fields set back to their old values (so a record that left the view is in, once);
 * - a deleted (or moved away) record is in if its cells as deleted match; its creation and last-edit times are
 *   not part of a delete event, so conditions on them do not match a deleted record.
 * A view without filter holds every record.
 */
export function createViewFilter(db: Database, options: { timeZone: string; now?: () => Date }) {
  async function viewOf(scope: Scope, datasheetId: string, viewId: string) {
    const schema = await loadSchema(db, scope.spaceId, datasheetId);
    const view = schema.views.find((v) => v.id === viewId);
    if (!view) throw invalidArgument('The specified view does not exist', { parameter: 'viewId' });
    return { schema, view };
  }

  async function matching(
    scope: Scope,
    schema: DatasheetSchema,
    view: ViewDef,
    select: Pick<ListSpec, 'recordIds' | 'rows'>,
    count: number,
  ): Promise<string[]> {
    if (count === 0) return [];
    const filter = (view.filter as FilterGroup | null | undefined) ?? null;
    const now = options.now?.() ?? new Date();
    const lookups = await lookupSources(db, scope, schema, filter, [], undefined);
    const spec: ListSpec = {
      datasheetId: schema.id,
      fields: schema.fields,
      filter,
      sorts: [],
      formulas: { asts: schema.formulas, timeZone: options.timeZone, now, lookups },
      output: [],
      ...select,
    };
    const page = await listRecords(db, spec, { kind: 'offset', offset: 0, limit: count });
    return page.records.map((r) => r.id);
  }

  return {
    /** Refuses a view the datasheet does not have (INVALID_ARGUMENT naming `viewId`). */
    async check(scope: Scope, datasheetId: string, viewId: string): Promise<void> {
      await viewOf(scope, datasheetId, viewId);
    },
    /** The event's record ids that are or were inside the view, in the event's order. */
    async members(scope: Scope, event: FeedEvent, viewId: string): Promise<string[]> {
      const { schema, view } = await viewOf(scope, event.datasheetId, viewId);
      const ids = event.recordIds;
      if (!view.filter || ((view.filter as FilterGroup).conditions ?? []).length === 0) return [...ids];
      const current = (await recordsInSpace(db, scope.spaceId, ids)).filter((r) => r.datasheetId === schema.id);
      const past: PastRow[] = [];
      if (event.kind === 'records.updated') {
        const setBack = (id: string, now: Record<string, unknown>) => {
          const cells = { ...now };
          for (const c of event.changes)
            if (c.recordId === id) {
              if (c.oldValue === null || c.oldValue === undefined) delete cells[c.fieldId];
              else cells[c.fieldId] = c.oldValue;
            }
          return cells;
        };
        for (const row of current) {
          past.push({
            id: row.id,
            cells: setBack(row.id, row.cells),
            createdMs: row.createdAt.getTime(),
            createdBy: row.createdBy,
            updatedMs: row.updatedAt.getTime(),
            updatedBy: row.updatedBy,
          });
        }
        // Updated, then deleted or moved away before this event was read: judged by its cells as they left (and
        // those with this event's changes set back), as a deleted record is.
        const present = new Set(current.map((r) => r.id));
        const gone = ids.filter((id) => !present.has(id));
        if (gone.length > 0) {
          const histories = await recordHistories(db, scope.spaceId, gone, null);
          for (const id of gone) {
            const left = histories.get(id)?.find((h) => h.fieldId === '@deleted' || h.fieldId === '@moved');
            const cells = (left?.oldValue as { cells?: Record<string, unknown> } | undefined)?.cells;
            if (cells) past.push({ id, cells }, { id, cells: setBack(id, cells) });
          }
        }
      } else if (event.kind === 'records.deleted' || event.kind === 'records.moved') {
        const present = new Set(current.map((r) => r.id));
        for (const id of ids) {
          if (present.has(id)) continue;
          const cells: Record<string, unknown> = {};
          for (const c of event.changes) if (c.recordId === id && c.oldValue != null) cells[c.fieldId] = c.oldValue;
          past.push({ id, cells });
        }
      }
      const inNow = await matching(scope, schema, view, { recordIds: current.map((r) => r.id) }, current.length);
      const inBefore = await matching(scope, schema, view, { rows: past }, past.length);
      const inside = new Set([...inNow, ...inBefore]);
      return ids.filter((id) => inside.has(id));
    },
  };
}

export type ViewFilter = ReturnType<typeof createViewFilter>;
