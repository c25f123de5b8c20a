import { expect } from 'vitest';
import { defineCases, KEY } from './field-case.js';

const optionId = expect.stringMatching(/^opt[0-9A-Za-z]{10}$/);

export const multiSelectCases = defineCases({
  type: 'MultiSelect',
  property: { options: [{ name: 'A' }, { name: 'B' }] },
  accepted: [
    {
      input: { options: [{ name: 'A' }, { name: 'B' }], defaultValue: ['B'] },
      api: {
        options: [
          { id: optionId, name: 'A', color: { name: 'deepPurple_0', value: '#F2F0FD' } },
          { id: optionId, name: 'B', color: { name: 'indigo_0', value: '#EEF3FF' } },
        ],
        defaultValue: ['B'],
      },
    },
  ],
  rejected: [
    { input: null, message: '"value" must be of type object' },
    { input: { options: [{ name: 'a', color: 'red_4' }] }, message: '"options[0].color" must be a number' },
    { input: { options: [], defaultValue: 'A' }, message: '"defaultValue" must be an array' },
  ],
  writes: [
    { value: ['A', 'B'], stored: [optionId, optionId], json: ['A', 'B'], string: 'A, B' },
    { value: ['B', 'A'], stored: [optionId, optionId], json: ['B', 'A'], string: 'B, A' },
    // Empty names are dropped, repeats kept once, unknown names create options.
    { value: ['A', '', 'A'], stored: [optionId], json: ['A'], string: 'A' },
    { value: ['C'], stored: [optionId], json: ['C'], string: 'C' },
    { value: [], stored: null, json: undefined, string: null },
    { value: [''], stored: null, json: undefined, string: null },
  ],
  failures: [
    { value: 'A', message: `field:${KEY} Multiple Select field value must be array` },
    { value: { 0: 'A' }, message: `field:${KEY} Multiple Select field value must be array` },
    { value: ['A', 1], message: `field:${KEY} Multiple Select field value must be string` },
    { value: [null], message: `field:${KEY} Multiple Select field value must be string` },
  ],
  reads: [{ stored: ['optUnknown0000'], json: undefined, string: null }],
  defaults: [
    { property: { options: [{ name: 'A' }, { name: 'B' }], defaultValue: ['B', 'X'] }, value: [optionId] },
    { property: { options: [{ name: 'A' }] }, value: null },
  ],
});
