import type { CallNode, FormulaNode, FormulaValue, ValueType } from '../ast.js';
import { compileParseFormat, DEFAULT_DATETIME_FORMAT, formatDate, parseWithFormat } from '../date-format.js';
import {
  addDays,
  checkRange,
  localDayNumber,
  parseDateText,
  startOfDay,
  toLocal,
  trimJs,
  unitOf,
  type DateUnit,
  type ZoneSpec,
} from '../dates.js';
import { FormulaError, FormulaRuntimeError, MESSAGES } from '../errors.js';
import type { Call } from './function.js';
import { dateAdd, dateDiff, isWeekday, startOfUnit, weekdaysBefore, weekNumber } from './date-math.js';
import { checkUnitLiteral, define, literalString, zoneFromLiteral } from './shared.js';

/**
 * Date and time functions (dayjs semantics of the reference, in the formula's zone; dates.ts has the shared rules).
 * A blank first argument gives blank (the reference's DateTime pre-check), except LAST_MODIFIED_TIME.
 */
const datetime = () => 'datetime' as ValueType;
const num = () => 'number' as ValueType;
const text = () => 'string' as ValueType;
const bool = () => 'boolean' as ValueType;

const blankFirst = (call: Call, fn: () => FormulaValue): FormulaValue => (call.value(0) === null ? null : fn());
export const unitArg = (call: Call, i: number, fallback: string): DateUnit => {
  if (i >= call.args.length || call.value(i) === null) return unitOf(fallback);
  const t = call.text(i);
  return unitOf(t === '' ? fallback : t);
};

/** Holidays: the argument's text split on commas, each a date (blank entries and "null" skipped), as day numbers. */
function holidayDays(call: Call, i: number, zone: ZoneSpec): Set<number> {
  if (i >= call.args.length || call.value(i) === null) return new Set();
  const days = new Set<number>();
  for (const part of call.text(i).split(',')) {
    const t = trimJs(part);
    if (t === '' || t === 'null') continue;
    days.add(localDayNumber(parseDateText(t, zone), zone));
  }
  return days;
}

export const MAX_WORKDAYS = 100_000;

function workday(call: Call): number {
  const zone = call.zone(0);
  const start = call.date(0);
  const n = Math.trunc(call.number(1));
  const holidays = holidayDays(call, 2, zone);
  if (Math.abs(n) > MAX_WORKDAYS) throw new FormulaRuntimeError('NaN');
  if (n === 0) return start;
  const step = n > 0 ? 1 : -1;
  let day = localDayNumber(start, zone);
  let left = Math.abs(n);
  while (left > 0) {
    day += step;
    if (isWeekday(day) && !holidays.has(day)) left--;
  }
  return addDays(start, day - localDayNumber(start, zone), zone);
}

function workdayDiff(call: Call): number {
  const zone = call.zone(0);
  const a = localDayNumber(call.date(0), zone);
  const b = localDayNumber(call.date(1), zone);
  const [lo, hi] = a <= b ? [a, b] : [b, a];
  let count = weekdaysBefore(hi + 1) - weekdaysBefore(lo);
  for (const h of holidayDays(call, 2, zone)) if (h >= lo && h <= hi && isWeekday(h)) count--;
  return (a <= b ? count : -count) + 0;
}

function weekStart(call: Call, i: number): 'sunday' | 'monday' {
  if (i >= call.args.length || call.value(i) === null) return 'sunday';
  const t = call.text(i).toLowerCase();
  if (t === 'sunday' || t === 'monday') return t;
  throw new FormulaRuntimeError('NaN');
}

function checkParseFormat(args: readonly FormulaNode[], node: CallNode) {
  if (
    args.length > 1 &&
    literalString(args[1]) === undefined &&
    !(args[1]!.kind === 'call' && args[1]!.name === 'BLANK')
  ) {
    throw new FormulaError(MESSAGES.literalRequired(node.name, 'a text literal as its format'), args[1]!.pos);
  }
}

