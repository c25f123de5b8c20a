import { defineCases, KEY } from './field-case.js';

const message = `field:${KEY} Phone field value must be string`;

export const phoneCases = defineCases({
  type: 'Phone',
  property: undefined,
  accepted: [
    { input: undefined, api: undefined },
    { input: null, api: undefined },
  ],
  rejected: [
    { input: {}, message: 'Phone not support set property' },
    { input: { defaultValue: 'x' }, message: 'Phone not support set property' },
  ],
  writes: [
    { value: '+1 (555) 010-0000', stored: '+1 (555) 010-0000', json: '+1 (555) 010-0000', string: '+1 (555) 010-0000' },
    { value: '', stored: null, json: undefined, string: null },
  ],
  failures: [
    { value: 12, message },
    { value: false, message },
    { value: ['x'], message },
  ],
  reads: [],
});
