import { createHash } from 'node:crypto';
import type { Database } from '../../db/client.js';
import { countRecords, listRecords, type ListSpec, type SortKey } from '../../db/query/list-records.js';
import { FilterCompileError } from '../../db/query/compile-filter.js';
import type { PageBoundaries } from '../../db/query/page-boundaries.js';
import type { QueryIndexer } from '../../db/query/query-indexes.js';
import type { SqlParams } from '../../db/query/sql-params.js';
import type { StoredRecord } from '../../db/stores/record.store.js';
import type { Scope } from '../context.js';
import type { LookupSources } from '../../db/query/lookup-columns.js';
import type { CellFormat, RecordView } from '../cells/read-cells.js';
import type { FieldKey } from '../cells/write-cells.js';
import { loadSchema, type DatasheetSchema, type ViewDef } from '../datasheets/schema.js';
import { rememberSchema, schemaKey, type SchemaCache } from '../datasheets/schema-cache.js';
import { DomainError, invalidArgument } from '../errors.js';
import type { FieldDef } from '../fields/field-type.js';
import { MAX_INT4 } from '../limits.js';
import type { FormulaAsts } from '../formula/formula-fields.js';
import type { FilterGroup } from '../views/view.schema.js';
import { lookupSources } from './lookup-sources.js';
import { renderRecords } from './render-records.js';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

export interface RecordQuery {
  viewId?: string | undefined;
  /** Only these records, in this order (unless sorted). */
  recordIds?: readonly string[] | undefined;
  /** Field projection, by fieldKey; default: the view's visible fields, or all. */
  fields?: readonly string[] | undefined;
  fieldKey?: FieldKey;
  cellFormat?: CellFormat;
  /** User sorts by fieldKey; the first is primary, the view's sorts remain as tie-breakers. */
  sort?: readonly { field: string; order: 'asc' | 'desc' }[] | undefined;
  filterByFormula?: string | undefined;
  maxRecords?: number | undefined;
  /** Fusion paging… */
  pageNum?: number | undefined;
  pageSize?: number | undefined;
  /** …or opaque keyset cursors (GraphQL): `after` from a previous page's `nextCursor`. */
  after?: string | null | undefined;
  withTotal?: boolean;
}

export interface RecordPage {
  records: RecordView[];
  total?: number;
  pageNum?: number;
  pageSize: number;
  /** Keyset paging only: the cursor of the next page, null at the end. */
  nextCursor?: string | null;
  /**
   * Keyset paging only: the cursor of returned record `i` (as `after`, it continues after that record), encoded on
   * demand (most callers never read one).
   */
  cursorOf?: (i: number) => string;
  /** Each returned record's revision and authors, in the order of `records`. */
  meta?: RecordMeta[];
}

export interface RecordMeta {
  revision: number;
  createdBy: string | null;
  updatedBy: string | null;
}

export const metaOf = (rows: readonly StoredRecord[]): RecordMeta[] =>
  rows.map((r) => ({ revision: r.revision, createdBy: r.createdBy, updatedBy: r.updatedBy }));

/** Compiles filterByFormula into the WHERE clause; provided by the formula engine. */
export type FormulaFilter = (
  formula: string,
  fields: readonly FieldDef[],
  params: SqlParams,
  context: {
    timeZone: string;
    now: Date;
    formulas: FormulaAsts;
    lookups?: LookupSources | undefined;
    /** Told the fields an index would serve (compared with literals in an indexable shape). */
    onIndexable?: (fields: FieldDef[]) => void;
  },
) => string;

/** Counts (`total`) by datasheet revision and statement (list-records.ts countRecords); dropped whole past 2,000. */
export class CountCache {
  private readonly counts = new Map<string, number>();
  get(key: string): number | undefined {
    return this.counts.get(key);
  }
  set(key: string, n: number): void {
    if (this.counts.size >= 2_000) this.counts.clear();
    this.counts.set(key, n);
  }
}

/**
 * The one record query both transports use: a datasheet, optionally a view (its row order, hidden fields,
 * filter, sorts), user sorts, a formula filter, record ids, a projection, maxRecords, and either
 * pageNum/pageSize or keyset cursors. Everything runs as SQL; `total` is computed only when asked.
 */
