import type { FieldDef, FieldType } from '../../../src/domain/fields/field-type.js';
import { FIELD_TYPES } from '../../../src/domain/fields/registry.js';
import type { FormulaRecord } from '../../../src/domain/formula/index.js';

/**
 * A small datasheet for the formula tests: one field of each type the compiler must handle, and records covering
 * empty cells, edge values and text with special characters. Shared by the unit and the database tests.
 */
const ids: Record<string, string> = {};
function field(name: string, type: FieldType, property: unknown): FieldDef {
  const id = `fld${name
    .replace(/[^A-Za-z0-9]/g, '')
    .padEnd(10, 'X')
    .slice(0, 10)}`;
  ids[name] = id;
  const module = FIELD_TYPES[type];
  return { id, name, type, property: module.property.parse(property, { fieldIds: [] }), isPrimary: false };
}

export const FIELDS: FieldDef[] = [
  field('Title', 'SingleText', {}),
  field('Notes', 'Text', undefined),
  field('Qty', 'Number', { precision: 2 }),
  field('Price', 'Currency', { precision: 2, symbol: '$' }),
  field('Rate', 'Percent', { precision: 1 }),
  field('Done', 'Checkbox', { icon: 'white_check_mark' }),
  field('Status', 'SingleSelect', { options: [{ name: 'Todo' }, { name: 'Doing' }, { name: 'Done' }] }),
  field('Tags', 'MultiSelect', { options: [{ name: 'red' }, { name: 'green' }, { name: 'blue' }, { name: '12' }] }),
  field('Due Date', 'DateTime', { dateFormat: 'YYYY-MM-DD', timeFormat: 'HH:mm', includeTime: true }),
  field('Stars', 'Rating', { icon: 'star', max: 5 }),
  field('Seq', 'AutoNumber', undefined),
  field('Created', 'CreatedTime', { dateFormat: 'YYYY/MM/DD' }),
];

export const FIELD_ID = ids;

const option = (fieldName: string, name: string) => {
  const f = FIELDS.find((x) => x.name === fieldName)!;
  return (f.property as { options: { id: string; name: string }[] }).options.find((o) => o.name === name)!.id;
};
export const optionId = option;

/** ctx.now and ctx.timeZone of the tests (a zone without DST, not UTC). */
export const NOW = new Date(Date.UTC(2024, 5, 15, 9, 30, 15, 250));
export const TIME_ZONE = 'Asia/Shanghai';

const base = Date.UTC(2024, 0, 10, 2, 3, 4, 5);

export interface RowInput {
  Title?: string | null;
  Notes?: string | null;
  Qty?: number | null;
  Price?: number | null;
  Rate?: number | null;
  Done?: boolean | null;
  Status?: string | null;
  Tags?: string[] | null;
  'Due Date'?: number | null;
  Stars?: number | null;
  Seq?: number | null;
}

/** Stored cells from display values (option names become ids). */
export function cellsOf(row: RowInput): Record<string, unknown> {
  const cells: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(row)) {
    if (value === null || value === undefined) continue;
    if (name === 'Status') cells[ids[name]!] = option('Status', value as string);
    else if (name === 'Tags') cells[ids[name]!] = (value as string[]).map((t) => option('Tags', t));
    else if (name === 'Done') {
      if (value) cells[ids[name]!] = true;
    } else cells[ids[name]!] = value;
  }
  return cells;
}

export function makeRecord(index: number, row: RowInput, createdAt = base + index * 3_600_000): FormulaRecord {
  return {
    id: `rec${String(index).padStart(10, '0')}`,
    cells: cellsOf(row),
    createdAt: new Date(createdAt),
    updatedAt: new Date(createdAt + 1234),
  };
}

export const ROWS: RowInput[] = [
  {
    Title: 'Alpha',
    Notes: 'line 1\nline 2',
    Qty: 5,
    Price: 12.5,
    Rate: 0.25,
    Done: true,
    Status: 'Todo',
    Tags: ['red', 'green'],
    'Due Date': Date.UTC(2024, 0, 31, 16, 0),
    Stars: 3,
    Seq: 1,
  },
  {
    Title: 'beta',
    Qty: 0,
    Price: 0.1,
    Rate: 1,
    Done: false,
    Status: 'Done',
    Tags: ['blue'],
    'Due Date': Date.UTC(2024, 1, 29, 0, 0),
    Stars: 0,
    Seq: 2,
  },
  { Seq: 3 },
  {
    Title: '',
    Notes: '  padded  ',
    Qty: -2.75,
    Price: 1234.5678,
    Rate: 0.333,
    Status: 'Doing',
    Tags: ['12', 'red'],
    'Due Date': Date.UTC(2023, 11, 31, 15, 59, 59, 999),
    Stars: 5,
    Seq: 4,
  },
  {
    Title: '12.5',
    Notes: 'Ünïcödé 😀 “quoted” \\ {braces}',
    Qty: 1e21,
    Price: -0.005,
    Rate: 0,
    Tags: ['green', 'green'],
    'Due Date': Date.UTC(2024, 5, 15, 1, 0),
    Stars: 1,
    Seq: 5,
  },
  {
    Title: '2024-03-01',
    Notes: 'a,b,,c',
    Qty: 0.1,
    Price: 0.2,
    Rate: 0.3,
    Done: true,
    'Due Date': Date.UTC(1999, 11, 31, 23, 59),
    Stars: 2,
    Seq: 6,
  },
  { Title: 'x', Qty: 123456.789, Price: 1e-7, Rate: -0.5, Status: 'Done', 'Due Date': 0, Stars: 4, Seq: 7 },
  {
    Title: 'TRUE',
    Notes: 'true',
    Qty: 3,
    Price: 3,
    Done: true,
    Status: 'Todo',
    Tags: ['blue', 'red', 'green', '12'],
    'Due Date': Date.UTC(2024, 6, 6, 12, 30),
    Seq: 8,
  },
];

export const RECORDS: FormulaRecord[] = ROWS.map((row, i) => makeRecord(i + 1, row));
