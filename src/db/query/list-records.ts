import { createHash } from 'node:crypto';
import type { Queryable } from '../client.js';
import type { FieldDef } from '../../domain/fields/field-type.js';
import { fieldTypeOf } from '../../domain/fields/registry.js';
import type { FilterGroup } from '../../domain/views/view.schema.js';
import { RECORD_COLUMNS, toStoredRecord, type RecordRowSql, type StoredRecord } from '../stores/record.store.js';
import type { ComputedSql } from './cell-expr.js';
import { compileFilter } from './compile-filter.js';
import { formulaColumns, type FormulaSpec } from './formula-columns.js';
import { PageBoundaries } from './page-boundaries.js';
import { SqlParams } from './sql-params.js';
import { sortKeyExprs } from './sort-keys.js';

const isFormula = (f: FieldDef) => fieldTypeOf(f.type).computed === 'formula';

/** One ORDER BY key: a field and a direction. Row order and id always follow as tie-breakers. */
export interface SortKey {
  field: FieldDef;
  desc: boolean;
}

export interface ListSpec {
  datasheetId: string;
  fields: readonly FieldDef[];
  /** Only these ids, in this order (request order) unless sorts are given. */
  recordIds?: readonly string[] | undefined;
  /** A view's manual row order (record ids); rows not in it follow by position. */
  rowOrder?: readonly string[] | null | undefined;
  filter?: FilterGroup | null | undefined;
  /** Extra WHERE condition built by the caller with the same params (e.g. a compiled filterByFormula). */
  where?: ((params: SqlParams) => string) | undefined;
  sorts: readonly SortKey[];
  /** Rows considered at most (maxRecords). */
  maxRecords?: number | undefined;
  /** Formula fields' expressions: filters and sorts on them compute them, and their values come back in `cells`. */
  formulas?: FormulaSpec | undefined;
  /** The Formula fields whose values to return (default: every Formula field in `fields`). */
  output?: readonly FieldDef[] | undefined;
  /**
   * Rows to read instead of the datasheet's stored records (a record as it was before a change): evaluated by the
   * same filter, formulas and sorts. Their cells are keyed by field id; missing times read as unknown (null).
   */
  rows?: readonly PastRow[] | undefined;
}

export interface PastRow {
  id: string;
  cells: Record<string, unknown>;
  createdMs?: number | null;
  createdBy?: string | null;
  updatedMs?: number | null;
  updatedBy?: string | null;
}

/** `spec.rows` as a relation with the columns of `records`. */
function pastRows(rows: readonly PastRow[], params: SqlParams): string {
  const json = rows.map((r) => ({
    id: r.id,
    cells: r.cells,
    created_ms: r.createdMs ?? null,
    created_by: r.createdBy ?? null,
    updated_ms: r.updatedMs ?? null,
    updated_by: r.updatedBy ?? null,
  }));
  return `(SELECT x.id, $1::text AS datasheet_id, x.cells, 0::float8 AS position, 1 AS revision,
    to_timestamp(x.created_ms / 1000.0) AS created_at, x.created_by, to_timestamp(x.updated_ms / 1000.0) AS updated_at,
    x.updated_by FROM jsonb_to_recordset(${params.add(JSON.stringify(json), 'jsonb')})
    AS x(id text, cells jsonb, created_ms float8, created_by text, updated_ms float8, updated_by text))`;
}

export type Paging =
  /** With `boundaries`, a deep page seeks from the nearest known page end of the same revision (page-boundaries.ts). */
  | { kind: 'offset'; offset: number; limit: number; boundaries?: PageBoundaries | undefined }
  | { kind: 'keyset'; after: unknown[] | null; limit: number };

/**
 * One page of a datasheet's records as a single SQL statement: filters and sorts compiled over the jsonb
 * cells (no rows are loaded to be filtered in JavaScript). Each sort key is split into an emptiness flag and
 * a non-null value, so empties are placed as the reference places them and keyset cursors can compare
 * lexicographically. Ties are broken by the view's row order, then position, then id.
 */