export async function queryRecords(
  db: Database,
  scope: Scope,
  datasheetId: string,
  query: RecordQuery,
  options: {
    timeZone: string;
    attachmentUrl: (token: string) => string;
    formulaFilter?: FormulaFilter | undefined;
    now?: Date;
    schemaCache?: SchemaCache;
    counts?: CountCache;
    /** Told what each filtered or user-sorted query could use an index for (query-indexes.ts). */
    indexes?: QueryIndexer | undefined;
    /** Page ends by statement and revision: deep pageNum seeks instead of OFFSET (page-boundaries.ts). */
    boundaries?: PageBoundaries | undefined;
  },
): Promise<RecordPage> {
  const cache = options.schemaCache;
  const key = schemaKey(scope.spaceId, datasheetId);
  const fresh = async () => rememberSchema(cache, key, await loadSchema(db, scope.spaceId, datasheetId));
  const cached = cache?.get(key);
  if (!cached) return (await runQuery(db, scope, await fresh(), query, options)).page;
  let first: Awaited<ReturnType<typeof runQuery>>;
  try {
    first = await runQuery(db, scope, cached, query, options);
  } catch (error) {
    // A view, field or sort the cached schema does not know may be new: judge the request on a fresh schema.
    if (error instanceof DomainError) return (await runQuery(db, scope, await fresh(), query, options)).page;
    throw error;
  }
  // A cached schema is used only if the rows say it is still current (or, with no rows, a reload agrees).
  const current = first.schemaRevision ?? (await fresh()).schemaRevision;
  if (current === cached.schemaRevision) return first.page;
  return (
    await runQuery(db, scope, first.schemaRevision === undefined ? cache!.get(key)! : await fresh(), query, options)
  ).page;
}

async function runQuery(
  db: Database,
  scope: Scope,
  schema: DatasheetSchema,
  query: RecordQuery,
  options: {
    timeZone: string;
    attachmentUrl: (token: string) => string;
    formulaFilter?: FormulaFilter | undefined;
    now?: Date;
    counts?: CountCache;
    indexes?: QueryIndexer | undefined;
    boundaries?: PageBoundaries | undefined;
  },
): Promise<{ page: RecordPage; schemaRevision: number | undefined }> {
  const datasheetId = schema.id;
  const fieldKey = query.fieldKey ?? 'name';
  const keyOf = (f: FieldDef) => (fieldKey === 'id' ? f.id : f.name);
  const view = pickView(schema, query.viewId);
  const columns = projection(schema, view, query, keyOf);
  const sorts = userSorts(schema, query.sort, keyOf);
  if (!query.recordIds || query.sort?.length) sorts.push(...viewSorts(schema, view ?? schema.views[0]));
  const pageSize = checkInt(query.pageSize ?? DEFAULT_PAGE_SIZE, 'pageSize', 1, MAX_PAGE_SIZE);
  // maxRecords has no upper bound (reference §3); past int4 (what LIMIT binds) it caps nothing, so it is clamped.
  const maxRecords =
    query.maxRecords === undefined
      ? undefined
      : Math.min(checkInt(query.maxRecords, 'maxRecords', 1, Number.MAX_SAFE_INTEGER), MAX_INT4);
  const formula = query.filterByFormula?.trim();
  const now = options.now ?? new Date();
  if (formula && !options.formulaFilter)
    throw invalidArgument('filterByFormula is not supported by this server yet', { parameter: 'filterByFormula' });
  const lookups = await lookupSources(
    db,
    scope,
    schema,
    (view?.filter as FilterGroup | null | undefined) ?? null,
    sorts,
    formula,
  );
  /** Fields the formula compares in a shape an index serves (filled while its SQL is built). */
  const indexable = new Set<FieldDef>();
  const spec: ListSpec = {
    datasheetId,
    fields: schema.fields,
    recordIds: query.recordIds,
    rowOrder: (view ?? schema.views[0])?.rowOrder,
    filter: (view?.filter as FilterGroup | null | undefined) ?? null,
    where: formula
      ? (params) =>
          options.formulaFilter!(formula, schema.fields, params, {
            timeZone: options.timeZone,
            now,
            formulas: schema.formulas,
            lookups,
            onIndexable: (fields) => {
              for (const f of fields) indexable.add(f);
            },
          })
      : undefined,
    sorts,
    maxRecords,
    formulas: { asts: schema.formulas, timeZone: options.timeZone, now, lookups },
    output: columns,
  };
  const ctx = { db, reach: scope, timeZone: options.timeZone, attachmentUrl: options.attachmentUrl, now };
  const render = (page: StoredRecord[]): Promise<RecordView[]> =>
    renderRecords(ctx, schema, columns, page, { cellFormat: query.cellFormat ?? 'json', fieldKey });
  try {
    let page: RecordPage;
    let schemaRevision: number | undefined;
    let revision: number | undefined;
    /** The total when the page itself shows it (the last page, holding at least one row or starting at 0). */
    let seenTotal: number | undefined;
    if (query.after !== undefined) {
      const shape = shapeOf(datasheetId, query);
      const after = query.after === null ? null : decodeCursor(query.after, shape);
      const result = await listRecords(db, spec, { kind: 'keyset', after, limit: pageSize + 1 });
      ({ schemaRevision, revision } = result);
      const nextCursor = result.records.length > pageSize ? encodeCursor(result.keys[pageSize - 1]!, shape) : null;
      // Keyset statements do not apply maxRecords (callers stop there): the total does.
      if (after === null && nextCursor === null)
        seenTotal = Math.min(result.records.length, maxRecords ?? Number.POSITIVE_INFINITY);
      const rows = result.records.slice(0, pageSize);
      page = {
        records: await render(rows),
        pageSize,
        nextCursor,
        cursorOf: (i) => encodeCursor(result.keys[i]!, shape),
        meta: metaOf(rows),
      };
    } else {
      const pageNum = checkInt(query.pageNum ?? 1, 'pageNum', 1, Number.MAX_SAFE_INTEGER);
      // No datasheet holds 2³¹ rows: a page starting past that is past the end (records: []), as any page beyond it.
      const offset = Math.min((pageNum - 1) * pageSize, MAX_INT4);
      const result = await listRecords(db, spec, {
        kind: 'offset',
        offset,
        limit: pageSize,
        boundaries: options.boundaries,
      });
      ({ schemaRevision, revision } = result);
      if (result.records.length < pageSize && (result.records.length > 0 || offset === 0))
        seenTotal = offset + result.records.length;
      page = { records: await render(result.records), pageNum, pageSize, meta: metaOf(result.records) };
    }
    if (options.indexes && !query.recordIds && (query.sort?.length || indexable.size))
      options.indexes.observe(datasheetId, { sort: query.sort?.length ? sorts[0] : undefined, values: [...indexable] });
    // A count costs a round trip (and a scan); a short last page already says how many rows match.
    if (query.withTotal) page.total = seenTotal ?? (await countRecords(db, spec, options.counts, revision));
    return { page, schemaRevision };
  } catch (error) {
    if (error instanceof FilterCompileError) throw invalidArgument(error.message, { parameter: 'filter' });
    throw error;
  }
}

