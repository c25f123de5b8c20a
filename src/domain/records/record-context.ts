import type { QueryIndexer } from '../../db/query/query-indexes.js';
import type { Database, PrismaClient, Queryable } from '../../db/client.js';
import { lockDatasheet, type LockedDatasheet } from '../../db/stores/datasheet-lock.store.js';
import type { Scope } from '../context.js';
import { datasheetNotFound, loadSchema, type DatasheetSchema } from '../datasheets/schema.js';
import { DomainError } from '../errors.js';
import type { ChangeBus, ChangeEvent } from '../events/change-bus.js';
import type { FieldDef } from '../fields/field-type.js';
import { fieldTypeOf } from '../fields/registry.js';
import { rowCapFor } from '../limits.js';
import { rememberSchema, schemaKey, type SchemaCache } from '../datasheets/schema-cache.js';
import type { FormulaFilter } from './query-records.js';

/** What the record operations share: the database, the bus, lookups into other services, the clock. */
export interface RecordDeps {
  /** Record writes run on raw sessions of this database (set-based SQL); Prisma serves the reads around them. */
  db: Database;
  prisma: PrismaClient;
  bus: ChangeBus;
  attachmentUrl(token: string): string;
  timeZone: string;
  /** Characters of one cell string (MAX_TEXT_CELL_LENGTH); default DEFAULT_MAX_TEXT_CELL_LENGTH. */
  maxTextLength?: number | undefined;
  /** Compiles filterByFormula to SQL (the formula engine); without it such queries are refused. */
  formulaFilter?: FormulaFilter | undefined;
  now(): Date;
  /** Schemas by `spaceId/datasheetId`, shared with reads; a write uses one only at the revision it locked. */
  schemaCache?: SchemaCache | undefined;
  /** Builds indexes for the filters and sorts queries use (db/query/query-indexes.ts); none without it. */
  queryIndexes?: QueryIndexer | undefined;
}

export interface LinkProperty {
  foreignDatasheetId: string;
  brotherFieldId?: string;
}

/** Fields of a datasheet with a sibling in another datasheet (two-way links), which writes keep symmetric. */
export function syncedLinks(schema: DatasheetSchema): (FieldDef & { property: LinkProperty })[] {
  return schema.fields.filter((f): f is FieldDef & { property: LinkProperty } =>
    Boolean(fieldTypeOf(f.type).sibling?.(f.property, schema.id)),
  );
}

/**
 * Locks the datasheets a batch writes (its own and the targets of its synced two-way links) in id order,
 * so two batches touching the same datasheets cannot deadlock, and loads their schemas. A cached schema
 * at the schema revision the lock reads is current (every schema change moves that revision under the
 * same row lock), so it saves the schema query.
 */
export async function lockForWrite(
  tx: Queryable,
  scope: Scope,
  datasheetIds: string[],
  cache?: SchemaCache,
): Promise<{ locks: Map<string, LockedDatasheet>; schemas: Map<string, DatasheetSchema> }> {
  const locks = new Map<string, LockedDatasheet>();
  const schemas = new Map<string, DatasheetSchema>();
  const pending = new Set(datasheetIds);
  // The primary datasheets are locked first (sorted); link targets found in their schemas are added after,
  // again in sorted order. Link targets are known before any row is touched.
  while (pending.size) {
    const batch = [...pending].sort();
    pending.clear();
    for (const id of batch) {
      if (locks.has(id)) continue;
      const lock = await lockDatasheet(tx, id, scope.spaceId);
      if (!lock) throw datasheetNotFound(id);
      locks.set(id, lock);
      const key = schemaKey(scope.spaceId, id);
      const cached = cache?.get(key);
      const schema =
        cached && cached.schemaRevision === lock.schemaRevision
          ? { ...cached, revision: lock.revision }
          : rememberSchema(cache, key, await loadSchema(tx, scope.spaceId, id));
      schemas.set(id, schema);
      for (const link of syncedLinks(schema))
        if (!locks.has(link.property.foreignDatasheetId)) pending.add(link.property.foreignDatasheetId);
    }
  }
  return { locks, schemas };
}

export function checkRowCap(lock: LockedDatasheet, adding: number): void {
  const cap = rowCapFor(lock.plan, lock.spaceRowCap, lock.rowCap);
  if (lock.recordCount + adding > cap) {
    throw new DomainError(
      'ROW_CAP_REACHED',
      `the usage of this function exceed the ${cap} records limit of beta version`,
      {
        cap,
        current: lock.recordCount,
        adding,
      },
    );
  }
}

/**
 * Runs a record write in one transaction (retried on deadlock): `fn`'s change events are written into the change
 * feed as the transaction's last work, and published on the in-process bus once it committed.
 */
export async function inWriteTransaction<T extends { events: ChangeEvent[] }>(
  deps: Pick<RecordDeps, 'db' | 'bus'>,
  fn: (tx: Queryable) => Promise<T>,
): Promise<T> {
  const out = await withRetry(() =>
    deps.db.transaction(async (tx) => {
      const result = await fn(tx);
      await deps.bus.record(tx, result.events);
      return result;
    }),
  );
  deps.bus.publish(out.events);
  return out;
}

/** Retries a transaction that lost a deadlock or serialization race; anything else propagates. */
export async function withRetry<T>(fn: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const text = error instanceof Error ? error.message : '';
      const retryable = /deadlock detected|could not serialize access|40P01|40001/.test(text);
      if (!retryable || attempt >= attempts) throw error;
    }
  }
}

/** The schema after a batch saved grown select options (`changedProperties`), for rendering its rows. */
export function withProperties(schema: DatasheetSchema, changed: ReadonlyMap<string, unknown>): DatasheetSchema {
  if (changed.size === 0) return schema;
  return {
    ...schema,
    schemaRevision: schema.schemaRevision + 1,
    fields: schema.fields.map((f) => (changed.has(f.id) ? { ...f, property: changed.get(f.id) } : f)),
  };
}

export const sameValue = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export const linkIds = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);
