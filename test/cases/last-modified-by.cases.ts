import { BOB, defineCases } from './field-case.js';

export const lastModifiedByCases = defineCases({
  type: 'LastModifiedBy',
  property: {},
  accepted: [
    { input: {}, api: { options: [] } },
    { input: { collectType: 1, fieldIdCollection: ['fldAAAAAAAAAA'] }, api: { options: [] } },
  ],
  rejected: [
    { input: null, message: '"value" must be of type object' },
    { input: { collectType: 'x' }, message: '"collectType" must be a number' },
  ],
  writes: [],
  failures: [{ value: 'Bob', message: "Last Edited By field can't be edited" }],
  reads: [
    { stored: undefined, json: { id: BOB, name: 'Bob' }, string: 'Bob' },
    { stored: undefined, json: undefined, string: null, record: { updatedBy: null } },
  ],
});
