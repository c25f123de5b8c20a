import { defineCases, KEY } from './field-case.js';

const message = `field:${KEY} Number field value must be a number`;

export const numberCases = defineCases({
  type: 'Number',
  property: { precision: 2 },
  accepted: [
    { input: { precision: 2 }, api: { precision: 2 } },
    { input: { precision: '1' }, api: { precision: 1 } },
    {
      input: { precision: 0, defaultValue: '5', commaStyle: 'comma', symbol: 'km' },
      api: { defaultValue: '5', precision: 0, commaStyle: 'comma', symbol: 'km' },
    },
  ],
  rejected: [
    { input: null, message: '"value" must be of type object' },
    { input: {}, message: '"precision" is required' },
    { input: { precision: 'x' }, message: '"precision" must be a number' },
    { input: { precision: 1001 }, message: '"precision" must be less than or equal to 1000' },
    { input: { precision: -1 }, message: '"precision" must be greater than or equal to 0' },
  ],
  writes: [
    { value: 1234.5, stored: 1234.5, json: 1234.5, string: '1234.50' },
    { value: -3, stored: -3, json: -3, string: '-3.00' },
    { value: 0, stored: 0, json: 0, string: '0.00' },
    { value: 12, stored: 12, json: 12, string: '12km', property: { precision: 0, symbol: 'km' } },
    {
      value: 12345.25,
      stored: 12345.25,
      json: 12345.25,
      string: '12,345.3',
      property: { precision: 1, commaStyle: 'comma' },
    },
  ],
  failures: [
    { value: '12', message },
    { value: Number.NaN, message },
    { value: true, message },
    { value: [1], message },
  ],
  reads: [{ stored: 'x', json: undefined, string: null }],
  defaults: [
    { property: { precision: 0, defaultValue: '5' }, value: 5 },
    { property: { precision: 0, defaultValue: '' }, value: null },
    { property: { precision: 0 }, value: null },
  ],
});
