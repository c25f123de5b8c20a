import { defineCases } from './field-case.js';

export const formulaCases = defineCases({
  type: 'Formula',
  property: { expression: '{fldAAAAAAAAAA} & "!"' },
  accepted: [
    {
      input: { expression: '{fldAAAAAAAAAA} * 2' },
      api: { expression: '{fldAAAAAAAAAA} * 2', valueType: 'String', hasError: false },
    },
    { input: {}, api: { expression: '', valueType: 'String', hasError: false } },
    // Name references are stored verbatim, as the reference does.
    {
      input: { expression: '{Price} + 1', format: { precision: 2 } },
      api: { expression: '{Price} + 1', valueType: 'String', hasError: false },
    },
  ],
  rejected: [
    { input: null, message: '"value" must be of type object' },
    { input: { expression: 1 }, message: '"expression" must be a string' },
    {
      input: { format: { dateFormat: 'YY' } },
      message:
        '"format.dateFormat" must be one of [0, 1, 2, 3, 4, 5, 6, 7, YYYY/MM/DD, YYYY-MM-DD, DD/MM/YYYY, YYYY-MM, MM-DD, YYYY, MM, DD]',
    },
    { input: { format: 'x' }, message: '"format" must be of type object' },
  ],
  writes: [],
  failures: [
    { value: 'x', message: "Formula field can't be edited" },
    { value: 1, message: "Formula field can't be edited" },
  ],
  reads: [
    { stored: 'abc', json: 'abc', string: 'abc' },
    { stored: 42.5, json: 42.5, string: '42.5' },
    { stored: true, json: true, string: 'true' },
    { stored: [1, 'b'], json: [1, 'b'], string: '1, b' },
    { stored: undefined, json: undefined, string: null },
  ],
});
