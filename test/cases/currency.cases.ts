import { defineCases, KEY } from './field-case.js';

const message = `field:${KEY} Currency field value must be a number`;

export const currencyCases = defineCases({
  type: 'Currency',
  property: {},
  accepted: [
    { input: {}, api: { precision: 2, symbol: '$', symbolAlign: 'Default' } },
    // The reference fills defaults with `||`: precision 0 becomes 2, an empty symbol `$`.
    { input: { precision: 0, symbol: '' }, api: { precision: 2, symbol: '$', symbolAlign: 'Default' } },
    {
      input: { precision: '3', symbol: '€', symbolAlign: 'Right', defaultValue: '1' },
      api: { defaultValue: '1', precision: 3, symbol: '€', symbolAlign: 'Right' },
    },
    { input: { defaultValue: '' }, api: { precision: 2, symbol: '$', symbolAlign: 'Default' } },
  ],
  rejected: [
    { input: null, message: '"value" must be of type object' },
    { input: { precision: 11 }, message: '"precision" must be less than or equal to 10' },
    { input: { symbolAlign: 'Center' }, message: '"symbolAlign" must be one of [Default, Left, Right]' },
    { input: { symbol: 1 }, message: '"symbol" must be a string' },
  ],
  writes: [
    { value: 1234.5, stored: 1234.5, json: 1234.5, string: '$1,234.50' },
    {
      value: -1234.56,
      stored: -1234.56,
      json: -1234.56,
      string: '-1,234.6€',
      property: { symbol: '€', symbolAlign: 'Right', precision: 1 },
    },
    { value: 5, stored: 5, json: 5, string: '¥5.00', property: { symbol: '¥', symbolAlign: 'Left' } },
  ],
  failures: [
    { value: '1', message },
    { value: {}, message },
  ],
  reads: [],
  defaults: [
    { property: { defaultValue: '3.5' }, value: 3.5 },
    { property: {}, value: null },
  ],
});
