import { defineCases, KEY, NOW } from './field-case.js';

const message = `field:${KEY} Date field value must be a UTC or timestamp`;
const DATE_FORMATS = '[0, 1, 2, 3, 4, 5, 6, 7, YYYY/MM/DD, YYYY-MM-DD, DD/MM/YYYY, YYYY-MM, MM-DD, YYYY, MM, DD]';

/** The §8.4 rows are in test/unit/fields/date-time.test.ts. */
export const dateTimeCases = defineCases({
  type: 'DateTime',
  property: { dateFormat: 'YYYY-MM-DD', timeFormat: 'HH:mm', includeTime: true },
  accepted: [
    {
      input: { dateFormat: 'YYYY-MM-DD', timeFormat: 'HH:mm', includeTime: true },
      api: { format: 'YYYY-MM-DD HH:mm', includeTime: true },
    },
    { input: { dateFormat: 'YYYY/MM/DD' }, api: { format: 'YYYY/MM/DD', includeTime: false } },
    { input: { dateFormat: '2', includeTime: 'true' }, api: { format: 'DD/MM/YYYY hh:mm', includeTime: true } },
    {
      input: { dateFormat: 'MM-DD', timeFormat: '0', includeTime: true },
      api: { format: 'MM-DD HH:mm', includeTime: true },
    },
    // Time zone keys are accepted and discarded on create.
    {
      input: { dateFormat: 'YYYY', autoFill: true, timeZone: 'Asia/Tokyo', includeTimeZone: true },
      api: { format: 'YYYY', includeTime: false, autoFill: true },
    },
    {
      input: { dateFormat: 'DD' },
      existing: { dateFormat: 'DD', timeFormat: 'hh:mm', includeTime: false, autoFill: false, timeZone: 'Asia/Tokyo' },
      api: { format: 'DD', includeTime: false, timeZone: 'Asia/Tokyo' },
    },
  ],
  rejected: [
    { input: null, message: '"value" must be of type object' },
    { input: {}, message: '"dateFormat" is required' },
    { input: { dateFormat: 'YY' }, message: `"dateFormat" must be one of ${DATE_FORMATS}` },
    { input: { dateFormat: 0 }, message: `"dateFormat" must be one of ${DATE_FORMATS}` },
    { input: { dateFormat: 'YYYY', timeFormat: 'h:mm' }, message: '"timeFormat" must be one of [0, 1, HH:mm, hh:mm]' },
    { input: { dateFormat: 'YYYY', includeTime: 'yes' }, message: '"includeTime" must be a boolean' },
    { input: { dateFormat: 'YYYY', autoFill: 1 }, message: '"autoFill" must be a boolean' },
  ],
  writes: [
    { value: 1609459200000, stored: 1609459200000, json: 1609459200000, string: '2021-01-01 00:00' },
    { value: '2021-01-01T08:00:00+08:00', stored: 1609459200000, json: 1609459200000, string: '2021-01-01 00:00' },
    {
      value: 1609504200000,
      stored: 1609504200000,
      json: 1609504200000,
      string: '2021/01/01 12:30 PM',
      property: { dateFormat: 'YYYY/MM/DD', includeTime: true },
    },
    {
      value: 1609504200000,
      stored: 1609504200000,
      json: 1609504200000,
      string: '01/01/2021 08:30 PM',
      property: { dateFormat: 'DD/MM/YYYY', includeTime: true },
      timeZone: 'Asia/Shanghai',
    },
    {
      value: 1609459200000,
      stored: 1609459200000,
      json: 1609459200000,
      string: '12-31',
      property: { dateFormat: 'MM-DD' },
      timeZone: 'America/Toronto',
    },
    {
      value: '2021-03-04',
      stored: 1614816000000,
      json: 1614816000000,
      string: '2021-03',
      property: { dateFormat: 'YYYY-MM' },
    },
    { value: 1614816000000, stored: 1614816000000, json: 1614816000000, string: '03', property: { dateFormat: 'MM' } },
    { value: 1614816000000, stored: 1614816000000, json: 1614816000000, string: '04', property: { dateFormat: 'DD' } },
    {
      value: 1614816000000,
      stored: 1614816000000,
      json: 1614816000000,
      string: '2021',
      property: { dateFormat: 'YYYY' },
    },
  ],
  failures: [
    { value: 'abc', message },
    { value: '1609459200000', message },
    { value: '', message },
    { value: '2021-13-01', message },
    { value: true, message },
    { value: {}, message },
  ],
  // A zero timestamp renders as nothing in the reference (a falsy check).
  reads: [{ stored: 0, json: 0, string: null }],
  defaults: [
    { property: { dateFormat: 'YYYY', autoFill: true }, value: NOW.getTime() },
    { property: { dateFormat: 'YYYY' }, value: null },
  ],
});