function checkZone(args: readonly FormulaNode[], node: CallNode) {
  if (args.length > 1 && zoneFromLiteral(args[1]) === undefined) {
    throw new FormulaError(
      MESSAGES.literalRequired(node.name, 'a literal time zone (hours offset or zone name)'),
      args[1]!.pos,
    );
  }
}

/** DATETIME_PARSE: datetimes pass, numbers are timestamps, text is parsed (with the literal format when given). */
function parseDate(call: Call): number {
  const type = call.args[0]!.type;
  const zone = call.zone(0);
  if (type === 'datetime') return checkRange(call.value(0) as number);
  if (type === 'number') return checkRange(Math.trunc(call.value(0) as number));
  const format = literalString(call.args[1]);
  if (format) return parseWithFormat(call.text(0), compileParseFormat(format), zone, call.env.now);
  return parseDateText(call.text(0), zone);
}

const partFn = (
  name: 'YEAR' | 'MONTH' | 'DAY' | 'HOUR' | 'MINUTE' | 'SECOND',
  part: 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second',
) =>
  define(name, {
    category: 'date-time',
    params: { min: 1, max: 1 },
    returns: num,
    evaluate: (call) => blankFirst(call, () => toLocal(call.date(0), call.zone(0))[part]),
  });

const relativeFn = (name: 'TONOW' | 'FROMNOW') =>
  define(name, {
    category: 'date-time',
    params: { min: 2, max: 2 },
    returns: num,
    validate: (args, node) => checkUnitLiteral(args, 1, node),
    evaluate: (call) =>
      blankFirst(
        call,
        () => Math.abs(Math.trunc(dateDiff(call.env.now, call.date(0), unitArg(call, 1, 'days'), call.zone(0)))) + 0,
      ),
  });

const compareFn = (name: 'IS_AFTER' | 'IS_BEFORE') =>
  define(name, {
    category: 'date-time',
    params: { min: 2, max: 2 },
    returns: bool,
    evaluate: (call) => {
      if (call.value(0) === null || call.value(1) === null) return null;
      const a = call.date(0);
      const b = call.date(1);
      return name === 'IS_AFTER' ? a > b : a < b;
    },
  });

