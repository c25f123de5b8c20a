import { CREATED_AT, defineCases } from './field-case.js';

export const createdTimeCases = defineCases({
  type: 'CreatedTime',
  property: { dateFormat: 'YYYY-MM-DD', timeFormat: 'HH:mm', includeTime: true },
  accepted: [
    {
      input: { dateFormat: 'YYYY-MM-DD', timeFormat: 'HH:mm', includeTime: true },
      api: { format: 'YYYY-MM-DD HH:mm', includeTime: true },
    },
    // No autoFill for computed times; time zone keys are discarded.
    {
      input: { dateFormat: 'YYYY/MM/DD', autoFill: true, timeZone: 'Asia/Tokyo' },
      api: { format: 'YYYY/MM/DD', includeTime: false },
    },
  ],
  rejected: [
    { input: null, message: '"value" must be of type object' },
    { input: {}, message: '"dateFormat" is required' },
    {
      input: { dateFormat: 'YYYY', timeFormat: 'HH:mm:ss' },
      message: '"timeFormat" must be one of [0, 1, HH:mm, hh:mm]',
    },
  ],
  writes: [],
  failures: [{ value: 1609459200000, message: "Created Time field can't be edited" }],
  // The record's creation time, whatever the cell holds.
  reads: [
    { stored: undefined, json: CREATED_AT.getTime(), string: '2021-01-01 00:00' },
    { stored: 5, json: CREATED_AT.getTime(), string: '2020-12-31 19:00', timeZone: 'America/Toronto' },
    {
      stored: undefined,
      json: 1700000000000,
      string: '2023/11/15 06:13 AM',
      property: { dateFormat: 'YYYY/MM/DD', includeTime: true },
      timeZone: 'Asia/Shanghai',
      record: { createdAt: new Date(1700000000000) },
    },
  ],
});
