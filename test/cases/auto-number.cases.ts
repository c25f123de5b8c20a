import { defineCases } from './field-case.js';

export const autoNumberCases = defineCases({
  type: 'AutoNumber',
  property: undefined,
  accepted: [{ input: undefined, api: undefined }],
  rejected: [{ input: { nextId: 1 }, message: 'AutoNumber not support set property' }],
  writes: [],
  failures: [{ value: 5, message: "Autonumber field can't be edited" }],
  reads: [
    { stored: 12, json: 12, string: '12' },
    { stored: undefined, json: undefined, string: null },
  ],
});
