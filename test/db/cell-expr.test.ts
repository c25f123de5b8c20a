import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cellExpr } from '../../src/db/query/cell-expr.js';
import { migrate } from '../../src/db/migrate.js';
import type { FieldDef } from '../../src/domain/fields/field-type.js';
import { FIELD_TYPES } from '../../src/domain/fields/registry.js';
import { FIELD_CASES as CASES_BY_TYPE } from '../cases/field-cases.js';

const FIELD_CASES = Object.values(CASES_BY_TYPE);
import { KEY, LINK_FIELD } from '../cases/field-case.js';
import { emptyDatabase } from '../support/db.js';

/** Every registered type's SQL value and sort expressions run on the real database over its stored values. */
let db: Awaited<ReturnType<typeof emptyDatabase>>;

beforeAll(async () => {
  db = await emptyDatabase();
  await migrate(db);
  await db.query(`INSERT INTO spaces (id, name, updated_at) VALUES ('spcExpr0000001', 'x', now())`);
});
afterAll(async () => {
  await db?.dispose();
});

let sheet = 0;
async function rowsOf(stored: unknown[]): Promise<string> {
  const id = `dstExpr${String(++sheet).padStart(8, '0')}`;
  await db.query(
    `INSERT INTO nodes (id, space_id, type, name, position, updated_at) VALUES ($1, 'spcExpr0000001', 'DATASHEET', $1, 1, now())`,
    [id],
  );
  await db.query(`INSERT INTO datasheets (id, space_id, updated_at) VALUES ($1, 'spcExpr0000001', now())`, [id]);
  await db.query(
    `INSERT INTO records (id, datasheet_id, cells, position, created_at, created_by, updated_at, updated_by)
     SELECT 'rec' || $1 || '_' || i, $1, c::jsonb, i, now() - make_interval(secs => i), 'usrA', now(), 'usrB'
     FROM unnest($2::text[]) WITH ORDINALITY AS t(c, i)`,
    [id, stored.map((value) => JSON.stringify(value === undefined || value === null ? {} : { [KEY]: value }))],
  );
  return id;
}

function fieldOf(cases: (typeof FIELD_CASES)[number], property?: unknown): FieldDef {
  const module = FIELD_TYPES[cases.type];
  let parsed: unknown = property ?? cases.property;
  try {
    parsed = module.property.parse(parsed, { fieldIds: [KEY, LINK_FIELD] });
  } catch {
    // Property shapes the parser refuses without a datasheet around them (lookups) are used as given.
  }
  return { id: KEY, name: 'f', type: cases.type, property: parsed, isPrimary: false };
}

async function order(field: FieldDef, stored: unknown[]): Promise<{ values: unknown[]; order: number[] }> {
  const datasheetId = await rowsOf(stored);
  const expr = cellExpr(field, FIELD_TYPES[field.type]);
  const rows = await db.query<{ v: unknown; p: number }>(
    `SELECT ${expr.value} AS v, r.position AS p FROM records r WHERE r.datasheet_id = $1 ORDER BY ${expr.sort} NULLS LAST, r.position`,
    [datasheetId],
  );
  return { values: rows.map((r) => r.v), order: rows.map((r) => Number(r.p) - 1) };
}

describe.each(FIELD_CASES.map((c) => [c.type, c] as const))('%s', (_type, cases) => {
  it('value and sort expressions run over every stored shape of its case table', async () => {
    const stored = [...cases.writes.map((w) => w.stored), ...cases.reads.map((r) => r.stored), null];
    const field = fieldOf(cases);
    const result = await order(field, stored);
    expect(result.order).toHaveLength(stored.length);
  });
});

describe('ordering semantics', () => {
  const numberCases = FIELD_CASES.find((c) => c.type === 'Number')!;
  it('numbers sort numerically, empties last', async () => {
    const { order: o } = await order(fieldOf(numberCases), [10, null, 2, -1, 'junk']);
    expect(o.slice(0, 3)).toEqual([3, 2, 0]);
  });

  it('single selects sort by option order, not by name', async () => {
    const cases = FIELD_CASES.find((c) => c.type === 'SingleSelect')!;
    const field = fieldOf(cases, { options: [{ name: 'zeta' }, { name: 'alpha' }] });
    const [zeta, alpha] = (field.property as { options: { id: string }[] }).options;
    const { order: o, values } = await order(field, [alpha!.id, null, zeta!.id]);
    expect(o).toEqual([2, 0, 1]);
    expect(values).toEqual([zeta!.id, alpha!.id, null]);
  });

  it('checkboxes sort unchecked first', async () => {
    const cases = FIELD_CASES.find((c) => c.type === 'Checkbox')!;
    const { order: o } = await order(fieldOf(cases), [true, null, true]);
    expect(o).toEqual([1, 0, 2]);
  });

  it('URLs compare on their text, attachments on their names', async () => {
    const url = await order(fieldOf(FIELD_CASES.find((c) => c.type === 'URL')!), [
      { text: 'https://b' },
      { text: 'https://a', title: 'z' },
    ]);
    expect(url.values).toEqual(['https://a', 'https://b']);
    const files = await order(fieldOf(FIELD_CASES.find((c) => c.type === 'Attachment')!), [
      [{ id: 'atc1', token: 't', name: 'b.png' }],
      [
        { id: 'atc2', token: 't', name: 'a.png' },
        { id: 'atc3', token: 't', name: 'c.png' },
      ],
    ]);
    expect(files.values).toEqual(['a.png, c.png', 'b.png']);
  });

  it('created time comes from the record row, in epoch milliseconds', async () => {
    const cases = FIELD_CASES.find((c) => c.type === 'CreatedTime')!;
    const { order: o, values } = await order(fieldOf(cases), [null, null, null]);
    expect(o).toEqual([2, 1, 0]);
    expect(values.every((v) => typeof v === 'number' && v > 1.7e12)).toBe(true);
  });
});
