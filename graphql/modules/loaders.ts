import DataLoader from 'dataloader';
import { actorMay } from '../../src/domain/access/permissions.js';
import { scopeOf } from '../../src/domain/access/access.service.js';
import type { CellFormat } from '../../src/domain/cells/read-cells.js';
import type { FieldKey } from '../../src/domain/cells/write-cells.js';
import type { Actor } from '../../src/domain/context.js';
import type { DatasheetSchema } from '../../src/domain/datasheets/schema.js';
import type { HistoryPage } from '../../src/domain/history/record-history.js';
import { MAX_PAGE_SIZE } from '../../src/domain/records/query-records.js';
import { listFieldsForApi, type FieldApi } from '../../src/domain/schema/field-api.js';
import type { Services } from '../../src/services.js';

/** A record as the GraphQL types read it: its row's facts and its cells rendered per (fieldKey, cellFormat). */
export interface RecordNode {
  id: string;
  datasheetId: string;
  /** A Date, epoch milliseconds or an ISO string (a replayed answer): what DateTime serializes. */
  createdAt: Date | number | string;
  updatedAt: Date | number | string;
  createdBy: string | null;
  updatedBy: string | null;
  revision: number;
  /** The format (`${fieldKey}:${cellFormat}`) of `fields`, the cells the page or the write rendered ('' for none). */
  format: string;
  fields: Record<string, unknown> | undefined;
  /** Cells of other formats, loaded when asked for. */
  otherFormats?: Map<string, Record<string, unknown>>;
}

export const formatKey = (fieldKey: FieldKey, cellFormat: CellFormat) => `${fieldKey}:${cellFormat}`;

interface CellsKey {
  datasheetId: string;
  fieldKey: FieldKey;
  cellFormat: CellFormat;
  recordId: string;
}

/**
 * Per-request batching for every relation that fans out (a page of records asking for their datasheet, authors,
 * history or another cell format; the fields of many datasheets): each loader answers a whole page's keys with a
 * constant number of domain calls. Made per request, so nothing outlives the token that read it.
 */
export function createLoaders(services: Services, actor: Actor | null) {
  const scope = () => {
    if (!actor) throw new Error('loaders need an authenticated actor');
    return scopeOf(actor);
  };
  const schema = new DataLoader<string, DatasheetSchema | undefined>(async (ids) => {
    const found = await services.datasheets.getMany(scope(), ids);
    return ids.map((id) => found.get(id));
  });
  const fields = new DataLoader<string, FieldApi[] | undefined>(async (ids) =>
    Promise.all(
      ids.map(async (id) => {
        const s = await schema.load(id);
        if (!s) return undefined;
        const lookups = await services.datasheets.lookupTargets(s, scope());
        return listFieldsForApi(s, { canWrite: actorMay(actor!, 'records:write'), lookups });
      }),
    ),
  );
  const recordCount = new DataLoader<string, number | undefined>(async (ids) => {
    const counts = await services.datasheets.recordCounts(scope(), ids);
    return ids.map((id) => counts.get(id));
  });
  const recordRow = new DataLoader<string, RecordNode | undefined>(async (ids) => {
    const rows = new Map((await services.records.inSpace(scope(), ids)).map((r) => [r.id, r]));
    return ids.map((id) => {
      const row = rows.get(id);
      return (
        row && {
          id: row.id,
          datasheetId: row.datasheetId,
          createdAt: row.createdAt,
          updatedAt: row.updatedAt,
          createdBy: row.createdBy,
          updatedBy: row.updatedBy,
          revision: row.revision,
          format: '',
          fields: undefined,
        }
      );
    });
  });
  const cells = new DataLoader<CellsKey, Record<string, unknown> | undefined, string>(
    async (keys) => {
      const groups = new Map<string, CellsKey[]>();
      for (const key of keys) {
        const group = `${key.datasheetId}\n${formatKey(key.fieldKey, key.cellFormat)}`;
        groups.set(group, [...(groups.get(group) ?? []), key]);
      }
      const rendered = new Map<string, Record<string, unknown>>();
      for (const group of groups.values()) {
        const { datasheetId, fieldKey, cellFormat } = group[0]!;
        for (let i = 0; i < group.length; i += MAX_PAGE_SIZE) {
          const recordIds = group.slice(i, i + MAX_PAGE_SIZE).map((k) => k.recordId);
          const page = await services.records.query(scope(), datasheetId, {
            recordIds,
            fieldKey,
            cellFormat,
            pageSize: MAX_PAGE_SIZE,
            after: null,
          });
          for (const r of page.records)
            rendered.set(`${datasheetId}\n${fieldKey}:${cellFormat}\n${r.recordId}`, r.fields);
        }
      }
      return keys.map((k) => rendered.get(`${k.datasheetId}\n${formatKey(k.fieldKey, k.cellFormat)}\n${k.recordId}`));
    },
    { cacheKeyFn: (k) => `${k.datasheetId}\n${formatKey(k.fieldKey, k.cellFormat)}\n${k.recordId}` },
  );
  const histories = new Map<number, DataLoader<string, HistoryPage>>();
  const history = (limit: number) => {
    let loader = histories.get(limit);
    if (!loader) {
      loader = new DataLoader<string, HistoryPage>(async (ids) => {
        const pages = await services.records.histories(scope(), ids, { limit });
        return ids.map((id) => pages.get(id)!);
      });
      histories.set(limit, loader);
    }
    return loader;
  };
  const member = new DataLoader<string, { id: string; name: string } | undefined>(async (ids) => {
    const found = await services.spaces.members(scope().spaceId, ids);
    return ids.map((id) => found.get(id));
  });
  return { schema, fields, recordCount, recordRow, cells, history, member };
}

export type Loaders = ReturnType<typeof createLoaders>;
