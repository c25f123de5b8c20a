import { expect } from 'vitest';
import { defineCases, KEY } from './field-case.js';

const optionId = expect.stringMatching(/^opt[0-9A-Za-z]{10}$/);
const message = `field:${KEY} Single Select field value must be string`;

export const singleSelectCases = defineCases({
  type: 'SingleSelect',
  property: { options: [{ name: 'Red' }, { name: 'Green', color: 4 }] },
  accepted: [
    {
      input: { options: [{ name: 'Red' }, { name: 'Green', color: 4 }] },
      api: {
        options: [
          { id: optionId, name: 'Red', color: { name: 'deepPurple_0', value: '#F2F0FD' } },
          { id: optionId, name: 'Green', color: { name: 'green_0', value: '#EEF9E8' } },
        ],
      },
    },
    {
      input: { options: [{ name: 'A', color: 79 }], defaultValue: 'A' },
      api: { options: [{ id: optionId, name: 'A', color: { name: 'red_7', value: '#E33E38' } }], defaultValue: 'A' },
    },
    { input: { options: [] }, api: { options: [] } },
  ],
  rejected: [
    { input: null, message: '"value" must be of type object' },
    { input: {}, message: '"options" is required' },
    { input: { options: [{ name: 'a', color: 'red_4' }] }, message: '"options[0].color" must be a number' },
    { input: { options: [{ name: 'a', color: 80 }] }, message: '"options[0].color" must be less than or equal to 79' },
    { input: { options: [{ id: 'optAAAAAAAAAA', name: 'a' }] }, message: '"options[0].color" is required' },
    { input: { options: [{ name: 'a' }, { name: 'a' }] }, message: '"options[1].name" must be unique' },
    { input: { options: [{ color: 1 }] }, message: '"options[0].name" is required' },
  ],
  writes: [
    { value: 'Red', stored: optionId, json: 'Red', string: 'Red' },
    // An unknown name creates an option; an option id is just another name.
    { value: 'Blue', stored: optionId, json: 'Blue', string: 'Blue' },
    { value: 'optAAAAAAAAAA', stored: optionId, json: 'optAAAAAAAAAA', string: 'optAAAAAAAAAA' },
    { value: '', stored: null, json: undefined, string: null },
  ],
  failures: [
    { value: 1, message },
    { value: ['Red'], message },
    { value: true, message },
  ],
  reads: [{ stored: 'optUnknown0000', json: undefined, string: null }],
  defaults: [
    { property: { options: [{ name: 'A' }], defaultValue: 'A' }, value: optionId },
    { property: { options: [{ name: 'A' }], defaultValue: 'B' }, value: null },
  ],
});
