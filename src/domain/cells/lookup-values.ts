import type { Database, Queryable } from '../../db/client.js';
import { FilterCompileError } from '../../db/query/compile-filter.js';
import { listRecords } from '../../db/query/list-records.js';
import type { StoredRecord } from '../../db/stores/record.store.js';
import { canReach, type Reach } from '../access/reach.js';
import { loadSchema, type DatasheetSchema } from '../datasheets/schema.js';
import { DomainError } from '../errors.js';
import type { FieldDef } from '../fields/field-type.js';
import type { MagicLookUpProperty } from '../fields/types/magic-lookup.field.js';
import { isLinkType, type LinkProperty } from '../fields/shared/link.js';
import { formatNumber } from '../fields/shared/number-format.js';
import { decAdd, decDiv, decFromNumber, decToNumber, ZERO } from '../formula/decimal.js';
import { numberText, parseNumberText } from '../formula/values.js';
import type { FilterGroup } from '../views/view.schema.js';
import { loadReadLookups } from './read-lookups.js';
import { readRecords, type CellFormat } from './read-cells.js';

export interface LookupOptions {
  timeZone: string;
  attachmentUrl: (token: string) => string;
  cellFormat: CellFormat;
  now: Date;
  /** The caller's datasheets: lookups into others read empty, at every depth (access/reach.ts). */
  reach: Reach;
  /** Schemas already loaded in this request, by datasheet id. */
  schemas?: Map<string, DatasheetSchema | null>;
}

/** Lookups of lookups are followed this deep; deeper ones read empty. */
const MAX_DEPTH = 3;

/**
 * MagicLookUp values (aitable-fusion-api.md §8.2, §8.4), computed when a page is read: per row, the records its link
 * field points to (in the cell's order; filtered and sorted by the lookup's filterInfo / sortInfo when enableFilterSort
 * is on; only the first with lookUpLimit FIRST), their target field's json values flattened with empties removed,
 * then the roll-up. One query per lookup field for the whole page, whatever its size. With cellFormat=string each
 * value is the target field's own text, joined by ", ". Returns the rows with the lookup cells filled in.
 */
export async function withLookupValues(
  db: Database,
  schema: DatasheetSchema,
  columns: readonly FieldDef[],
  rows: readonly StoredRecord[],
  options: LookupOptions,
  depth = 0,
): Promise<readonly StoredRecord[]> {
  const lookups = columns.filter((f) => f.type === 'MagicLookUp');
  if (lookups.length === 0 || rows.length === 0) return rows;
  const schemas = options.schemas ?? new Map<string, DatasheetSchema | null>();
  const computed = new Map<string, Map<string, unknown>>();
  for (const field of lookups) {
    const values = depth < MAX_DEPTH ? await lookupField(db, schema, field, rows, { ...options, schemas }, depth) : new Map<string, unknown>();
    computed.set(field.id, values);
  }
  return rows.map((row) => {
    const cells = { ...row.cells };
    for (const field of lookups) {
      const value = computed.get(field.id)!.get(row.id);
      if (value === undefined) delete cells[field.id];
      else cells[field.id] = value;
    }
    return { ...row, cells };
  });
}

