import { describe, expect, it } from 'vitest';
import { CellError } from '../../../src/domain/fields/field-type.js';
import { dateTimeField } from '../../../src/domain/fields/types/date-time.field.js';
import { KEY } from '../../cases/field-case.js';
import { makeField, thrown, writeContext } from './support.js';

const ZONES = ['UTC', 'Asia/Shanghai', 'America/Toronto'] as const;
type Zone = (typeof ZONES)[number];

const at = (iso: string) => Date.parse(iso);
const same = (iso: string): Record<Zone, number> => ({
  UTC: at(iso),
  'Asia/Shanghai': at(iso),
  'America/Toronto': at(iso),
});
/** Midnight 2021-01-01 as a wall clock in each default zone. */
const NEW_YEAR: Record<Zone, number> = {
  UTC: at('2021-01-01T00:00Z'),
  'Asia/Shanghai': at('2020-12-31T16:00Z'),
  'America/Toronto': at('2021-01-01T05:00Z'),
};

/** aitable-fusion-api.md §8.4, row by row: input → stored epoch ms per server default zone. */
const TABLE: { input: unknown; fieldTimeZone?: string; expected: Record<Zone, number> | 'rejected' }[] = [
  { input: 1609459200000, expected: same('2021-01-01T00:00Z') },
  { input: '1609459200000', expected: 'rejected' },
  { input: 2021, expected: NEW_YEAR },
  { input: '2021', expected: NEW_YEAR },
  { input: 20210101, expected: NEW_YEAR },
  { input: 1700000000, expected: { UTC: 1700000000, 'Asia/Shanghai': 1700000000, 'America/Toronto': 1700000000 } },
  { input: '2021-01-01', expected: NEW_YEAR },
  { input: '2021-01-01 00:00:00', expected: NEW_YEAR },
  { input: '2021-01-01T00:00:00Z', expected: NEW_YEAR },
  { input: '2021-01-01T00:00:00.000Z', expected: NEW_YEAR },
  { input: '2021-01-01T08:00:00+08:00', expected: NEW_YEAR },
  { input: '2021-01-01T00:00:00Z', fieldTimeZone: 'Asia/Tokyo', expected: same('2020-12-31T15:00Z') },
  { input: 'Fri, 01 Jan 2021 00:00:00 GMT', expected: NEW_YEAR },
  { input: '01/02/2021', expected: same('2021-01-02T00:00Z') },
  { input: 'abc', expected: 'rejected' },
  { input: true, expected: 'rejected' },
];

/** Rows beyond the table: the reference's own spec, moment's ISO / RFC 2822 grammar, and our number rule. */
const MORE: typeof TABLE = [
  // room-server date.time.field.spec.ts: a space before the offset is not ISO; the Date fallback keeps the offset.
  { input: '2020-09-12 18:37 +0800', expected: same('2020-09-12T10:37Z') },
  { input: 55521445, expected: { UTC: 55521445, 'Asia/Shanghai': 55521445, 'America/Toronto': 55521445 } },
  // A naive string ignores the field's zone.
  { input: '2021-01-01 00:00', fieldTimeZone: 'Asia/Tokyo', expected: NEW_YEAR },
  { input: '2021-01-01T05:00:00-05:00', fieldTimeZone: 'UTC', expected: same('2021-01-01T10:00Z') },
  { input: '20210101T000000Z', expected: NEW_YEAR },
  { input: '2021-001', expected: NEW_YEAR },
  { input: 2021001, expected: NEW_YEAR },
  { input: 202101, expected: NEW_YEAR },
  { input: '2021-01', expected: NEW_YEAR },
  {
    input: '2021-01-01T24:00',
    expected: {
      UTC: at('2021-01-02T00:00Z'),
      'Asia/Shanghai': at('2021-01-01T16:00Z'),
      'America/Toronto': at('2021-01-02T05:00Z'),
    },
  },
  {
    input: '2021-01-01T12:30:45,5',
    expected: {
      UTC: at('2021-01-01T12:30:45.500Z'),
      'Asia/Shanghai': at('2021-01-01T04:30:45.500Z'),
      'America/Toronto': at('2021-01-01T17:30:45.500Z'),
    },
  },
  // Overflowing ISO dates are invalid; as numbers they stay epoch ms.
  { input: '2021-02-30', expected: 'rejected' },
  { input: '2021-01-01T25:00', expected: 'rejected' },
  { input: 20211301, expected: { UTC: 20211301, 'Asia/Shanghai': 20211301, 'America/Toronto': 20211301 } },
  // Not a date string, whatever the Date fallback of the reference would make of it: kept as epoch ms.
  { input: 0, expected: { UTC: 0, 'Asia/Shanghai': 0, 'America/Toronto': 0 } },
  { input: -5, expected: { UTC: -5, 'Asia/Shanghai': -5, 'America/Toronto': -5 } },
  // RFC 2822: obsolete zone names, numeric offsets, optional weekday that must be right.
  {
    input: '1 Jan 2021 00:00 EST',
    expected: {
      UTC: at('2021-01-01T05:00Z'),
      'Asia/Shanghai': at('2020-12-31T21:00Z'),
      'America/Toronto': at('2021-01-01T10:00Z'),
    },
  },
  { input: 'Fri, 01 Jan 21 08:00:00 +0800', expected: NEW_YEAR },
  // A wrong weekday is not RFC 2822 for moment: the Date fallback reads it, with no zone shift.
  { input: 'Sat, 01 Jan 2021 00:00:00 GMT', expected: same('2021-01-01T00:00Z') },
  { input: '/Date(1609459200000)/', expected: same('2021-01-01T00:00Z') },
  { input: '', expected: 'rejected' },
  { input: ['2021'], expected: 'rejected' },
];

describe('DateTime writes (§8.4)', () => {
  describe.each(ZONES)('server default zone %s', (zone) => {
    it.each([...TABLE, ...MORE].map((row) => [JSON.stringify(row.input), row.fieldTimeZone ?? '-', row] as const))(
      '%s (field zone %s)',
      (_label, _fieldZone, row) => {
        const field = makeField('DateTime', { dateFormat: 'YYYY-MM-DD', includeTime: true });
        if (row.fieldTimeZone) field.property = { ...(field.property as object), timeZone: row.fieldTimeZone };
        const write = () => dateTimeField.write(row.input, field as never, writeContext(field, zone));
        if (row.expected === 'rejected') {
          const error = thrown(write);
          expect(error).toBeInstanceOf(CellError);
          expect(error.message).toBe(`field:${KEY} Date field value must be a UTC or timestamp`);
        } else {
          expect(write().value).toBe(row.expected[zone]);
        }
      },
    );
  });
});

describe('DateTime reads in the field zone', () => {
  it('formats in the field zone over the reader zone, and appends the zone when asked', () => {
    const field = makeField('DateTime', { dateFormat: 'YYYY-MM-DD', includeTime: true, timeFormat: 'HH:mm' });
    field.property = { ...(field.property as object), timeZone: 'Asia/Tokyo' };
    const ctx = { timeZone: 'UTC' } as Parameters<typeof dateTimeField.read.string>[2];
    expect(dateTimeField.read.string(1609459200000, field as never, ctx)).toBe('2021-01-01 09:00');
    field.property = { ...(field.property as object), includeTimeZone: true };
    expect(dateTimeField.read.string(1609459200000, field as never, ctx)).toBe('2021-01-01 09:00 (GMT+9)');
  });
});
