import { PageBoundaries } from '../../db/query/page-boundaries.js';
import type { Scope } from '../context.js';
import { invalidArgument } from '../errors.js';
import type { CellFormat, RecordView } from '../cells/read-cells.js';
import type { FieldKey } from '../cells/write-cells.js';
import { loadSchema } from '../datasheets/schema.js';
import { readRecordHistories, readRecordHistory, readRecordHistoryIn } from '../history/record-history.js';
import { recordsInSpace, selectRecords, type StoredRecord } from '../../db/stores/record.store.js';
import type { DatasheetSchema } from '../datasheets/schema.js';
import { createRecords, createRecordsWithSchema, type CreateOptions } from './create-records.js';
import { deleteRecords } from './delete-records.js';
import { moveRecords } from './move-records.js';
import type { RecordDeps } from './record-context.js';
import { updateRecords, updateRecordsWithSchema, type UpdateInput } from './update-records.js';
import {
  CountCache,
  MAX_PAGE_SIZE,
  metaOf,
  queryRecords,
  type RecordMeta,
  type RecordPage,
  type RecordQuery,
} from './query-records.js';
import { renderRecords } from './render-records.js';
import { upsertRecords, type UpsertInput } from './upsert-records.js';
import { applyRecordChanges, type RecordChanges } from './apply-changes.js';
import type { SchemaCache } from '../datasheets/schema-cache.js';

export type { RecordDeps };

/**
 * Written records as read, with each one's revision and authors (in the order of `records`) as the write left them,
 * so a caller answering them needs no second read. Timestamps are on the views (`createdAt`, `updatedAt`).
 */
export interface WrittenRecords {
  records: RecordView[];
  meta: RecordMeta[];
}