/** One lookup field's cell per row id (absent when empty). */
async function lookupField(
  db: Database,
  schema: DatasheetSchema,
  field: FieldDef,
  rows: readonly StoredRecord[],
  options: LookupOptions & { schemas: Map<string, DatasheetSchema | null> },
  depth: number,
): Promise<Map<string, unknown>> {
  const result = new Map<string, unknown>();
  const p = field.property as MagicLookUpProperty;
  const resolved = await resolveLookup(db, schema, field, options.reach, options.schemas);
  if (!resolved) return result;
  const { link, foreign, target } = resolved;
  const linkedIds = (row: StoredRecord) => {
    const cell = row.cells[link.id];
    return Array.isArray(cell) ? cell.filter((id): id is string => typeof id === 'string') : [];
  };
  const ids = [...new Set(rows.flatMap(linkedIds))];
  if (ids.length === 0) return result;

  // The linked records the lookup keeps, in SQL: its filter and sort over the linked datasheet, formulas computed.
  const filtering = p.enableFilterSort === true;
  const sortRule = filtering ? p.sortInfo?.rules[0] : undefined;
  const sortField = sortRule && foreign.fields.find((f) => f.id === sortRule.fieldId);
  let linked: readonly StoredRecord[];
  try {
    linked = (
      await listRecords(
        db,
        {
          datasheetId: foreign.id,
          fields: foreign.fields,
          recordIds: ids,
          filter: filtering && p.filterInfo ? (p.filterInfo as FilterGroup) : null,
          sorts: sortField ? [{ field: sortField, desc: Boolean(sortRule!.desc) }] : [],
          formulas: { asts: foreign.formulas, timeZone: options.timeZone, now: options.now },
          output: [target],
        },
        { kind: 'offset', offset: 0, limit: ids.length },
      )
    ).records;
  } catch (error) {
    // A filter the linked datasheet no longer supports (a field deleted or changed type) leaves the lookup empty.
    if (error instanceof FilterCompileError) return result;
    throw error;
  }
  if (target.type === 'MagicLookUp') linked = await withLookupValues(db, foreign, [target], linked, { ...options, cellFormat: 'json' }, depth + 1);

  // The target's values as this read renders them (json values, or the target's own text).
  const ctx = await loadReadLookups(db, schema.spaceId, [target], linked, { timeZone: options.timeZone, attachmentUrl: options.attachmentUrl, reach: options.reach });
  const rendered = (cellFormat: CellFormat) => readRecords([target], linked, ctx, { cellFormat, fieldKey: 'id' }).map((r) => r.fields[target.id]);
  const [json, text] = [rendered('json'), rendered('string')];
  const rank = new Map(linked.map((r, i) => [r.id, i]));
  const values = new Map(linked.map((r, i) => [r.id, { json: json[i], text: (text[i] ?? null) as string | null }]));
  for (const row of rows) {
    let kept = linkedIds(row).filter((id) => rank.has(id));
    if (sortField) kept = [...new Set(kept)].sort((a, b) => rank.get(a)! - rank.get(b)!);
    if (p.lookUpLimit === 'FIRST') kept = kept.slice(0, 1);
    const listed = kept.map((id) => flat(values.get(id)!.json));
    // COUNTALL counts every kept record's values, an empty cell as one.
    const all = listed.reduce((n, list) => n + Math.max(1, list.length), 0);
    const value = rollUp(p, listed.flat(), all);
    if (value === undefined) continue;
    if (options.cellFormat === 'json') result.set(row.id, value);
    else {
      const text = p.rollupFunction === 'VALUES' ? kept.map((id) => values.get(id)!.text).filter((t) => t !== null && t !== '').join(', ') : scalarText(value, p);
      if (text) result.set(row.id, text);
    }
  }
  return result;
}

export interface ResolvedLookup {
  link: FieldDef;
  foreign: DatasheetSchema;
  target: FieldDef;
}

/**
 * A lookup field's link field, linked datasheet and target field; null when any of them is gone, or the linked
 * datasheet is outside the caller's reach (it reads as gone: empty values, `hasError` in GET fields).
 */
export async function resolveLookup(
  db: Queryable,
  schema: DatasheetSchema,
  field: FieldDef,
  reach: Reach,
  schemas: Map<string, DatasheetSchema | null> = new Map(),
): Promise<ResolvedLookup | null> {
  const p = field.property as MagicLookUpProperty;
  const link = schema.fields.find((f) => f.id === p.relatedLinkFieldId && isLinkType(f.type));
  if (!link) return null;
  const foreignId = (link.property as LinkProperty).foreignDatasheetId;
  if (!canReach(reach, foreignId)) return null;
  const foreign = await schemaOf(db, schema.spaceId, foreignId, schemas);
  const target = foreign?.fields.find((f) => f.id === p.targetFieldId);
  return foreign && target ? { link, foreign, target } : null;
}

