import { defineCases, KEY } from './field-case.js';

const message = `field:${KEY} Single Select field value must be string`;

export const singleTextCases = defineCases({
  type: 'SingleText',
  property: {},
  accepted: [
    { input: {}, api: {} },
    { input: { defaultValue: 'hi' }, api: { defaultValue: 'hi' } },
    { input: { defaultValue: '' }, api: { defaultValue: '' } },
  ],
  rejected: [
    { input: null, message: '"value" must be of type object' },
    { input: undefined, message: '"value" must be of type object' },
    { input: { defaultValue: 1 }, message: '"defaultValue" must be a string' },
  ],
  writes: [
    { value: 'hello', stored: 'hello', json: 'hello', string: 'hello' },
    { value: '', stored: null, json: undefined, string: null },
  ],
  failures: [
    { value: 1, message },
    { value: true, message },
    { value: ['a'], message },
    { value: { text: 'a' }, message },
  ],
  reads: [{ stored: 'kept', json: 'kept', string: 'kept' }],
  defaults: [
    { property: { defaultValue: 'x' }, value: 'x' },
    { property: { defaultValue: '' }, value: null },
    { property: {}, value: null },
  ],
});