export async function listRecords(
  q: Queryable,
  spec: ListSpec,
  paging: Paging,
): Promise<{
  records: StoredRecord[];
  keys: unknown[][];
  schemaRevision: number | undefined;
  revision: number | undefined;
}> {
  // A page by number seeks from a known page end when it can (not within maxRecords, whose cap counts from the start).
  const boundaries =
    paging.kind === 'offset' && spec.maxRecords === undefined && !spec.recordIds ? paging.boundaries : undefined;
  let st = pageStatement(spec, paging, boundaries, true);
  let rows = await q.query<RecordRowSql & Record<string, unknown>>(st.sql, st.values);
  if (st.seek && rows[0]?.srev !== st.seek.srev) {
    // Written since (or past the end, where no row says the revision): the page by OFFSET after all.
    st = pageStatement(spec, paging, boundaries, false);
    rows = await q.query<RecordRowSql & Record<string, unknown>>(st.sql, st.values);
  }
  const keysOf = (r: Record<string, unknown>) => st.keyed.map((k) => r[k.column]);
  const last = rows[rows.length - 1];
  if (boundaries && st.statement && last && typeof last.srev === 'string' && paging.kind === 'offset')
    boundaries.remember(st.statement, last.srev, paging.offset + rows.length, keysOf(last));
  return {
    records: rows.map((row) => withFormulaValues(toStoredRecord(row), row, st.outputs)),
    keys: st.keysRead ? rows.map(keysOf) : [],
    ...revisionsOf(rows[0]),
  };
}

/** The page's statement; with `boundaries` (and `seek`), from the nearest known page end instead of the first row. */
function pageStatement(spec: ListSpec, paging: Paging, boundaries: PageBoundaries | undefined, seek: boolean) {
  const params = new SqlParams([spec.datasheetId]);
  const computed = formulaColumns(spec.fields, spec.formulas, params);
  const perRow = oncePerRow(computed);
  const where = whereClause(spec, params, perRow);
  const order = orderKeys(spec, params, perRow);
  const from = `${spec.rows ? pastRows(spec.rows, params) : 'records'} r${perRow.join()}`;
  // Every row also carries the datasheet's schema revision, so a cached schema is checked in the same round trip.
  const outputs = (spec.output ?? spec.fields).filter(isFormula);
  // Sort keys are returned only where something reads them: keyset cursors and the outer ORDER BY of a wrapped page.
  const keysRead = paging.kind === 'keyset' || spec.maxRecords !== undefined || outputs.length > 0 || !!boundaries;
  const keyed = order.map((k, i) => ({ ...k, column: ROW_KEYS[k.expr] ?? `k${i}` }));
  const selectKeys = [
    ...(keysRead ? keyed.filter((k) => !ROW_KEYS[k.expr]).map((k) => `${k.expr} AS ${k.column}`) : []),
    REVISIONS,
  ].join(', ');
  const orderBy = order.map((k) => `${k.expr} ${k.desc ? 'DESC' : 'ASC'}`).join(', ');
  const statement = boundaries && PageBoundaries.key(`${from} ${where} ${orderBy}`, params.values);
  const known =
    seek && statement && paging.kind === 'offset' ? boundaries!.nearest(statement, paging.offset) : undefined;
  let sql: string;
  if (known && paging.kind === 'offset') {
    // Rows after the last row of a page already served at this revision (the caller checks the rows' revision).
    sql = `SELECT ${RECORD_COLUMNS}, ${selectKeys} FROM ${from} WHERE ${where} AND ${keysetAfter(order, known.keys, params)}
      ORDER BY ${orderBy} OFFSET ${params.add(paging.offset - known.end, 'int')} LIMIT ${params.add(paging.limit, 'int')}`;
  } else if (paging.kind === 'keyset') {
    const after = paging.after ? `AND ${keysetAfter(order, paging.after, params)}` : '';
    sql = `SELECT ${RECORD_COLUMNS}, ${selectKeys} FROM ${from} WHERE ${where} ${after}
      ORDER BY ${orderBy} LIMIT ${params.add(paging.limit, 'int')}`;
  } else {
    const inner = `SELECT ${RECORD_COLUMNS}, ${selectKeys} FROM ${from} WHERE ${where} ORDER BY ${orderBy}`;
    const capped = spec.maxRecords !== undefined ? `${inner} LIMIT ${params.add(spec.maxRecords, 'int')}` : inner;
    const orderOuter = keyed.map((k) => `${k.column} ${k.desc ? 'DESC' : 'ASC'}`).join(', ');
    sql =
      spec.maxRecords !== undefined
        ? `SELECT * FROM (${capped}) page ORDER BY ${orderOuter} OFFSET ${params.add(paging.offset, 'int')} LIMIT ${params.add(paging.limit, 'int')}`
        : `${inner} OFFSET ${params.add(paging.offset, 'int')} LIMIT ${params.add(paging.limit, 'int')}`;
  }
  if (outputs.length > 0) {
    // Formula values are computed for the page's rows only, over the same row alias.
    const values = outputs.map((f, i) => `${computed.formula(f, 'r').value} AS fv${i}`).join(', ');
    const orderOuter = keyed.map((k) => `r.${k.column} ${k.desc ? 'DESC' : 'ASC'}`).join(', ');
    sql = `SELECT r.*, ${values} FROM (${sql.replace(`SELECT ${RECORD_COLUMNS},`, `SELECT ${RECORD_COLUMNS}, ${ROW_TIMES},`)}) r ORDER BY ${orderOuter}`;
  }
  return { sql, values: params.values, keyed, keysRead, outputs, statement, seek: known };
}

