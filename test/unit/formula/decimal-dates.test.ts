import { describe, expect, it } from 'vitest';
import { compileParseFormat, tokenizeFormat } from '../../../src/domain/formula/date-format.js';
import { fromLocal, parseDateText, toLocal, type ZoneSpec } from '../../../src/domain/formula/dates.js';
import {
  decDiv,
  decFromNumber,
  decFromString,
  decMod,
  decRound,
  decToMultiple,
  decToNumber,
} from '../../../src/domain/formula/decimal.js';
import { FormulaRuntimeError } from '../../../src/domain/formula/errors.js';
import { compareText, numberText, parseNumberText } from '../../../src/domain/formula/values.js';

const n = (text: string) => decToNumber(decFromString(text)!);

describe('decimal arithmetic', () => {
  it('reads doubles as the decimals they print as', () => {
    expect(decFromNumber(0.1)).toEqual({ m: 1n, e: -1 });
    expect(decFromNumber(1e21)).toEqual({ m: 1n, e: 21 });
    expect(decFromNumber(-1.5e-7)).toEqual({ m: -15n, e: -8 });
    expect(decFromString('+.5')).toEqual({ m: 5n, e: -1 });
    expect(decFromString('abc')).toBeUndefined();
  });

  it('rounds once to a double, with the range rule', () => {
    expect(n('0.30000000000000000001')).toBe(0.3);
    expect(n('9.99e307')).toBe(9.99e307);
    expect(() => n('1e308')).toThrow(FormulaRuntimeError);
    expect(n('9.9e-309')).toBe(0);
    expect(n('1e-308')).toBe(1e-308);
  });

  it('divides keeping 40 significant digits', () => {
    expect(decToNumber(decDiv(decFromNumber(1), decFromNumber(3)))).toBe(1 / 3);
    expect(decToNumber(decDiv(decFromNumber(0.3), decFromNumber(0.1)))).toBe(3);
    expect(decToNumber(decDiv(decFromNumber(-7), decFromNumber(2)))).toBe(-3.5);
    expect(decToNumber(decDiv(decFromNumber(1e300), decFromNumber(1e-7)))).toBe(1e307);
  });

  it('takes remainders and multiples exactly', () => {
    expect(decToNumber(decMod(decFromNumber(-7), decFromNumber(3)))).toBe(-1);
    expect(decToNumber(decToMultiple(decFromNumber(1.01), decFromNumber(0.1), 'ceil'))).toBe(1.1);
    expect(decToNumber(decToMultiple(decFromNumber(-1.01), decFromNumber(0.1), 'floor'))).toBe(-1.1);
    expect(decToNumber(decRound(decFromNumber(2.675), 2, 'half-up'))).toBe(2.68);
    expect(decToNumber(decRound(decFromNumber(-2.5), 0, 'half-up'))).toBe(-2);
    expect(decToNumber(decRound(decFromNumber(-2.1), 0, 'up'))).toBe(-3);
    expect(decToNumber(decRound(decFromNumber(-2.9), 0, 'down'))).toBe(-2);
  });
});

describe('values', () => {
  it.each([
    ['5', 5],
    [' 5 ', 5],
    ['', 0],
    ['-1.5e3', -1500],
    ['.5', 0.5],
    ['5.', 5],
    ['0x10', undefined],
    ['Infinity', undefined],
    ['1e99999', undefined],
    ['1,000', undefined],
  ])('parseNumberText(%j) = %s', (text, expected) => {
    expect(parseNumberText(text)).toBe(expected);
  });

  it('prints numbers as JavaScript does', () => {
    expect([1e21, 1.5e-7, 0.000001, 123.45, -0, 100].map(numberText)).toEqual([
      '1e+21',
      '1.5e-7',
      '0.000001',
      '123.45',
      '0',
      '100',
    ]);
  });

  it('orders text by code points', () => {
    expect(compareText('\uffff', '😀')).toBe(-1);
    expect(compareText('a', 'B')).toBe(1);
    expect(compareText('a', 'a')).toBe(0);
    expect(compareText('a', 'ab')).toBe(-1);
  });
});

describe('dates', () => {
  const ny: ZoneSpec = { kind: 'iana', name: 'America/New_York' };
  const wall = { year: 2024, month: 3, day: 10, hour: 2, minute: 30, second: 0, millisecond: 0 };

  it('resolves wall-clock times in DST gaps and overlaps as PostgreSQL does', () => {
    expect(new Date(fromLocal(wall, ny)).toISOString()).toBe('2024-03-10T07:30:00.000Z');
    expect(new Date(fromLocal({ ...wall, month: 11, day: 3, hour: 1 }, ny)).toISOString()).toBe(
      '2024-11-03T06:30:00.000Z',
    );
    expect(new Date(fromLocal({ ...wall, month: 7, day: 1 }, { kind: 'offset', minutes: -150 })).toISOString()).toBe(
      '2024-07-01T05:00:00.000Z',
    );
  });

  it('reads wall-clock parts', () => {
    expect(toLocal(Date.UTC(2024, 0, 1, 3), ny)).toMatchObject({
      year: 2023,
      month: 12,
      day: 31,
      hour: 22,
      weekday: 0,
    });
    expect(() => toLocal(Date.UTC(10000, 0, 1), ny)).toThrow(FormulaRuntimeError);
  });

  it.each([
    ['2024-01-05', Date.UTC(2024, 0, 5, 5)],
    ['2024/1/5 7:08', Date.UTC(2024, 0, 5, 12, 8)],
    ['2024-01-05T07:08:09.1234Z', Date.UTC(2024, 0, 5, 7, 8, 9, 123)],
    ['2024-01-05 07:08 +0530', Date.UTC(2024, 0, 5, 1, 38)],
    ['  1700000000000 ', 1_700_000_000_000],
  ])('parses %j', (text, ms) => {
    expect(parseDateText(text, ny)).toBe(ms);
  });

  it.each(['2024-13-01', '2024-02-30', '2024-01-01 24:00', 'Jan 5 2024', '05/01/2024', ''])('refuses %j', (text) => {
    expect(() => parseDateText(text, ny)).toThrow(FormulaRuntimeError);
  });

  it('tokenizes formats longest first, with [literal] text', () => {
    expect(tokenizeFormat('YYYYY-MM [at] hh:mm')).toEqual(['YYYY', 'Y', '-', 'MM', ' ', '[at]', ' ', 'hh', ':', 'mm']);
    expect(compileParseFormat('DD.MM.YYYY')).toEqual({
      pattern: '^([0-9]{2})\\.([0-9]{2})\\.([0-9]{4})$',
      slots: ['day', 'month', 'year'],
    });
  });
});
