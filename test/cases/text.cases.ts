import { defineCases, KEY } from './field-case.js';

const message = `field:${KEY} Text field value must be string`;

export const textCases = defineCases({
  type: 'Text',
  property: undefined,
  accepted: [
    { input: undefined, api: undefined },
    { input: null, api: undefined },
  ],
  rejected: [
    { input: {}, message: 'Text not support set property' },
    { input: { defaultValue: 'x' }, message: 'Text not support set property' },
  ],
  writes: [
    { value: 'line 1\nline 2', stored: 'line 1\nline 2', json: 'line 1\nline 2', string: 'line 1\nline 2' },
    { value: '', stored: null, json: undefined, string: null },
  ],
  failures: [
    { value: 12, message },
    { value: false, message },
    { value: ['x'], message },
  ],
  reads: [],
});