/** The record service: a thin façade over one file per operation. */
export function createRecordService(baseDeps: RecordDeps) {
  /** Schemas shared by reads and writes, each use checked against the schema revision of the rows or the lock. */
  const schemaCache: SchemaCache = new Map();
  const counts = new CountCache();
  const boundaries = new PageBoundaries();
  const deps: RecordDeps = { ...baseDeps, schemaCache };
  /** Rows a write returned, as read (records/render-records.ts: their formula values computed first). */
  async function render(
    scope: Scope,
    datasheetId: string,
    rows: readonly StoredRecord[],
    options: { cellFormat?: CellFormat; fieldKey?: FieldKey; schema?: DatasheetSchema } = {},
  ): Promise<RecordView[]> {
    const schema = options.schema ?? (await loadSchema(deps.db, scope.spaceId, datasheetId));
    const ctx = {
      db: deps.db,
      reach: scope,
      timeZone: deps.timeZone,
      attachmentUrl: deps.attachmentUrl,
      now: deps.now(),
    };
    return renderRecords(ctx, schema, schema.fields, rows, {
      cellFormat: options.cellFormat ?? 'json',
      fieldKey: options.fieldKey ?? 'name',
      computeFormulas: true,
    });
  }

  /** Pages of records, filtered and sorted in SQL (views, sorts, filterByFormula, ids, paging). */
  const query = (scope: Scope, datasheetId: string, q: RecordQuery) =>
    queryRecords(deps.db, scope, datasheetId, q, {
      timeZone: deps.timeZone,
      attachmentUrl: deps.attachmentUrl,
      formulaFilter: deps.formulaFilter,
      now: deps.now(),
      schemaCache,
      counts,
      indexes: deps.queryIndexes,
      boundaries,
    });

  /** create, then the created records as read with their revision and authors (WrittenRecords). */
  async function createWritten(
    scope: Scope,
    datasheetId: string,
    records: readonly unknown[],
    options: CreateOptions & { cellFormat?: CellFormat } = {},
  ): Promise<WrittenRecords> {
    const { records: rows, schema } = await createRecordsWithSchema(deps, scope, datasheetId, records, options);
    return { records: await render(scope, datasheetId, rows, { ...options, schema }), meta: metaOf(rows) };
  }

  /** update, then the updated records as read with their revision and authors (WrittenRecords). */
  async function updateWritten(
    scope: Scope,
    datasheetId: string,
    records: readonly UpdateInput[],
    options: { fieldKey?: FieldKey; cellFormat?: CellFormat } = {},
  ): Promise<WrittenRecords> {
    const { records: rows, schema } = await updateRecordsWithSchema(deps, scope, datasheetId, records, options);
    return { records: await render(scope, datasheetId, rows, { ...options, schema }), meta: metaOf(rows) };
  }

  return {
    create: (scope: Scope, datasheetId: string, records: readonly unknown[], options?: CreateOptions) =>
      createRecords(deps, scope, datasheetId, records, options),
    update: (scope: Scope, datasheetId: string, records: readonly UpdateInput[], options?: { fieldKey?: FieldKey }) =>
      updateRecords(deps, scope, datasheetId, records, options),
    /** create, then the created records as read (rendered with the schema the write used: no second schema read). */
    createRendered: async (
      scope: Scope,
      datasheetId: string,
      records: readonly unknown[],
      options: CreateOptions & { cellFormat?: CellFormat } = {},
    ) => (await createWritten(scope, datasheetId, records, options)).records,
    createWritten,
    /** update, then the updated records as read (rendered with the schema the write used). */
    updateRendered: async (
      scope: Scope,
      datasheetId: string,
      records: readonly UpdateInput[],
      options: { fieldKey?: FieldKey; cellFormat?: CellFormat } = {},
    ) => (await updateWritten(scope, datasheetId, records, options)).records,
    updateWritten,
    /**
     * Creates or updates each record by the values of `fieldsToMergeOn` (records/upsert-records.ts), in one
     * transaction; answers the ids created and updated and every record as read, in input order.
     */
    async upsert(
      scope: Scope,
      datasheetId: string,
      records: readonly UpsertInput[],
      fieldsToMergeOn: readonly unknown[],
      options: { fieldKey?: FieldKey; cellFormat?: CellFormat } = {},
    ): Promise<{ created: string[]; updated: string[] } & WrittenRecords> {
      const result = await upsertRecords(deps, scope, datasheetId, records, fieldsToMergeOn, options);
      const views = await render(scope, datasheetId, result.records, { ...options, schema: result.schema });
      return { created: result.created, updated: result.updated, records: views, meta: metaOf(result.records) };
    },
    /**
     * Creates, updates and deletes in one transaction, all or nothing (records/apply-changes.ts); answers the created
     * and updated records as read (with their revision and authors in `meta`) and the deleted ids.
     */
    async apply(
      scope: Scope,
      datasheetId: string,
      changes: RecordChanges,
      options: { fieldKey?: FieldKey; cellFormat?: CellFormat } = {},
    ): Promise<{
      created: RecordView[];
      updated: RecordView[];
      deleted: string[];
      meta: { created: RecordMeta[]; updated: RecordMeta[] };
    }> {
      const result = await applyRecordChanges(deps, scope, datasheetId, changes, options);
      const rows = [...result.created, ...result.updated];
      const views = rows.length ? await render(scope, datasheetId, rows, { ...options, schema: result.schema }) : [];
      const n = result.created.length;
      return {
        created: views.slice(0, n),
        updated: views.slice(n),
        deleted: result.deleted,
        meta: { created: metaOf(result.created), updated: metaOf(result.updated) },
      };
    },
    delete: (scope: Scope, datasheetId: string, recordIds: readonly unknown[]) =>
      deleteRecords(deps, scope, datasheetId, recordIds),
    move: (scope: Scope, fromDatasheetId: string, toDatasheetId: string, recordIds: readonly unknown[]) =>
      moveRecords(deps, scope, fromDatasheetId, toDatasheetId, recordIds),
    /**
     * The one datasheet the records to move belong to (for callers that name records only): refused when
     * `recordIds` is empty, spans several datasheets, or names no record of the space.
     */
    async moveSource(scope: Scope, recordIds: readonly string[], parameter = 'recordIds'): Promise<string> {
      if (recordIds.length === 0) throw invalidArgument(`${parameter} should not be empty`, { parameter });
      const from = new Set((await recordsInSpace(deps.db, scope.spaceId, recordIds)).map((r) => r.datasheetId));
      if (from.size > 1) throw invalidArgument('The records belong to more than one datasheet', { parameter });
      const [source] = from;
      if (!source) throw invalidArgument('The record specified by the recordId does not exist', { parameter });
      return source;
    },
    /** Stored rows by id (all rows when ids is omitted), in row order; the query engine replaces this for lists. */
    async get(scope: Scope, datasheetId: string, ids?: readonly string[]): Promise<StoredRecord[]> {
      await loadSchema(deps.db, scope.spaceId, datasheetId);
      return selectRecords(deps.db, datasheetId, ids);
    },
    render,
    query,
    /**
     * Every matching row (the reference's pageSize=-1), read in keyset pages of MAX_PAGE_SIZE, so memory holds one
     * page however many rows match; `maxRecords` is honoured. The first page carries `total`. `beforeNextPage` runs
     * before each page after the first: the caller meters it (one rate-limit point per page) and may wait there.
     */
    async *queryAllPages(
      scope: Scope,
      datasheetId: string,
      q: RecordQuery,
      beforeNextPage?: () => Promise<void>,
    ): AsyncGenerator<RecordPage> {
      let left = q.maxRecords ?? Number.POSITIVE_INFINITY;
      let after: string | null = null;
      for (let first = true; ; first = false) {
        if (!first) await beforeNextPage?.();
        const page = await query(scope, datasheetId, {
          ...q,
          pageNum: undefined,
          pageSize: MAX_PAGE_SIZE,
          after,
          withTotal: first,
        });
        const records = page.records.length > left ? page.records.slice(0, left) : page.records;
        left -= records.length;
        yield { ...page, records };
        after = page.nextCursor ?? null;
        if (after === null || left <= 0) return;
      }
    },
    history: (scope: Scope, recordId: string, options?: { limit?: number; before?: string | null }) =>
      readRecordHistory(deps.db, scope, recordId, options),
    /** A record's history through its datasheet (a record of another datasheet answers as missing). */
    historyIn: (
      scope: Scope,
      datasheetId: string,
      recordId: string,
      options?: { limit?: number; before?: string | null },
    ) => readRecordHistoryIn(deps.db, scope, datasheetId, recordId, options),
    /** The first history page of several records at once (a constant number of statements). */
    histories: (scope: Scope, recordIds: readonly string[], options?: { limit?: number }) =>
      readRecordHistories(deps.db, scope, recordIds, options),
    /**
     * Rows of records by id, across the datasheets of the scope's space, with their datasheet (one statement);
     * callers check the datasheet against the token's restriction.
     */
    inSpace: (scope: Scope, recordIds: readonly string[]) => recordsInSpace(deps.db, scope.spaceId, recordIds),
  };
}

export type RecordService = ReturnType<typeof createRecordService>;
