import { defineCases, KEY } from './field-case.js';

const message = `field:${KEY} Single Select field value must be string`;

export const cascaderCases = defineCases({
  type: 'Cascader',
  property: {},
  accepted: [
    { input: {}, api: { showAll: false, linkedDatasheetId: '', linkedViewId: '', linkedFields: [] } },
    {
      input: {
        showAll: true,
        linkedDatasheetId: 'dstAAAAAAAAAA',
        linkedViewId: 'viwAAAAAAAAAA',
        linkedFields: [{ id: 'fldAAAAAAAAAA', name: 'Country', type: 19 }],
      },
      api: {
        showAll: true,
        linkedDatasheetId: 'dstAAAAAAAAAA',
        linkedViewId: 'viwAAAAAAAAAA',
        linkedFields: [{ id: 'fldAAAAAAAAAA', name: 'Country', type: 19 }],
      },
    },
  ],
  rejected: [
    { input: null, message: '"value" must be of type object' },
    { input: { showAll: 'x' }, message: '"showAll" must be a boolean' },
  ],
  writes: [
    // Only the last level shows unless showAll.
    { value: 'Asia/China/Beijing', stored: 'Asia/China/Beijing', json: 'Beijing', string: 'Beijing' },
    {
      value: 'Asia/China',
      stored: 'Asia/China',
      json: 'Asia/China',
      string: 'Asia/China',
      property: { showAll: true },
    },
    { value: '', stored: null, json: undefined, string: null },
  ],
  failures: [
    { value: 1, message },
    { value: ['Asia'], message },
  ],
  reads: [],
});
