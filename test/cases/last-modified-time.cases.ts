import { defineCases, UPDATED_AT } from './field-case.js';

export const lastModifiedTimeCases = defineCases({
  type: 'LastModifiedTime',
  property: { dateFormat: 'YYYY/MM/DD', includeTime: true },
  accepted: [
    { input: { dateFormat: 'YYYY/MM/DD', includeTime: true }, api: { format: 'YYYY/MM/DD hh:mm', includeTime: true } },
    {
      input: { dateFormat: 'YYYY', collectType: 1, fieldIdCollection: ['fldAAAAAAAAAA'] },
      api: { format: 'YYYY', includeTime: false },
    },
    { input: { dateFormat: 'YYYY', collectType: '0' }, api: { format: 'YYYY', includeTime: false } },
  ],
  rejected: [
    { input: null, message: '"value" must be of type object' },
    { input: {}, message: '"dateFormat" is required' },
    { input: { dateFormat: 'YYYY', collectType: 2 }, message: '"collectType" must be one of [0, 1]' },
    { input: { dateFormat: 'YYYY', fieldIdCollection: 'fldA' }, message: '"fieldIdCollection" must be an array' },
  ],
  writes: [],
  failures: [{ value: null, message: "Last Edited Time field can't be edited" }],
  reads: [
    { stored: undefined, json: UPDATED_AT.getTime(), string: '2021/06/15 01:45 PM' },
    { stored: undefined, json: UPDATED_AT.getTime(), string: '2021/06/15 09:45 AM', timeZone: 'America/Toronto' },
  ],
});