function pickView(schema: DatasheetSchema, viewId: string | undefined): ViewDef | undefined {
  if (viewId === undefined) return undefined;
  const view = schema.views.find((v) => v.id === viewId);
  if (!view) throw invalidArgument('The specified view does not exist', { parameter: 'viewId' });
  return view;
}

/** Requested fields in request order, else the view's visible columns, else every field. */
function projection(
  schema: DatasheetSchema,
  view: ViewDef | undefined,
  query: RecordQuery,
  keyOf: (f: FieldDef) => string,
): FieldDef[] {
  if (query.fields && query.fields.length > 0) {
    return query.fields.map((key) => {
      const field = schema.fields.find((f) => keyOf(f) === key);
      if (!field) throw invalidArgument('Invalid fields', { parameter: 'fields', field: key });
      return field;
    });
  }
  if (!view) return schema.fields;
  return schema.fields.filter((f) => !view.hiddenFields.includes(f.id));
}

function userSorts(schema: DatasheetSchema, sort: RecordQuery['sort'], keyOf: (f: FieldDef) => string): SortKey[] {
  return (sort ?? []).map((rule) => {
    const field = schema.fields.find((f) => keyOf(f) === rule.field);
    if (!field) throw invalidArgument(`The sorted field "${rule.field}" does not exist`, { parameter: 'sort' });
    return { field, desc: rule.order === 'desc' };
  });
}

function viewSorts(schema: DatasheetSchema, view: ViewDef | undefined): SortKey[] {
  return (view?.sort ?? []).flatMap((s) => {
    const field = schema.fields.find((f) => f.id === s.fieldId);
    return field ? [{ field, desc: s.desc }] : [];
  });
}

function checkInt(value: number, parameter: string, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalidArgument(
      `${parameter} must be an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ' up'}`,
      { parameter },
    );
  }
  return value;
}

/** What a cursor is bound to: a cursor of one query shape cannot page another. */
function shapeOf(datasheetId: string, query: RecordQuery): string {
  const parts = [
    datasheetId,
    query.viewId ?? '',
    JSON.stringify(query.sort ?? []),
    query.filterByFormula ?? '',
    (query.recordIds ?? []).join(','),
    query.fieldKey ?? 'name',
    query.maxRecords ?? '',
  ];
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 16);
}

function encodeCursor(keys: unknown[], shape: string): string {
  return Buffer.from(JSON.stringify({ s: shape, k: keys })).toString('base64url');
}

function decodeCursor(cursor: string, shape: string): unknown[] {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { s?: unknown; k?: unknown };
    if (parsed.s === shape && Array.isArray(parsed.k)) return parsed.k;
  } catch {
    // fall through
  }
  throw invalidArgument('The cursor is invalid or belongs to another query', { parameter: 'after' });
}
