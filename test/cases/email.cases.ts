import { defineCases, KEY } from './field-case.js';

const message = `field:${KEY} Email field value must be string`;

export const emailCases = defineCases({
  type: 'Email',
  property: undefined,
  accepted: [
    { input: undefined, api: undefined },
    { input: null, api: undefined },
  ],
  rejected: [
    { input: {}, message: 'Email not support set property' },
    { input: { defaultValue: 'x' }, message: 'Email not support set property' },
  ],
  writes: [
    { value: 'not an email', stored: 'not an email', json: 'not an email', string: 'not an email' },
    { value: '', stored: null, json: undefined, string: null },
  ],
  failures: [
    { value: 12, message },
    { value: false, message },
    { value: ['x'], message },
  ],
  reads: [],
});
