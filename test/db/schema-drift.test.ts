import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate.js';
import { emptyDatabase } from '../support/db.js';
import { readPrismaSchema } from '../support/prisma-schema.js';

/** schema.prisma and prisma/migrations must describe the same database; this fails the moment they drift. */
const schema = readPrismaSchema(fileURLToPath(new URL('../../prisma/schema.prisma', import.meta.url)));

const SQL_TYPE: Record<string, string> = {
  String: 'text',
  Int: 'integer',
  BigInt: 'bigint',
  Float: 'double precision',
  Boolean: 'boolean',
  DateTime: 'timestamp without time zone',
  Json: 'jsonb',
};

interface Column {
  table_name: string;
  column_name: string;
  data_type: string;
  udt_name: string;
  is_nullable: 'YES' | 'NO';
}
interface Index {
  table_name: string;
  unique: boolean;
  primary: boolean;
  columns: string[];
}
interface ForeignKey {
  table_name: string;
  references: string;
  columns: string[];
}

let columns: Column[];
let indexes: Index[];
let foreignKeys: ForeignKey[];
let enumValues: Map<string, string[]>;
let db: Awaited<ReturnType<typeof emptyDatabase>>;

beforeAll(async () => {
  db = await emptyDatabase();
  await migrate(db);
  await db.transaction(async (s) => {
    columns = await s.query<Column>(
      `SELECT table_name, column_name, data_type, udt_name, is_nullable FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
    );
    indexes = await s.query<Index>(
      `SELECT t.relname AS table_name, ix.indisunique AS unique, ix.indisprimary AS primary,
              array_agg(a.attname::text ORDER BY k.ord) AS columns
       FROM pg_index ix
       JOIN pg_class t ON t.oid = ix.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
       WHERE n.nspname = 'public'
       GROUP BY ix.indexrelid, t.relname, ix.indisunique, ix.indisprimary`,
    );
    foreignKeys = await s.query<ForeignKey>(
      `SELECT c.conrelid::regclass::text AS table_name, c.confrelid::regclass::text AS references,
              array(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns
       FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
       WHERE c.contype = 'f' AND n.nspname = 'public'`,
    );
    const rows = await s.query<{ name: string; value: string }>(
      `SELECT t.typname AS name, e.enumlabel AS value FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid
       ORDER BY t.typname, e.enumsortorder`,
    );
    enumValues = new Map();
    for (const row of rows) enumValues.set(row.name, [...(enumValues.get(row.name) ?? []), row.value]);
  });
});
afterAll(async () => {
  await db?.dispose();
});

describe.each(schema.models.map((m) => [m.name, m] as const))('model %s', (_name, model) => {
  it('has every declared column with a compatible type and nullability', () => {
    for (const field of model.fields) {
      const column = columns.find((c) => c.table_name === model.table && c.column_name === field.column);
      expect(column, `${model.table}.${field.column}`).toBeDefined();
      const where = `${model.table}.${field.column}`;
      if (field.list) {
        expect(column!.data_type, where).toBe('ARRAY');
        expect(column!.udt_name, where).toBe(`_${SQL_TYPE[field.type] === 'text' ? 'text' : field.type.toLowerCase()}`);
      } else if (schema.enums.has(field.type)) {
        expect([column!.data_type, column!.udt_name], where).toEqual(['USER-DEFINED', field.type]);
      } else {
        expect(column!.data_type, where).toBe(SQL_TYPE[field.type]);
      }
      if (!field.list) expect(column!.is_nullable, where).toBe(field.optional ? 'YES' : 'NO');
    }
  });

  it('has no column the schema does not declare', () => {
    const declared = model.fields.map((f) => f.column).sort();
    const actual = columns
      .filter((c) => c.table_name === model.table)
      .map((c) => c.column_name)
      .sort();
    expect(actual).toEqual(declared);
  });

  it('has its primary key, unique constraints, indexes and foreign keys', () => {
    const on = indexes.filter((i) => i.table_name === model.table);
    expect(on.find((i) => i.primary)?.columns).toEqual(model.primaryKey);
    for (const unique of model.uniques) {
      expect(
        on.some((i) => i.unique && i.columns.join() === unique.join()),
        `unique ${unique.join()}`,
      ).toBe(true);
    }
    for (const index of model.indexes) {
      expect(
        on.some((i) => i.columns.join() === index.join()),
        `index ${index.join()}`,
      ).toBe(true);
    }
    for (const fk of model.foreignKeys) {
      const found = foreignKeys.some(
        (f) => f.table_name === model.table && f.references === fk.references && f.columns.join() === fk.columns.join(),
      );
      expect(found, `foreign key ${fk.columns.join()} -> ${fk.references}`).toBe(true);
    }
  });
});

it('has no table the schema does not declare', () => {
  const tables = [...new Set(columns.map((c) => c.table_name))].sort();
  expect(tables).toEqual(schema.models.map((m) => m.table).sort());
});

it('has every enum with the declared values in order', () => {
  expect(Object.fromEntries(enumValues)).toEqual(Object.fromEntries(schema.enums));
});