/**
 * Rows matching the spec (before maxRecords and paging), for `total`, with the datasheet revision the count saw.
 * `cached` answers a count already made at a revision (counts are kept by revision and statement: any write to the
 * datasheet moves its revision, and a clock a filter reads is a parameter of the statement).
 */
export async function countRecords(
  q: Queryable,
  spec: ListSpec,
  counts?: { get(key: string): number | undefined; set(key: string, n: number): void },
  revision?: number,
): Promise<number> {
  const params = new SqlParams([spec.datasheetId]);
  const perRow = oncePerRow(formulaColumns(spec.fields, spec.formulas, params));
  const where = whereClause(spec, params, perRow);
  const sql = `SELECT count(*) AS n, ${REVISIONS} FROM records r${perRow.join()} WHERE ${where}`;
  // Lookups read other datasheets, whose writes do not move this revision: such counts are never kept.
  const keep = counts && !spec.formulas?.lookups?.size;
  // A digest: a statement with a thousand record ids is long, and a process keeps up to 2,000 counts.
  const statement = keep
    ? createHash('sha256').update(sql).update('\u0000').update(JSON.stringify(params.values)).digest('base64url')
    : '';
  const key = (rev: number) => `${rev}:${statement}`;
  let n = keep && revision !== undefined ? counts.get(key(revision)) : undefined;
  if (n === undefined) {
    const [row] = await q.query<{ n: string | number; srev: string }>(sql, params.values);
    n = Number(row!.n);
    const seen = revisionsOf(row).revision;
    if (keep && seen !== undefined) counts.set(key(seen), n);
  }
  return spec.maxRecords !== undefined ? Math.min(n, spec.maxRecords) : n;
}

/** The datasheet's schema revision and revision, read by the same statement as the rows. */
const REVISIONS = `(SELECT schema_revision::text || ':' || revision::text FROM datasheets WHERE id = $1) AS srev`;

function revisionsOf(row: Record<string, unknown> | undefined): {
  schemaRevision: number | undefined;
  revision: number | undefined;
} {
  if (!row || typeof row.srev !== 'string') return { schemaRevision: undefined, revision: undefined };
  const [schema, content] = row.srev.split(':');
  return { schemaRevision: Number(schema), revision: Number(content) };
}

/**
 * Current values of the given Formula fields for some rows of a datasheet (rows just written, rendered for the
 * answer), by record id.
 */
export async function selectFormulaValues(
  q: Queryable,
  datasheetId: string,
  fields: readonly FieldDef[],
  formulas: FormulaSpec,
  recordIds: readonly string[],
): Promise<Map<string, Record<string, unknown>>> {
  const outputs = fields.filter(isFormula);
  const result = new Map<string, Record<string, unknown>>();
  if (outputs.length === 0 || recordIds.length === 0) return result;
  const params = new SqlParams([datasheetId, recordIds]);
  const computed = formulaColumns(fields, formulas, params);
  const values = outputs.map((f, i) => `${computed.formula(f, 'r').value} AS fv${i}`).join(', ');
  const rows = await q.query<Record<string, unknown>>(
    `SELECT r.id, ${values} FROM records r WHERE r.datasheet_id = $1 AND r.id = ANY($2::text[])`,
    params.values,
  );
  for (const row of rows)
    result.set(row.id as string, Object.fromEntries(outputs.map((f, i) => [f.id, formulaCell(row[`fv${i}`])])));
  return result;
}

/**
 * Formula and lookup fields read by WHERE and ORDER BY, computed once per row as columns of a LATERAL subquery (`fx`; OFFSET 0
 * keeps the planner from copying the expression back into every use): a sort key reads its field twice (emptiness
 * flag and value), and a formula's SQL can be long.
 */