export const DATE_TIME_FUNCTIONS = {
  TODAY: define('TODAY', {
    category: 'date-time',
    params: { min: 0, max: 0 },
    returns: datetime,
    evaluate: (call) => startOfDay(call.env.now, call.env.zone),
  }),
  NOW: define('NOW', {
    category: 'date-time',
    params: { min: 0, max: 0 },
    returns: datetime,
    evaluate: (call) => call.env.now,
  }),
  TONOW: relativeFn('TONOW'),
  FROMNOW: relativeFn('FROMNOW'),
  DATEADD: define('DATEADD', {
    category: 'date-time',
    params: { min: 3, max: 3 },
    returns: datetime,
    validate: (args, node) => checkUnitLiteral(args, 2, node),
    evaluate: (call) =>
      blankFirst(call, () => dateAdd(call.date(0), call.number(1), unitOf(call.text(2)), call.zone(0))),
  }),
  DATETIME_DIFF: define('DATETIME_DIFF', {
    category: 'date-time',
    params: { min: 2, max: 3 },
    returns: num,
    validate: (args, node) => checkUnitLiteral(args, 2, node),
    evaluate: (call) => {
      if (call.value(0) === null || call.value(1) === null) return null;
      return dateDiff(call.date(0), call.date(1), unitArg(call, 2, 'days'), call.zone(0)) + 0;
    },
  }),
  WORKDAY: define('WORKDAY', {
    category: 'date-time',
    params: { min: 2, max: 3 },
    returns: datetime,
    evaluate: (call) => blankFirst(call, () => workday(call)),
  }),
  WORKDAY_DIFF: define('WORKDAY_DIFF', {
    category: 'date-time',
    params: { min: 2, max: 3 },
    returns: num,
    evaluate: (call) => blankFirst(call, () => workdayDiff(call)),
  }),
  IS_AFTER: compareFn('IS_AFTER'),
  IS_BEFORE: compareFn('IS_BEFORE'),
  IS_SAME: define('IS_SAME', {
    category: 'date-time',
    params: { min: 2, max: 3 },
    returns: bool,
    validate: (args, node) => checkUnitLiteral(args, 2, node),
    evaluate: (call) =>
      blankFirst(call, () => {
        const unit = unitArg(call, 2, 'ms');
        const zone = call.zone(0);
        return startOfUnit(call.date(0), unit, zone) === startOfUnit(call.date(1), unit, zone);
      }),
  }),
  DATETIME_FORMAT: define('DATETIME_FORMAT', {
    category: 'date-time',
    params: { min: 1, max: 2 },
    returns: text,
    evaluate: (call) =>
      blankFirst(call, () => {
        const format = call.args.length > 1 ? call.text(1) : '';
        return formatDate(call.date(0), format || DEFAULT_DATETIME_FORMAT, call.zone(0));
      }),
  }),
  DATETIME_PARSE: define('DATETIME_PARSE', {
    category: 'date-time',
    params: { min: 1, max: 2 },
    returns: datetime,
    validate: checkParseFormat,
    evaluate: (call) => blankFirst(call, () => parseDate(call)),
  }),
  DATESTR: define('DATESTR', {
    category: 'date-time',
    params: { min: 1, max: 1 },
    returns: text,
    evaluate: (call) => blankFirst(call, () => formatDate(call.date(0), 'YYYY-MM-DD', call.zone(0))),
  }),
  TIMESTR: define('TIMESTR', {
    category: 'date-time',
    params: { min: 1, max: 1 },
    returns: text,
    evaluate: (call) => blankFirst(call, () => formatDate(call.date(0), 'HH:mm:ss', call.zone(0))),
  }),
  YEAR: partFn('YEAR', 'year'),
  MONTH: partFn('MONTH', 'month'),
  WEEKDAY: define('WEEKDAY', {
    category: 'date-time',
    params: { min: 1, max: 2 },
    returns: num,
    evaluate: (call) =>
      blankFirst(call, () => {
        const day = toLocal(call.date(0), call.zone(0)).weekday;
        const monday = call.args.length > 1 && call.value(1) !== null && call.text(1).toLowerCase() === 'monday';
        return monday ? (day + 6) % 7 : day;
      }),
  }),
  WEEKNUM: define('WEEKNUM', {
    category: 'date-time',
    params: { min: 1, max: 2 },
    returns: num,
    evaluate: (call) => blankFirst(call, () => weekNumber(call.date(0), weekStart(call, 1) === 'monday', call.zone(0))),
  }),
  DAY: partFn('DAY', 'day'),
  HOUR: partFn('HOUR', 'hour'),
  MINUTE: partFn('MINUTE', 'minute'),
  SECOND: partFn('SECOND', 'second'),
  SET_LOCALE: define('SET_LOCALE', {
    category: 'date-time',
    params: { min: 1, max: 2 },
    returns: datetime,
    // Month and weekday names stay English; the date itself is unchanged.
    evaluate: (call) => blankFirst(call, () => call.date(0)),
  }),
  SET_TIMEZONE: define('SET_TIMEZONE', {
    category: 'date-time',
    params: { min: 1, max: 2 },
    returns: datetime,
    validate: checkZone,
    // The instant is unchanged; date functions applied directly to it read it in the given zone.
    evaluate: (call) => blankFirst(call, () => call.date(0)),
  }),
  CREATED_TIME: define('CREATED_TIME', {
    category: 'date-time',
    params: { min: 0, max: 0 },
    returns: datetime,
    evaluate: (call) => Math.floor(call.env.record.createdAt.getTime()),
  }),
  LAST_MODIFIED_TIME: define('LAST_MODIFIED_TIME', {
    category: 'date-time',
    params: { min: 0 },
    returns: datetime,
    // Per-field modification times are not tracked: the record's update time, whatever fields are named.
    evaluate: (call) => Math.floor(call.env.record.updatedAt.getTime()),
  }),
};