async function schemaOf(db: Queryable, spaceId: string, datasheetId: string, schemas: Map<string, DatasheetSchema | null>) {
  if (!schemas.has(datasheetId)) {
    try {
      schemas.set(datasheetId, await loadSchema(db, spaceId, datasheetId));
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      schemas.set(datasheetId, null);
    }
  }
  return schemas.get(datasheetId) ?? null;
}

const flat = (value: unknown): unknown[] => (value === undefined || value === null ? [] : Array.isArray(value) ? value.flat(Infinity) : [value]);

/**
 * The roll-up of the kept values (the reference applies its formula functions to the typed list, so numbers stay
 * numbers): VALUES is the list itself; sums and averages in exact decimals as the formula engine adds. Empty lists
 * give no cell, except the sums and counts of nothing, which are 0.
 */
function rollUp(p: MagicLookUpProperty, values: unknown[], all: number): unknown {
  const numbers = values.flatMap((v) => (typeof v === 'number' && Number.isFinite(v) ? [v] : typeof v === 'string' ? (parseNumberText(v) ?? []) : []));
  const texts = () => values.map((v) => (typeof v === 'object' && v !== null ? (textOf(v) ?? '') : typeof v === 'number' ? numberText(v) : String(v)));
  const truthy = values.filter((v) => v !== false && v !== 0 && v !== '').length;
  const sum = () => numbers.reduce((acc, n) => decAdd(acc, decFromNumber(n)), ZERO);
  switch (p.rollupFunction) {
    case 'VALUES':
      return values.length ? values : undefined;
    case 'SUM':
      return decToNumber(sum());
    case 'AVERAGE':
      return numbers.length ? decToNumber(decDiv(sum(), decFromNumber(numbers.length))) : 0;
    case 'COUNT':
      return values.filter((v) => typeof v === 'number').length;
    case 'COUNTA':
      return values.filter((v) => v !== '').length;
    case 'COUNTALL':
      return all;
    case 'MIN':
      return numbers.length ? Math.min(...numbers) : undefined;
    case 'MAX':
      return numbers.length ? Math.max(...numbers) : undefined;
    case 'AND':
      return values.length > 0 && truthy === values.length;
    case 'OR':
      return truthy > 0;
    case 'XOR':
      return truthy % 2 === 1;
    case 'CONCATENATE':
      return texts().join('') || undefined;
    case 'ARRAYJOIN':
      return texts().join(', ') || undefined;
    case 'ARRAYUNIQUE': {
      const seen = new Set<string>();
      const unique = values.filter((v) => {
        const key = JSON.stringify(v);
        return seen.has(key) ? false : (seen.add(key), true);
      });
      return unique.length ? unique : undefined;
    }
    case 'ARRAYCOMPACT': {
      const compact = values.filter((v) => v !== '' && v !== null && v !== undefined);
      return compact.length ? compact : undefined;
    }
  }
}

/** Objects (members, attachments, links, urls) enter a roll-up by their name, title or text. */
function textOf(value: object): string | null {
  const o = value as Record<string, unknown>;
  for (const key of ['name', 'title', 'text']) if (typeof o[key] === 'string') return o[key] as string;
  return null;
}

function scalarText(value: unknown, p: MagicLookUpProperty): string {
  if (typeof value === 'number') {
    const f = p.formatting;
    return f?.precision !== undefined || f?.symbol ? formatNumber(value, { precision: f.precision ?? 0, ...(f.symbol ? { symbol: f.symbol } : {}) }) : numberText(value);
  }
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'number' ? numberText(v) : String(v))).join(', ');
  return String(value);
}