function oncePerRow(computed: ComputedSql): ComputedSql & { join(): string } {
  const columns = new Map<string, string>();
  const column = (field: FieldDef, value: string) => {
    if (!columns.has(field.id)) columns.set(field.id, `${value} AS f${columns.size}`);
    return `fx.f${[...columns.keys()].indexOf(field.id)}`;
  };
  return {
    formula(field, alias) {
      const { value, type } = computed.formula(field, alias);
      if (alias !== 'r' || type === 'null') return { value, type };
      return { value: column(field, value), type };
    },
    lookup(field, alias) {
      if (alias !== 'r') return computed.lookup?.(field, alias);
      if (columns.has(field.id)) return column(field, '');
      const value = computed.lookup?.(field, alias);
      return value === undefined ? undefined : column(field, value);
    },
    join: () => (columns.size ? ` CROSS JOIN LATERAL (SELECT ${[...columns.values()].join(', ')} OFFSET 0) fx` : ''),
  };
}

/** Order keys that are record columns already selected (RECORD_COLUMNS): read from the row, not selected twice. */
const ROW_KEYS: Record<string, string> = { 'r.position': 'position', 'r.id': 'id' };

/** The row columns formula SQL reads besides RECORD_COLUMNS, so it can run over a page subquery aliased `r`. */
const ROW_TIMES = 'r.created_at, r.updated_at';

function withFormulaValues(
  record: StoredRecord,
  row: Record<string, unknown>,
  outputs: readonly FieldDef[],
): StoredRecord {
  if (outputs.length === 0) return record;
  const cells = { ...record.cells };
  outputs.forEach((f, i) => {
    const value = formulaCell(row[`fv${i}`]);
    if (value === undefined) delete cells[f.id];
    else cells[f.id] = value;
  });
  return { ...record, cells };
}

/** A computed value as a cell: numbers (datetimes are epoch ms), text, booleans, text lists; blank is no cell. */
function formulaCell(value: unknown): unknown {
  return value === null || value === undefined ? undefined : value;
}

function whereClause(spec: ListSpec, params: SqlParams, computed: ComputedSql): string {
  const parts = ['r.datasheet_id = $1'];
  if (spec.recordIds) parts.push(`r.id = ANY(${params.add(spec.recordIds, 'text[]')})`);
  if (spec.filter) parts.push(compileFilter(spec.filter, spec.fields, params, 'r', computed));
  if (spec.where) parts.push(spec.where(params));
  return parts.join(' AND ');
}

interface OrderKey {
  expr: string;
  desc: boolean;
}

function orderKeys(spec: ListSpec, params: SqlParams, computed: ComputedSql): OrderKey[] {
  const keys: OrderKey[] = [];
  for (const { field, desc } of spec.sorts) {
    const [flag, value] = sortKeyExprs(field, 'r', computed);
    keys.push({ expr: flag, desc }, { expr: value, desc });
  }
  if (spec.recordIds && spec.sorts.length === 0)
    keys.push({ expr: `array_position(${params.add(spec.recordIds, 'text[]')}, r.id)`, desc: false });
  if (spec.rowOrder && spec.rowOrder.length > 0) {
    keys.push({
      expr: `coalesce(array_position(${params.add(spec.rowOrder, 'text[]')}, r.id), 2147483647)`,
      desc: false,
    });
  }
  keys.push({ expr: 'r.position', desc: false }, { expr: 'r.id', desc: false });
  return keys;
}

/**
 * Rows strictly after `after` in the key order. With one direction throughout it is a row comparison,
 * which an index in the same order answers as a range scan; with mixed directions an OR of prefix-equal
 * comparisons, led by a bound on the first key so the scan can still start near the cursor.
 */
function keysetAfter(order: OrderKey[], after: unknown[], params: SqlParams): string {
  const values = order.map((k, i) => params.add(after[i], castOf(k.expr, after[i])));
  if (order.every((k) => k.desc === order[0]!.desc)) {
    return `((${order.map((k) => k.expr).join(', ')}) ${order[0]!.desc ? '<' : '>'} (${values.join(', ')}))`;
  }
  const ors = order.map((k, i) => {
    const equal = order.slice(0, i).map((p, j) => `${p.expr} = ${values[j]}`);
    return `(${[...equal, `${k.expr} ${k.desc ? '<' : '>'} ${values[i]}`].join(' AND ')})`;
  });
  return `(${order[0]!.expr} ${order[0]!.desc ? '<=' : '>='} ${values[0]} AND (${ors.join(' OR ')}))`;
}

function castOf(expr: string, value: unknown): string {
  if (expr === 'r.id') return 'text';
  if (typeof value === 'number')
    return expr.includes('array_position') || expr.startsWith('(CASE WHEN') ? 'int' : 'float8';
  if (typeof value === 'boolean') return 'boolean';
  return 'text';
}
